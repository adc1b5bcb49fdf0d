#include "tools/price_inputs.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace backstop {
using namespace pricing;

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  for (std::string cell; std::getline(stream, cell, ',');) cells.push_back(cell);
  return cells;
}

std::vector<MemberRisk> read_members(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read '" + file + "'");
  std::vector<MemberRisk> out;
  std::string line;
  std::getline(in, line);  // header
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const auto cells = split_csv_line(line);
    if (cells.size() < 4)
      throw std::runtime_error(file + ":" + std::to_string(number) +
                               ": needs member,population,allocation,status");
    MemberRisk r;
    r.id = cells[0];
    r.population = std::stod(cells[1]);
    r.allocation = std::stod(cells[2]);
    if (cells[3] != "active" && cells[3] != "special_measures")
      throw std::runtime_error(file + ":" + std::to_string(number) +
                               ": status must be active or special_measures");
    r.special_measures = cells[3] == "special_measures";
    for (std::size_t i = 4; i < cells.size(); ++i)
      r.fund_cost_per_head.push_back(std::stod(cells[i]));
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
      (name == "simulations" ? model.simulations : model.years) =
          static_cast<int>(value.value_or(std::int64_t{0}));
      continue;
    }
    auto field = fields.find(name);
    if (field == fields.end())
      throw std::runtime_error(file + ": unknown model parameter '" + name + "'");
    *field->second = value.value_or(0.0);
  }
  return model;
}

}  // namespace backstop
