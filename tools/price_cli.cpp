#include "tools/price_cli.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>

#include "ledger/money.hpp"
#include "pricing/fund_model.hpp"
#include "tools/exit_codes.hpp"
#include "tools/fund_model_terms.hpp"
#include "tools/fund_year_terms.hpp"
#include "tools/price_command.hpp"
#include "tools/price_inputs.hpp"
#include "tools/price_methods_cli.hpp"
#include "tools/price_report.hpp"

namespace backstop {
namespace {
namespace json = boost::json;
using namespace pricing;

int fail(const Status& status) {
  std::cerr << "backstop: " << status.to_string() << "\n";
  return exit_code::from_status(status);
}

void progress_bar(double fraction) {
  const int filled = static_cast<int>(fraction * 40);
  std::cerr << "\r  simulating [" << std::string(static_cast<std::size_t>(filled), '#')
            << std::string(static_cast<std::size_t>(40 - filled), ' ') << "] "
            << static_cast<int>(fraction * 100) << "%" << std::flush;
}

Money to_money(double pounds) { return Money::from_pence(Int128(std::llround(pounds * 100))); }

struct ScheduleOptions {
  std::string members, model, output, report, data;
  std::uint32_t year = 0;
  std::uint64_t seed = 1;
  int simulations = 0;
  bool as_json = false;
};

// The model a run prices under: the rulebook's terms, or those of a fund year in a store,
// then the model file's overrides, the seed and the number of simulations.
Result<FundModel> model_for(const ScheduleOptions& options) {
  RuleTerms terms = fund_model_terms(YearParameters{});
  if (!options.data.empty()) {
    auto year_terms = read_fund_year_terms(options.data, options.year);
    if (!year_terms.is_ok()) return year_terms.status();
    terms = year_terms.value();
  }
  FundModel model = read_model(options.model, terms);
  model.seed = options.seed;
  if (options.simulations > 0) model.simulations = options.simulations;
  return model;
}

// The rate schedule CSV: each member's share of the requirement and its components.
bool write_schedule(const std::string& file, const std::vector<ContributionLine>& lines,
                    const std::vector<Money>& shares) {
  std::ofstream out(file);
  out << "member,contribution,expected_cost,expense_loading,risk_loading,experience_adjustment,"
         "reserve_adjustment,"
         "special_measures_loading,minimum_adjustment\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& l = lines[i];
    out << l.id << "," << shares[i].to_string() << "," << to_money(l.expected_cost).to_string()
        << "," << to_money(l.expense_loading).to_string() << ","
        << to_money(l.risk_loading).to_string() << ","
        << to_money(l.experience_adjustment).to_string() << ","
        << to_money(l.reserve_adjustment).to_string() << ","
        << to_money(l.special_measures_loading).to_string() << ","
        << to_money(l.minimum_adjustment).to_string() << "\n";
  }
  out.close();
  return static_cast<bool>(out);
}

void print_schedule_summary(const ScheduleOptions& options, const FundModel& model,
                            std::size_t members, const FundRiskMeasures& measures,
                            const Money& requirement, const SolvencyResult& solvency) {
  json::object summary{{"members", members},
                       {"simulations", model.simulations},
                       {"seed", model.seed},
                       {"expected_outgo", to_money(measures.expected_outgo).to_string()},
                       {"value_at_risk", to_money(measures.value_at_risk).to_string()},
                       {"tail_value_at_risk", to_money(measures.tail_value_at_risk).to_string()},
                       {"reserve_target", to_money(measures.reserve_target).to_string()},
                       {"requirement", requirement.to_string()},
                       {"ruin_probability", solvency.ruin_probability},
                       {"schedule", options.output}};
  if (options.as_json) {
    std::cout << json::serialize(summary) << "\n";
    return;
  }
  std::cout << "Rate schedule for " << members << " members (" << model.simulations
            << " simulated years, seed " << model.seed << ")\n";
  for (const char* key :
       {"expected_outgo", "value_at_risk", "tail_value_at_risk", "reserve_target", "requirement"}) {
    std::cout << "  " << std::left << std::setw(22) << key << std::right << std::setw(20)
              << Money::parse(summary.at(key).as_string()).value().to_display() << "\n";
  }
  std::cout << "  ruin probability over " << model.years << " years: " << solvency.ruin_probability
            << "\n  written to " << options.output << "\n";
}

int run_schedule(const ScheduleOptions& options) {
  const auto members = read_members(options.members);
  const auto built = model_for(options);
  if (!built.is_ok()) return fail(built.status());
  const FundModel& model = built.value();
  const bool terminal = isatty(STDERR_FILENO) != 0;
  const auto simulated =
      simulate_year(model, members, terminal ? std::function<void(double)>(progress_bar) : nullptr);
  if (terminal) std::cerr << "\r" << std::string(60, ' ') << "\r";
  const auto measures = risk_measures(model, simulated);
  const auto lines = price_contributions(model, members, simulated, measures);

  // The requirement is the sum, rounded once; members' shares are split from it exactly.
  double total = 0;
  std::vector<Int128> weights;
  for (const auto& line : lines) {
    total += line.contribution;
    weights.push_back(Int128(std::max<long long>(1, std::llround(line.contribution * 100))));
  }
  const Money requirement = to_money(total);
  const auto shares = split_pro_rata(requirement, weights).value();
  const auto solvency = simulate_solvency(model, members, total, measures.reserve_target);

  if (!write_schedule(options.output, lines, shares))
    return price_refusal("cannot write '" + options.output + "'");
  if (!options.report.empty()) {
    PricingReport report{members, model, simulated, measures, lines, {}, solvency};
    for (const auto& share : shares) report.contributions.push_back(share.to_string());
    if (Status written = write_pricing_report(report, options.report); !written.is_ok())
      return price_refusal(written.message());
  }
  print_schedule_summary(options, model, lines.size(), measures, requirement, solvency);
  return exit_code::ok;
}

int run_solvency(const ScheduleOptions& options, double contributions) {
  const auto members = read_members(options.members);
  const auto built = model_for(options);
  if (!built.is_ok()) return fail(built.status());
  const FundModel& model = built.value();
  const auto simulated = simulate_year(model, members);
  const auto measures = risk_measures(model, simulated);
  double income = contributions;
  if (income <= 0) {
    for (const auto& line : price_contributions(model, members, simulated, measures))
      income += line.contribution;
  }
  const auto solvency = simulate_solvency(model, members, income, measures.reserve_target);
  json::array paths;
  for (std::size_t y = 0; y < solvency.reserve_mean.size(); ++y) {
    paths.push_back({{"year", y + 1},
                     {"reserve_mean", solvency.reserve_mean[y]},
                     {"reserve_percentile_5", solvency.reserve_percentile_5[y]}});
  }
  std::cout << json::serialize(json::object{{"expected_outgo", measures.expected_outgo},
                                            {"value_at_risk", measures.value_at_risk},
                                            {"tail_value_at_risk", measures.tail_value_at_risk},
                                            {"reserve_target", measures.reserve_target},
                                            {"contributions", income},
                                            {"ruin_probability", solvency.ruin_probability},
                                            {"reserve", paths}})
            << "\n";
  return exit_code::ok;
}

// --data DIR --year Y: price under a fund year's terms instead of the rulebook's defaults.
void add_fund_year_options(CLI::App* command, ScheduleOptions& options) {
  auto* data = command->add_option("--data", options.data,
                                   "a fund's store: price under the rule terms of its --year");
  auto* year = command->add_option("--year", options.year, "the fund year whose terms to use");
  data->needs(year);
  year->needs(data);
}

void add_schedule_command(CLI::App* price, int& exit_status) {
  auto options = std::make_shared<ScheduleOptions>();
  auto* command = price->add_subcommand(
      "schedule", "price every member's contribution and write the rate schedule CSV");
  command
      ->add_option(
          "--members", options->members,
          "members.csv: member,population,allocation,status[,fund cost per head, past years...]")
      ->required();
  command->add_option("--model", options->model, "model.toml: [model] overrides (docs/pricing.md)");
  command->add_option("--output", options->output, "the rate schedule CSV to write")->required();
  command->add_option("--seed", options->seed, "random seed (runs are repeatable)");
  command->add_option("--simulations", options->simulations, "simulated years");
  command->add_flag("--json", options->as_json, "JSON summary");
  command->add_option("--report", options->report, "also write an HTML report with gnuplot plots");
  add_fund_year_options(command, *options);
  run_price_command(command, exit_status, [options] { return run_schedule(*options); });
}

void add_solvency_command(CLI::App* price, int& exit_status) {
  auto options = std::make_shared<ScheduleOptions>();
  auto contributions = std::make_shared<double>(0);
  auto* command = price->add_subcommand(
      "solvency", "the fund's risk measures and the probability the reserve is exhausted");
  command->add_option("--members", options->members, "members.csv")->required();
  command->add_option("--model", options->model, "model.toml");
  command->add_option(
      "--contributions", *contributions,
      "annual contributions (default: the expected outgo plus the model's loadings)");
  command->add_option("--seed", options->seed, "random seed");
  command->add_option("--simulations", options->simulations, "simulated years");
  add_fund_year_options(command, *options);
  run_price_command(command, exit_status,
                    [options, contributions] { return run_solvency(*options, *contributions); });
}

}  // namespace

void add_price_commands(CLI::App& app, int& exit_status) {
  auto* price = app.add_subcommand("price", "the actuarial engine (offline)");
  price->require_subcommand(1);
  add_schedule_command(price, exit_status);
  for (const std::string name : {"aggregate", "layer"})
    add_loss_model_command(price, name, exit_status);
  add_solvency_command(price, exit_status);
  add_fit_command(price, exit_status);
  add_credibility_command(price, exit_status);
}

}  // namespace backstop
