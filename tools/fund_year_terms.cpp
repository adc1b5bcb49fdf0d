#include "tools/fund_year_terms.hpp"

#include <boost/json.hpp>

#include "fund/fund.hpp"
#include "tools/fund_model_terms.hpp"

namespace backstop {
namespace {
namespace json = boost::json;

Status invalid(const std::string& message) {
  return Status::error(ErrorCode::invalid_argument, "the fund year's parameters: " + message);
}

// Parses the field `name` with `parse` (Money::parse or Rate::parse) into `out`.
template <typename T>
Status read_field(const json::object& parameters, const char* name,
                  Result<T> (*parse)(std::string_view), T& out) {
  const auto* value = parameters.if_contains(name);
  if (value == nullptr || !value->is_string()) return invalid(std::string(name) + " is missing");
  const auto& text = value->as_string();
  auto parsed = parse(std::string_view(text.data(), text.size()));
  if (!parsed.is_ok()) return invalid(std::string(name) + ": " + parsed.status().message());
  out = std::move(parsed).value();
  return Status::ok();
}

// The fund publishes a year's parameters in its report (Fund::fund_report), by rule 2's
// names. Only those the model prices under are read; a missing one is an error rather than
// a silent default, since the model would then price under terms the year does not have.
Result<YearParameters> priced_parameters(const json::object& parameters) {
  const std::pair<const char*, Money YearParameters::*> amounts[] = {
      {"specific_threshold", &YearParameters::specific_threshold},
      {"specific_cap", &YearParameters::specific_cap}};
  const std::pair<const char*, Rate YearParameters::*> rates[] = {
      {"specific_share", &YearParameters::specific_share},
      {"corridor_b1", &YearParameters::corridor_b1},
      {"corridor_b2", &YearParameters::corridor_b2},
      {"loss_share_f2", &YearParameters::loss_share_f2},
      {"loss_share_f3", &YearParameters::loss_share_f3},
      {"gain_share_g2", &YearParameters::gain_share_g2},
      {"gain_share_g3", &YearParameters::gain_share_g3},
      {"aggregate_cap", &YearParameters::aggregate_cap},
      {"gain_carry_cap", &YearParameters::gain_carry_cap},
      {"rebate_margin", &YearParameters::rebate_margin},
      {"max_call", &YearParameters::max_call}};
  YearParameters out;
  for (const auto& [name, member] : amounts) {
    if (Status read = read_field(parameters, name, &Money::parse, out.*member); !read.is_ok())
      return read;
  }
  for (const auto& [name, member] : rates) {
    if (Status read = read_field(parameters, name, &Rate::parse, out.*member); !read.is_ok())
      return read;
  }
  return out;
}

}  // namespace

Result<pricing::RuleTerms> read_fund_year_terms(const std::string& data, std::uint32_t year) {
  RocksStoreOptions options;
  options.read_only = true;
  auto store = RocksStore::open(data, options);
  if (!store.is_ok()) return store.status();
  auto fund = load_fund(*store.value());
  if (!fund.is_ok()) return fund.status();
  auto report = fund.value().fund_report(year);
  if (!report.is_ok()) return report.status();
  const auto* parameters = report.value().if_contains("parameters");
  if (parameters == nullptr || !parameters->is_object()) return invalid("not in the report");
  auto parsed = priced_parameters(parameters->as_object());
  if (!parsed.is_ok()) return parsed.status();
  return fund_model_terms(parsed.value());
}

}  // namespace backstop
