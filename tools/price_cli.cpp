#include "tools/price_cli.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "ledger/money.hpp"
#include "pricing/aggregate.hpp"
#include "pricing/credibility.hpp"
#include "pricing/fitting.hpp"
#include "pricing/fund_model.hpp"
#include "tools/exit_codes.hpp"
#include "tools/fund_model_terms.hpp"
#include "tools/fund_year_terms.hpp"
#include "tools/price_inputs.hpp"
#include "tools/price_report.hpp"

namespace backstop {
namespace {
namespace json = boost::json;
using namespace pricing;

int fail(const std::string& message) {
  std::cerr << "backstop: " << message << "\n";
  return exit_code::refused;
}

int fail(const Status& status) {
  std::cerr << "backstop: " << status.to_string() << "\n";
  return exit_code::from_status(status);
}

// Makes `run` the command's callback: its exit status, or a refusal for what it throws.
void on_run(CLI::App* command, int& exit_status, std::function<int()> run) {
  command->callback([run = std::move(run), &exit_status] {
    try {
      exit_status = run();
    } catch (const std::exception& error) {
      exit_status = fail(error.what());
    }
  });
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
    return fail("cannot write '" + options.output + "'");
  if (!options.report.empty()) {
    PricingReport report{members, model, simulated, measures, lines, {}, solvency};
    for (const auto& share : shares) report.contributions.push_back(share.to_string());
    if (Status written = write_pricing_report(report, options.report); !written.is_ok())
      return fail(written.message());
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

struct LossModelOptions {
  std::string frequency = "poisson", severity = "lognormal", method = "panjer";
  std::vector<double> parameters;
  double p0 = -1, span = 1, to = 0, retention = 0, deductible = 0, limit = 0, aggregate_limit = 0,
         share = 1;
};

// A frequency/severity model on a lattice: the severity discretised (unbiased), passed
// through the per-occurrence layer, and aggregated by the chosen method.
LatticeDistribution loss_model(const LossModelOptions& o) {
  const auto& p = o.parameters;
  const std::size_t used = o.frequency == "poisson" ? 1 : 2;
  const std::size_t needed = used + (o.severity == "exponential" ? 1 : 2);
  if (p.size() != needed)
    throw std::runtime_error("--parameters needs " + std::to_string(needed) + " numbers");
  Frequency n = o.frequency == "poisson"             ? poisson(p[0])
                : o.frequency == "negative_binomial" ? negative_binomial(p[0], p[1])
                                                     : binomial(static_cast<int>(p[0]), p[1]);
  if (o.p0 >= 0) n = zero_modified(n, o.p0);
  std::unique_ptr<Severity> x = o.severity == "lognormal" ? lognormal(p[used], p[used + 1])
                                : o.severity == "gamma"   ? gamma_severity(p[used], p[used + 1])
                                : o.severity == "pareto"  ? pareto(p[used], p[used + 1])
                                : o.severity == "weibull" ? weibull(p[used], p[used + 1])
                                                          : exponential(p[used]);
  const auto masses = occurrence_layer(discretise(*x, Discretisation::unbiased, o.to, o.span),
                                       o.span, o.deductible, o.limit);
  if (o.method == "simulation") return aggregate_monte_carlo(n, masses, o.span, 100'000, 1);
  if (o.method == "panjer") return panjer(n, masses, o.span, 1 << 18, 1e-10);
  std::size_t length = 1;
  while (length < 8 * masses.size()) length <<= 1;
  return aggregate_fft(n, masses, o.span, length, 0);
}

int run_loss_model(const LossModelOptions& o) {
  const auto s = loss_model(o);
  json::object out{{"mean", s.mean()},
                   {"var_99", s.value_at_risk(0.99)},
                   {"var_995", s.value_at_risk(0.995)},
                   {"tvar_99", s.tail_value_at_risk(0.99)},
                   {"stop_loss", s.stop_loss(o.retention)},
                   {"points", s.masses.size()}};
  out["layer_cost"] =
      s.layer_cost(o.retention, o.aggregate_limit > 0 ? o.aggregate_limit : 1e300, o.share);
  std::cout << json::serialize(out) << "\n";
  return exit_code::ok;
}

// One number per line; a first line that is not a number is a header.
std::vector<double> read_values(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read '" + file + "'");
  std::vector<double> values;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::size_t used = 0;
    double value = 0;
    try {
      value = std::stod(line, &used);
    } catch (const std::exception&) {
      if (number == 1) continue;  // a header
      throw std::runtime_error(file + ":" + std::to_string(number) + ": not a number");
    }
    if (line.find_first_not_of(" \t\r", used) != std::string::npos)
      throw std::runtime_error(file + ":" + std::to_string(number) + ": not a number");
    values.push_back(value);
  }
  return values;
}

json::array fit_rows(const std::vector<double>& values, bool counts) {
  json::array rows;
  if (counts) {
    std::vector<int> integers;
    for (double v : values) integers.push_back(static_cast<int>(std::llround(v)));
    for (const auto& fit : fit_frequencies(integers)) {
      rows.push_back({{"distribution", fit.distribution},
                      {"parameters", json::value_from(fit.parameters)},
                      {"log_likelihood", fit.log_likelihood},
                      {"aic", fit.aic}});
    }
    return rows;
  }
  for (const auto& fit : fit_severities(values)) {
    rows.push_back({{"distribution", fit.distribution},
                    {"parameters", json::value_from(fit.parameters)},
                    {"log_likelihood", fit.log_likelihood},
                    {"aic", fit.aic},
                    {"ks_distance", fit.ks_distance}});
  }
  return rows;
}

void print_fit_table(const json::array& rows) {
  std::cout << std::left << std::setw(20) << "distribution" << std::setw(36) << "parameters"
            << std::right << std::setw(16) << "log-likelihood" << std::setw(14) << "AIC"
            << std::setw(10) << "KS"
            << "\n";
  for (const auto& row : rows) {
    std::ostringstream parameters;
    for (const auto& p : row.at("parameters").as_array())
      parameters << std::setprecision(6) << p.as_double() << " ";
    std::cout << std::left << std::setw(20) << std::string(row.at("distribution").as_string())
              << std::setw(36) << parameters.str() << std::right << std::fixed
              << std::setprecision(2) << std::setw(16) << row.at("log_likelihood").as_double()
              << std::setw(14) << row.at("aic").as_double() << std::setprecision(4) << std::setw(10)
              << (row.as_object().contains("ks_distance") ? row.at("ks_distance").as_double() : 0.0)
              << "\n"
              << std::defaultfloat;
  }
}

int run_fit(const std::string& file, bool counts, bool as_json) {
  const auto rows = fit_rows(read_values(file), counts);
  if (as_json)
    std::cout << json::serialize(rows) << "\n";
  else
    print_fit_table(rows);
  return exit_code::ok;
}

// CSV rows unit,period,ratio,weight after a header; rows of another width are skipped.
int run_credibility(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read '" + file + "'");
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> units;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto cells = split_csv_line(line);
    if (cells.size() != 4) continue;
    units[cells[0]].first.push_back(std::stod(cells[2]));
    units[cells[0]].second.push_back(std::stod(cells[3]));
  }
  CredibilityInput input;
  for (const auto& [unit, rows] : units) {
    input.ratios.push_back(rows.first);
    input.weights.push_back(rows.second);
  }
  const auto result = buhlmann_straub(input);
  json::array rows;
  std::size_t i = 0;
  for (const auto& [unit, unused] : units) {
    rows.push_back({{"unit", unit},
                    {"mean", result.unit_means[i]},
                    {"factor", result.factors[i]},
                    {"premium", result.premiums[i]}});
    ++i;
  }
  std::cout << json::serialize(json::object{{"collective_mean", result.collective_mean},
                                            {"within_variance", result.within_variance},
                                            {"between_variance", result.between_variance},
                                            {"units", rows}})
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
  on_run(command, exit_status, [options] { return run_schedule(*options); });
}

void add_loss_model_command(CLI::App* price, const std::string& name, int& exit_status) {
  auto o = std::make_shared<LossModelOptions>();
  auto* command = price->add_subcommand(
      name,
      name == "aggregate"
          ? "the aggregate loss distribution of a frequency/severity model"
          : "the cost of a layer: per-occurrence and aggregate deductibles, limits, coinsurance");
  command
      ->add_option("--frequency", o->frequency,
                   "poisson LAMBDA | negative_binomial SIZE PROB | binomial SIZE PROB")
      ->check(CLI::IsMember({"poisson", "negative_binomial", "binomial"}));
  command->add_option("--p0", o->p0, "zero-modified: P(N = 0)");
  command
      ->add_option("--severity", o->severity, "lognormal | gamma | pareto | weibull | exponential")
      ->check(CLI::IsMember({"lognormal", "gamma", "pareto", "weibull", "exponential"}));
  command
      ->add_option("--parameters", o->parameters, "frequency parameters, then severity parameters")
      ->required();
  command->add_option("--span", o->span, "lattice span");
  command->add_option("--to", o->to, "discretise the severity up to here")->required();
  command->add_option("--method", o->method, "panjer | fft | simulation")
      ->check(CLI::IsMember({"panjer", "fft", "simulation"}));
  command->add_option("--retention", o->retention, "aggregate deductible d");
  if (name == "layer") {
    command->add_option("--deductible", o->deductible, "per-occurrence deductible");
    command->add_option("--limit", o->limit, "per-occurrence limit (0: none)");
    command->add_option("--aggregate-limit", o->aggregate_limit,
                        "aggregate limit above the retention (0: none)");
    command->add_option("--share", o->share, "coinsurance: the share the layer pays");
  }
  on_run(command, exit_status, [o] { return run_loss_model(*o); });
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
  on_run(command, exit_status,
         [options, contributions] { return run_solvency(*options, *contributions); });
}

void add_fit_command(CLI::App* price, int& exit_status) {
  auto file = std::make_shared<std::string>();
  auto counts = std::make_shared<bool>(false);
  auto as_json = std::make_shared<bool>(false);
  auto* command = price->add_subcommand(
      "fit", "maximum-likelihood fits with goodness of fit, best (lowest AIC) first");
  command->add_option("--data", *file, "one number per line (a header line is skipped)")
      ->required();
  command->add_flag("--counts", *counts, "the data are claim counts (Poisson, negative binomial)");
  command->add_flag("--json", *as_json, "JSON for scripts");
  on_run(command, exit_status,
         [file, counts, as_json] { return run_fit(*file, *counts, *as_json); });
}

void add_credibility_command(CLI::App* price, int& exit_status) {
  auto file = std::make_shared<std::string>();
  auto* command =
      price->add_subcommand("credibility", "Buhlmann-Straub on unit,period,ratio,weight rows");
  command->add_option("--data", *file, "CSV: unit,period,ratio,weight")->required();
  on_run(command, exit_status, [file] { return run_credibility(*file); });
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
