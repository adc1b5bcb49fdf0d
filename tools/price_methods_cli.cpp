#include "tools/price_methods_cli.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>

#include "pricing/aggregate.hpp"
#include "pricing/credibility.hpp"
#include "pricing/fitting.hpp"
#include "tools/csv.hpp"
#include "tools/exit_codes.hpp"
#include "tools/price_command.hpp"
#include "tools/price_inputs.hpp"

namespace backstop {
namespace {
namespace json = boost::json;
using namespace pricing;

struct LossModelOptions {
  std::string frequency = "poisson", severity = "lognormal", method = "panjer";
  std::vector<double> parameters;
  double p0 = -1, span = 1, to = 0, retention = 0, deductible = 0, limit = 0, aggregate_limit = 0,
         share = 1;
  // The exact methods' accuracy: mass (and share of the mean) that may go missing, the most
  // points they may use, and FFT's length and tilt (0 and -1: chosen from the model).
  double tolerance = 1e-10, tilt = -1;
  std::size_t max_points = 1 << 20, fft_length = 0;
};

// The aggregate distribution by the chosen method on the severity's lattice.
LatticeDistribution aggregate(const Frequency& n, const std::vector<double>& masses,
                              const LossModelOptions& o) {
  if (o.method == "simulation") return aggregate_monte_carlo(n, masses, o.span, 100'000, 1);
  if (!(o.tolerance > 0 && o.tolerance < 1))
    throw std::invalid_argument("--tolerance must be more than 0 and less than 1");
  if (o.method == "panjer") return panjer(n, masses, o.span, o.max_points, o.tolerance);
  const std::size_t length =
      o.fft_length > 0 ? o.fft_length : fft_length(n, masses, o.tolerance, o.max_points);
  return aggregate_fft(n, masses, o.span, length, o.tilt >= 0 ? o.tilt : fft_tilt(length),
                       o.tolerance);
}

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
  return aggregate(n, masses, o);
}

int run_loss_model(const LossModelOptions& o) {
  const auto s = loss_model(o);
  json::object out{{"mean", s.mean()},
                   {"var_99", s.value_at_risk(0.99)},
                   {"var_995", s.value_at_risk(0.995)},
                   {"tvar_99", s.tail_value_at_risk(0.99)},
                   {"stop_loss", s.stop_loss(o.retention)},
                   {"points", s.masses.size()},
                   {"missing_mass", 1 - std::accumulate(s.masses.begin(), s.masses.end(), 0.0)}};
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

// CSV columns unit, ratio and weight (by header name; others, e.g. period, are ignored).
int run_credibility(const std::string& file) {
  const CsvTable table = CsvTable::read(file);
  const std::size_t unit_column = table.required_column("unit");
  const std::size_t ratio = table.required_column("ratio");
  const std::size_t weight = table.required_column("weight");
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> units;
  for (std::size_t row = 0; row < table.rows(); ++row) {
    auto& unit_rows = units[table.cell(row, unit_column)];
    unit_rows.first.push_back(table.number(row, ratio));
    unit_rows.second.push_back(table.number(row, weight));
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

}  // namespace

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
  command->add_option("--tolerance", o->tolerance,
                      "panjer, fft: the mass, and share of the mean, that may go missing (1e-10)");
  command->add_option("--max-points", o->max_points,
                      "panjer, fft: the most lattice points to use (1048576)");
  command->add_option("--fft-length", o->fft_length,
                      "fft: the lattice's length, a power of two (default: from the tail)");
  command->add_option("--tilt", o->tilt, "fft: exponential tilt per point (default 2 / length)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--retention", o->retention, "aggregate deductible d");
  if (name == "layer") {
    command->add_option("--deductible", o->deductible, "per-occurrence deductible");
    command->add_option("--limit", o->limit, "per-occurrence limit (0: none)");
    command->add_option("--aggregate-limit", o->aggregate_limit,
                        "aggregate limit above the retention (0: none)");
    command->add_option("--share", o->share, "coinsurance: the share the layer pays");
  }
  run_price_command(command, exit_status, [o] { return run_loss_model(*o); });
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
  run_price_command(command, exit_status,
                    [file, counts, as_json] { return run_fit(*file, *counts, *as_json); });
}

void add_credibility_command(CLI::App* price, int& exit_status) {
  auto file = std::make_shared<std::string>();
  auto* command =
      price->add_subcommand("credibility", "Buhlmann-Straub on unit,period,ratio,weight rows");
  command->add_option("--data", *file, "CSV: unit,period,ratio,weight")->required();
  run_price_command(command, exit_status, [file] { return run_credibility(*file); });
}

}  // namespace backstop
