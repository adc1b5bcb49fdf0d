#include "tools/price_inputs.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <map>
#include <stdexcept>

#include "tools/csv.hpp"

namespace backstop {
using namespace pricing;

// members.csv by header name: member, population, allocation, status, and any further
// columns (in their order) the fund's past cost per head for this member, empty where none.
std::vector<MemberRisk> read_members(const std::string& file) {
  const CsvTable table = CsvTable::read(file);
  const std::size_t id = table.required_column("member");
  const std::size_t population = table.required_column("population");
  const std::size_t allocation = table.required_column("allocation");
  const std::size_t status = table.required_column("status");
  std::vector<MemberRisk> out;
  for (std::size_t row = 0; row < table.rows(); ++row) {
    MemberRisk r;
    r.id = table.cell(row, id);
    if (r.id.empty()) throw std::runtime_error(table.where(row, id) + ": empty");
    r.population = table.number(row, population);
    r.allocation = table.number(row, allocation);
    if (!(r.population >= 1))
      throw std::runtime_error(table.where(row, population) + ": must be at least 1");
    if (!(r.allocation > 0))
      throw std::runtime_error(table.where(row, allocation) + ": must be positive");
    const std::string& given = table.cell(row, status);
    if (given != "active" && given != "special_measures")
      throw std::runtime_error(table.where(row, status) + ": must be active or special_measures");
    r.special_measures = given == "special_measures";
    for (std::size_t column = 0; column < table.header().size(); ++column) {
      if (column == id || column == population || column == allocation || column == status)
        continue;
      // An empty cell: no experience that year (a member may have joined later).
      if (!table.cell(row, column).empty())
        r.fund_cost_per_head.push_back(table.number(row, column));
    }
    out.push_back(r);
  }
  if (out.empty()) throw std::runtime_error(file + ": no members");
  return out;
}

FundModel read_model(const std::string& file, const RuleTerms& terms) {
  FundModel model(terms);
  if (file.empty()) return model;
  const auto table = toml::parse_file(file);
  const auto* section = table["model"].as_table();
  if (section == nullptr) return model;
  const std::map<std::string, double*> fields = {
      {"specific_threshold", &model.terms.specific_threshold},
      {"specific_share", &model.terms.specific_share},
      {"specific_cap", &model.terms.specific_cap},
      {"b1", &model.terms.b1},
      {"b2", &model.terms.b2},
      {"f2", &model.terms.f2},
      {"f3", &model.terms.f3},
      {"g2", &model.terms.g2},
      {"g3", &model.terms.g3},
      {"aggregate_cap", &model.terms.aggregate_cap},
      {"gain_carry_cap", &model.terms.gain_carry_cap},
      {"high_cost_rate_per_head", &model.high_cost_rate_per_head},
      {"high_cost_floor", &model.high_cost_floor},
      {"pareto_alpha", &model.pareto_alpha},
      {"pareto_theta", &model.pareto_theta},
      {"cv_constant", &model.cv_constant},
      {"common_shock_sd", &model.common_shock_sd},
      {"expense_loading", &model.expense_loading},
      {"cost_of_capital", &model.cost_of_capital},
      {"tail_level", &model.tail_level},
      {"special_measures_loading", &model.special_measures_loading},
      {"reserve_level", &model.reserve_level},
      {"rebuild_years", &model.rebuild_years},
      {"opening_reserve", &model.opening_reserve},
      {"rebate_margin", &model.terms.rebate_margin},
      {"max_call", &model.terms.max_call}};
  for (const auto& [key, value] : *section) {
    const std::string name(key.str());
    if (name == "simulations" || name == "years") {
      // A whole number, never a default: a wrong type must not become 0 simulations.
      const auto count = value.value_exact<std::int64_t>();
      if (!count || *count < 1 || *count > 100'000'000)
        throw std::runtime_error(file + ": model parameter '" + name +
                                 "' must be a whole number from 1");
      (name == "simulations" ? model.simulations : model.years) = static_cast<int>(*count);
      continue;
    }
    auto field = fields.find(name);
    if (field == fields.end())
      throw std::runtime_error(file + ": unknown model parameter '" + name + "'");
    const auto number = value.value<double>();  // a TOML integer or float
    if (!number || !std::isfinite(*number))
      throw std::runtime_error(file + ": model parameter '" + name + "' must be a number");
    *field->second = *number;
  }
  return model;
}

}  // namespace backstop
