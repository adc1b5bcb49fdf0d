// Fund-year parameters to and from JSON, field names as in rule 2's table.
#include "fund/internal.hpp"

namespace backstop::fund {
namespace json = boost::json;
namespace {

struct MoneyField {
  const char* name;
  Money YearParameters::*member;
};
struct RateField {
  const char* name;
  Rate YearParameters::*member;
};
struct IntField {
  const char* name;
  int YearParameters::*member;
  int low;
  int high;
};

const MoneyField money_fields[] = {{"specific_threshold", &YearParameters::specific_threshold},
                                   {"specific_cap", &YearParameters::specific_cap},
                                   {"reserve_target", &YearParameters::reserve_target},
                                   {"four_eyes_above", &YearParameters::four_eyes_above},
                                   {"manual_review_above", &YearParameters::manual_review_above}};
const RateField rate_fields[] = {{"specific_share", &YearParameters::specific_share},
                                 {"corridor_b1", &YearParameters::corridor_b1},
                                 {"corridor_b2", &YearParameters::corridor_b2},
                                 {"loss_share_f2", &YearParameters::loss_share_f2},
                                 {"loss_share_f3", &YearParameters::loss_share_f3},
                                 {"gain_share_g2", &YearParameters::gain_share_g2},
                                 {"gain_share_g3", &YearParameters::gain_share_g3},
                                 {"aggregate_cap", &YearParameters::aggregate_cap},
                                 {"gain_carry_cap", &YearParameters::gain_carry_cap},
                                 {"loan_limit", &YearParameters::loan_limit},
                                 {"rebate_margin", &YearParameters::rebate_margin},
                                 {"max_call", &YearParameters::max_call},
                                 {"review_sample", &YearParameters::review_sample}};
const IntField int_fields[] = {
    {"loss_repay_years", &YearParameters::loss_repay_years, 1, 10},
    {"loan_term_years", &YearParameters::loan_term_years, 1, 10},
    {"specific_deadline_days", &YearParameters::specific_deadline_days, 0, 730},
    {"aggregate_deadline_days", &YearParameters::aggregate_deadline_days, 0, 730}};

}  // namespace

json::object parameters_to_json(const YearParameters& parameters) {
  json::object out;
  for (const auto& field : money_fields) out[field.name] = (parameters.*field.member).to_string();
  for (const auto& field : rate_fields) out[field.name] = (parameters.*field.member).to_string();
  for (const auto& field : int_fields) out[field.name] = parameters.*field.member;
  return out;
}

YearParameters parameters_from_json(const json::value* overrides, const YearParameters& base) {
  YearParameters out = base;
  if (overrides == nullptr || overrides->is_null()) return out;
  if (!overrides->is_object()) refuse("field 'parameters' must be an object");
  Fields fields(overrides->as_object());
  for (const auto& field : money_fields) {
    if (auto value = fields.optional_money(field.name)) out.*field.member = *value;
  }
  for (const auto& field : rate_fields) {
    const json::value* value = fields.raw(field.name);
    if (value == nullptr) continue;
    if (!value->is_string())
      refuse(std::string("parameter '") + field.name + "' must be a decimal string, e.g. \"0.9\"");
    auto rate = Rate::parse(value->as_string());
    if (!rate.is_ok())
      refuse(std::string("parameter '") + field.name + "': " + rate.status().message());
    out.*field.member = rate.value();
  }
  for (const auto& field : int_fields) {
    if (fields.raw(field.name) != nullptr)
      out.*field.member = static_cast<int>(fields.integer(field.name, field.low, field.high));
  }
  fields.finish();
  if (Status valid = check_parameters(out); !valid.is_ok()) refuse(valid.message());
  return out;
}

}  // namespace backstop::fund
