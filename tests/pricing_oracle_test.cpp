// pricing/ against the independent oracle, R actuar (tests/oracle/actuar_cases.R), on the
// same inputs: discretised masses, limited expected values, aggregate distributions by
// Panjer (and FFT against Panjer), stop-loss premiums, VaR, and Bühlmann-Straub
// credibility. Where both compute the same discretised model the relative error is 1e-9.
#include <catch2/catch.hpp>
#include <cmath>
#include <complex>
#include <fstream>
#include <map>

#include "pricing/aggregate.hpp"
#include "pricing/credibility.hpp"
#include "pricing/fitting.hpp"
#include "tests/ledger_fixtures.hpp"
#include "tests/shell.hpp"

using namespace backstop::pricing;
using backstop::testing::shell;
using backstop::testing::TemporaryDirectory;

namespace {

using Oracle = std::map<std::string, std::vector<double>>;

const Oracle& oracle() {
  static const Oracle cases = [] {
    TemporaryDirectory directory;
    const std::string file = directory.path() + "/oracle.txt";
    const auto run = shell("Rscript " + std::string(BACKSTOP_SOURCE_DIR) +
                           "/tests/oracle/actuar_cases.R " + file);
    INFO(run.output);
    REQUIRE(run.exit_status == 0);
    Oracle out;
    std::ifstream in(file);
    std::string name;
    std::size_t index;
    double value;
    while (in >> name >> index >> value) {
      auto& values = out[name];
      REQUIRE(values.size() == index);
      values.push_back(value);
    }
    return out;
  }();
  return cases;
}

const std::vector<double>& expected(const std::string& name) {
  auto found = oracle().find(name);
  INFO("oracle case " << name);
  REQUIRE(found != oracle().end());
  return found->second;
}

void check_close(double ours, double theirs, double relative = 1e-9, double absolute = 1e-14) {
  CHECK(std::abs(ours - theirs) <= std::max(absolute, relative * std::abs(theirs)));
}

std::unique_ptr<Severity> severity(const std::string& name) {
  if (name == "lognormal") return lognormal(2, 0.8);
  if (name == "gamma") return gamma_severity(2, 0.5);
  if (name == "pareto") return pareto(3, 20);
  if (name == "weibull") return weibull(1.5, 10);
  return exponential(0.1);
}

const char* severities[] = {"lognormal", "gamma", "pareto", "weibull", "exponential"};

}  // namespace

TEST_CASE("pricing: cdf and limited expected values agree with actuar") {
  for (const std::string name : severities) {
    INFO(name);
    const auto s = severity(name);
    const double points[] = {1, 5, 20, 50};
    for (int i = 0; i < 4; ++i) {
      check_close(s->cdf(points[i]), expected("cdf." + name)[static_cast<std::size_t>(i)], 1e-9);
      check_close(s->limited_expected_value(points[i]),
                  expected("lev." + name)[static_cast<std::size_t>(i)], 1e-9);
    }
  }
}

TEST_CASE("pricing: discretised masses agree with actuar for every method") {
  const std::pair<const char*, Discretisation> methods[] = {{"upper", Discretisation::upper},
                                                            {"lower", Discretisation::lower},
                                                            {"rounding", Discretisation::rounding},
                                                            {"unbiased", Discretisation::unbiased}};
  for (const std::string name : severities) {
    for (const auto& [method_name, method] : methods) {
      INFO(name << " " << method_name);
      const auto ours = discretise(*severity(name), method, 60, 0.5);
      const auto& theirs = expected("discretise." + name + "." + method_name);
      REQUIRE(ours.size() == theirs.size());
      // Far in the tail the unbiased method's second differences of E[min(X, x)] cancel to
      // rounding noise (about 1e-15 for masses that sum to one): compared absolutely there.
      for (std::size_t k = 0; k < ours.size(); ++k) check_close(ours[k], theirs[k], 1e-9, 1e-13);
    }
  }
}

TEST_CASE("pricing: Panjer's recursion, stop-loss premiums and VaR agree with actuar") {
  const auto severity_masses =
      discretise(*gamma_severity(2, 0.5), Discretisation::rounding, 200, 0.5);
  const auto& theirs_severity = expected("severity.gamma.rounding.200");
  REQUIRE(severity_masses.size() == theirs_severity.size());
  const std::pair<const char*, Frequency> frequencies[] = {
      {"poisson", poisson(3)},
      {"negative_binomial", negative_binomial(4, 0.6)},
      {"binomial", binomial(10, 0.3)},
      {"zero_modified_binomial", zero_modified(binomial(10, 0.3), 0.2)}};
  for (const auto& [name, frequency] : frequencies) {
    INFO(name);
    const auto& theirs = expected(std::string("panjer.") + name);
    const auto ours = panjer(frequency, severity_masses, 0.5, theirs.size(), 0);
    REQUIRE(ours.masses.size() == theirs.size());
    for (std::size_t k = 0; k < theirs.size(); ++k)
      check_close(ours.masses[k], theirs[k], 1e-9, 1e-18);
    const double retentions[] = {5, 10, 20, 40};
    for (int i = 0; i < 4; ++i)
      check_close(ours.stop_loss(retentions[i]),
                  expected(std::string("stop_loss.") + name)[static_cast<std::size_t>(i)], 1e-9);
    const double levels[] = {0.9, 0.99, 0.995};
    for (int i = 0; i < 3; ++i)
      CHECK(ours.value_at_risk(levels[i]) ==
            expected(std::string("var.") + name)[static_cast<std::size_t>(i)]);
    check_close(ours.tail_value_at_risk(0.9), expected(std::string("tvar.") + name)[0], 1e-9);
    check_close(ours.tail_value_at_risk(0.99), expected(std::string("tvar.") + name)[1], 1e-9);

    // FFT on a padded lattice computes the same model: it agrees with the recursion.
    const auto by_fft = aggregate_fft(frequency, severity_masses, 0.5, 2048);
    for (std::size_t k = 0; k < theirs.size(); ++k)
      CHECK(std::abs(by_fft.masses[k] - ours.masses[k]) < 1e-12);
  }
}

namespace {

// The count models of the (a, b, 1) oracle cases, by the names the R script gives them.
std::vector<std::pair<std::string, Frequency>> count_models() {
  return {{"poisson", poisson(3)},
          {"negative_binomial", negative_binomial(4, 0.6)},
          {"binomial", binomial(10, 0.3)},
          {"zero_modified_poisson", zero_modified(poisson(3), 0.3)},
          {"zero_truncated_poisson", zero_modified(poisson(3), 0)},
          {"zero_modified_negative_binomial", zero_modified(negative_binomial(4, 0.6), 0.1)},
          {"zero_modified_binomial", zero_modified(binomial(10, 0.3), 0.2)},
          {"logarithmic", logarithmic(0.5)},
          {"zero_modified_logarithmic", zero_modified(logarithmic(0.5), 0.2)}};
}

}  // namespace

TEST_CASE("pricing: every count's pmf, pgf and aggregate distribution agree with actuar") {
  const auto masses = discretise(*lognormal(2, 0.8), Discretisation::unbiased, 100, 0.5);
  const auto& theirs_severity = expected("severity.lognormal.unbiased.100");
  REQUIRE(masses.size() == theirs_severity.size());
  for (std::size_t k = 0; k < masses.size(); ++k)
    check_close(masses[k], theirs_severity[k], 1e-9, 1e-13);
  for (const auto& [name, frequency] : count_models()) {
    INFO(name);
    for (int k = 0; k <= 30; ++k)
      check_close(frequency.pmf(k), expected("pmf." + name)[static_cast<std::size_t>(k)], 1e-12);
    // Real points, one inside the unit disc and one on its circle, where FFT evaluates it.
    const std::complex<double> points[] = {0,         0.3,        0.9,
                                           masses[0], {0.3, 0.4}, std::polar(1.0, 2.0)};
    for (std::size_t i = 0; i < 6; ++i) {
      const auto ours = frequency.pgf(points[i]);
      check_close(ours.real(), expected("pgf." + name)[i], 1e-12, 1e-15);
      check_close(ours.imag(), expected("pgf_imaginary." + name)[i], 1e-12, 1e-15);
      if (i < 4) check_close(frequency.pgf(points[i].real()), expected("pgf." + name)[i], 1e-12);
    }
    // E[N], Var[N] and the third central moment against sums over the pmf.
    const auto& cumulants = expected("cumulants." + name);
    for (std::size_t i = 0; i < 3; ++i) check_close(frequency.cumulants()[i], cumulants[i], 1e-12);
    check_close(frequency.mean, cumulants[0], 1e-12);
    check_close(frequency.variance, cumulants[1], 1e-12);
    const auto& theirs = expected("aggregate." + name);
    const auto ours = panjer(frequency, masses, 0.5, theirs.size(), 0);
    REQUIRE(ours.masses.size() == theirs.size());
    // P[S = 0] = P_N(f_X(0)) is where a count's pgf enters the recursion.
    check_close(ours.masses[0], expected("p_s0." + name)[0], 1e-12);
    for (std::size_t k = 0; k < theirs.size(); ++k)
      check_close(ours.masses[k], theirs[k], 1e-9, 1e-18);
    // On the same truncated severity lattice as actuar (0.2% of the aggregate beyond it), untilted.
    const auto by_fft = aggregate_fft(frequency, masses, 0.5, 4096, 0, 0.01);
    for (std::size_t k = 0; k < theirs.size(); ++k)
      CHECK(std::abs(by_fft.masses[k] - theirs[k]) < 1e-13);
  }
}

TEST_CASE("pricing: every count samples its own pmf, and refuses what it cannot compute") {
  std::mt19937_64 random(5);
  const int draws = 100'000;
  for (const auto& [name, frequency] : count_models()) {
    INFO(name);
    std::vector<double> seen(8, 0.0);
    for (int i = 0; i < draws; ++i) {
      const int k = frequency.sample(random);
      if (k < 8) seen[static_cast<std::size_t>(k)] += 1;
    }
    // Each frequency within 5 standard errors of its probability (never seen where it is 0).
    for (int k = 0; k < 8; ++k) {
      const double p = frequency.pmf(k);
      INFO("k = " << k << ": seen " << seen[static_cast<std::size_t>(k)] / draws << ", pmf " << p);
      CHECK(std::abs(seen[static_cast<std::size_t>(k)] / draws - p) <=
            5 * std::sqrt(p * (1 - p) / draws));
    }
  }
  // A negative binomial's series diverges at |z| >= 1 / (1 - prob): no formula's value there.
  CHECK_THROWS_AS(negative_binomial(4, 0.6).pgf(2.5), std::domain_error);
  CHECK_THROWS_AS(logarithmic(0.5).pgf(std::complex<double>(0, 2)), std::domain_error);
  // P(N = 0) underflows: inversion from zero would walk through zeros, so it refuses.
  CHECK_THROWS_AS(poisson(1000).sample(random), std::domain_error);
  // A count whose fields no constructor made: Panjer would read its a and b as they are.
  Frequency altered = poisson(3);
  altered.b = 4;
  CHECK_THROWS_AS(altered.pgf(0.5), std::invalid_argument);
  CHECK_THROWS_AS(panjer(altered, {0.1, 0.9}, 1), std::invalid_argument);
  // A logarithmic count unmodified: Panjer would take it by the (a, b, 0) recursion.
  altered = logarithmic(0.5);
  altered.p0_modified = -1;
  CHECK_THROWS_AS(panjer(altered, {0.1, 0.9}, 1), std::invalid_argument);
  altered = poisson(3);
  altered.family = static_cast<FrequencyFamily>(17);
  CHECK_THROWS_AS(altered.pmf(1), std::invalid_argument);
  CHECK_THROWS_AS(aggregate_fft(altered, {0.1, 0.9}, 1, 8), std::invalid_argument);
}

TEST_CASE("pricing: Bühlmann-Straub credibility agrees with actuar on Hachemeister's data") {
  const auto& ratios = expected("credibility.ratios");
  const auto& weights = expected("credibility.weights");
  REQUIRE(ratios.size() == 60);
  CredibilityInput input;
  for (std::size_t unit = 0; unit < 5; ++unit) {
    input.ratios.emplace_back(ratios.begin() + static_cast<long>(unit * 12),
                              ratios.begin() + static_cast<long>(unit * 12 + 12));
    input.weights.emplace_back(weights.begin() + static_cast<long>(unit * 12),
                               weights.begin() + static_cast<long>(unit * 12 + 12));
  }
  const auto result = buhlmann_straub(input);
  check_close(result.collective_mean, expected("credibility.collective_mean")[0]);
  check_close(result.between_variance, expected("credibility.between_variance")[0]);
  check_close(result.within_variance, expected("credibility.within_variance")[0]);
  for (std::size_t i = 0; i < 5; ++i) {
    check_close(result.factors[i], expected("credibility.factors")[i]);
    check_close(result.premiums[i], expected("credibility.premiums")[i]);
  }
}

TEST_CASE("pricing: the normal-power approximation corrects the normal one for skewness") {
  const auto severity_masses =
      discretise(*gamma_severity(2, 0.5), Discretisation::rounding, 200, 0.5);
  const auto exact = panjer(poisson(3), severity_masses, 0.5);
  const auto moments = aggregate_moments(poisson(3), *gamma_severity(2, 0.5));
  CHECK(std::abs(moments.mean - 12.0) < 1e-6);  // 3 x 4
  const double x = exact.value_at_risk(0.99);
  const double exact_cdf = exact.cdf(x);
  CHECK(std::abs(normal_power_cdf(moments, x) - exact_cdf) <
        std::abs(normal_approximation_cdf(moments, x) - exact_cdf));
}

TEST_CASE("pricing: severity and aggregate moments agree with actuar") {
  for (const std::string name : severities) {
    INFO(name);
    const auto& theirs = expected("raw_moments." + name);
    for (std::size_t j = 0; j < theirs.size(); ++j)
      check_close(severity(name)->raw_moment(static_cast<int>(j + 1)), theirs[j], 1e-12);
  }
  // The Pareto's moments exist below its shape only: no figure for E[X^3] at shape 3.
  CHECK_THROWS_AS(severity("pareto")->raw_moment(3), std::domain_error);
  CHECK_THROWS_AS(aggregate_moments(poisson(3), *severity("pareto")), std::domain_error);
  CHECK(empirical({1, 2, 6})->raw_moment(3) == Approx((1 + 8 + 216) / 3.0).epsilon(1e-15));

  struct Case {
    const char* name;
    Frequency frequency;
    std::unique_ptr<Severity> severity;
  };
  Case cases[] = {
      {"poisson.lognormal", poisson(3), lognormal(2, 0.8)},
      {"zero_modified_poisson.lognormal", zero_modified(poisson(3), 0.3), lognormal(2, 0.8)},
      {"zero_modified_negative_binomial.lognormal", zero_modified(negative_binomial(4, 0.6), 0.1),
       lognormal(1, 1.5)},
      {"negative_binomial.pareto", negative_binomial(4, 0.6), pareto(4, 30)},
      {"zero_modified_binomial.gamma", zero_modified(binomial(10, 0.3), 0.2),
       gamma_severity(2, 0.5)},
      {"logarithmic.exponential", logarithmic(0.5), exponential(0.1)},
      {"zero_modified_logarithmic.weibull", zero_modified(logarithmic(0.5), 0.2),
       weibull(1.5, 10)}};
  for (const auto& c : cases) {
    const auto& theirs = expected(std::string("moments.") + c.name);
    const auto ours = aggregate_moments(c.frequency, *c.severity);
    INFO(c.name << ": mean " << ours.mean << ", variance " << ours.variance << ", skewness "
                << ours.skewness);
    check_close(ours.mean, theirs[0], 1e-12);
    check_close(ours.variance, theirs[1], 1e-12);
    check_close(ours.skewness, theirs[2], 1e-12);
  }
}

TEST_CASE("pricing: maximum-likelihood fits agree with R's optimiser on the same data") {
  const auto& data = expected("fit.data");
  REQUIRE(data.size() == 400);
  for (const std::string name : severities) {
    INFO(name);
    const auto fit = fit_severity(name, name == "pareto" ? expected("fit.pareto_data") : data);
    const auto& theirs = expected("fit." + name);
    REQUIRE(theirs.size() == fit.parameters.size() + 1);
    // Closed forms agree to rounding; optimised ones to the optimisers' precision.
    const double tolerance = name == "lognormal" || name == "exponential" ? 1e-12 : 1e-5;
    for (std::size_t i = 0; i < fit.parameters.size(); ++i)
      check_close(fit.parameters[i], theirs[i], tolerance);
    CHECK(fit.log_likelihood >=
          theirs.back() - 1e-6 * std::abs(theirs.back()));  // ours is at least as likely
    check_close(fit.log_likelihood, theirs.back(), 1e-9);
    CHECK(fit.ks_distance > 0);
    CHECK(fit.ks_distance < 1);
  }
  // Every distribution that can be fitted is ranked by AIC, best first.
  const auto ranked = fit_severities(data);
  REQUIRE(ranked.size() >= 4);
  for (std::size_t i = 1; i < ranked.size(); ++i) CHECK(ranked[i - 1].aic <= ranked[i].aic);

  std::vector<int> counts;
  for (double k : expected("fit.counts")) counts.push_back(static_cast<int>(k));
  const auto frequencies = fit_frequencies(counts);
  REQUIRE(frequencies.size() == 2);
  CHECK(frequencies.front().distribution == "negative_binomial");  // the data are overdispersed
  for (const auto& fit : frequencies) {
    INFO(fit.distribution);
    const auto& theirs = expected("fit." + fit.distribution);
    for (std::size_t i = 0; i < fit.parameters.size(); ++i)
      check_close(fit.parameters[i], theirs[i], 1e-6);
    check_close(fit.log_likelihood, theirs.back(), 1e-9);
  }
}

TEST_CASE("pricing: Monte Carlo agrees with the exact recursion within its stated error") {
  const auto masses = discretise(*gamma_severity(2, 0.5), Discretisation::rounding, 200, 0.5);
  const auto exact = panjer(negative_binomial(4, 0.6), masses, 0.5);
  const int simulations = 200'000;
  const auto simulated =
      aggregate_monte_carlo(negative_binomial(4, 0.6), masses, 0.5, simulations, 11);
  // Stated error: 4 standard errors of the estimate, from the exact distribution's own spread.
  for (double retention : {0.0, 5.0, 20.0}) {
    double second = 0;
    for (std::size_t k = 0; k < exact.masses.size(); ++k) {
      const double excess = std::max(0.0, static_cast<double>(k) * 0.5 - retention);
      second += excess * excess * exact.masses[k];
    }
    const double premium = exact.stop_loss(retention);
    const double standard_error = std::sqrt((second - premium * premium) / simulations);
    INFO("retention " << retention << ": exact " << premium << ", simulated "
                      << simulated.stop_loss(retention) << " +- " << standard_error);
    CHECK(std::abs(simulated.stop_loss(retention) - premium) < 4 * standard_error);
  }
  for (double level : {0.5, 0.9})
    CHECK(std::abs(simulated.value_at_risk(level) - exact.value_at_risk(level)) <= 1.0);
}

TEST_CASE("pricing: layers: a per-occurrence layer and an aggregate layer with coinsurance") {
  const auto masses = discretise(*gamma_severity(2, 0.5), Discretisation::rounding, 200, 0.5);
  // No deductible and no limit leaves the severity as it is.
  const auto same = occurrence_layer(masses, 0.5, 0, 0);
  for (std::size_t k = 0; k < masses.size(); ++k) CHECK(same[k] == masses[k]);
  // The layer's mean is E[min(L, (X - d)+)] = lev(d + L) - lev(d) on the lattice.
  const auto layer = occurrence_layer(masses, 0.5, 2, 5);
  double layer_mean = 0, direct = 0;
  for (std::size_t k = 0; k < layer.size(); ++k)
    layer_mean += static_cast<double>(k) * 0.5 * layer[k];
  for (std::size_t k = 0; k < masses.size(); ++k)
    direct += std::min(5.0, std::max(0.0, static_cast<double>(k) * 0.5 - 2)) * masses[k];
  CHECK(layer_mean == Approx(direct).epsilon(1e-12));
  // An aggregate layer with no limit is the stop-loss premium; coinsurance scales it.
  const auto aggregate = panjer(poisson(3), masses, 0.5);
  CHECK(aggregate.layer_cost(10, 1e9) == Approx(aggregate.stop_loss(10)).epsilon(1e-12));
  CHECK(aggregate.layer_cost(10, 1e9, 0.8) == Approx(0.8 * aggregate.stop_loss(10)).epsilon(1e-12));
  CHECK(aggregate.layer_cost(10, 5) ==
        Approx(aggregate.stop_loss(10) - aggregate.stop_loss(15)).epsilon(1e-9));
}

TEST_CASE("pricing: FFT refuses a lattice too short, and tilting shows the tail it misses") {
  const auto masses =
      discretise(*gamma_severity(2, 0.5), Discretisation::rounding, 60, 0.5);  // 120 points
  const auto exact = panjer(poisson(10), masses, 0.5, 2048, 0);
  // 128 points hold only part of the mass: untilted, the rest wraps round onto the low
  // points (the mean shows it); tilted, what wraps is cut by exp(-0.2 * 128) and the tail
  // beyond the lattice is missing from the total, which the refusal names.
  CHECK_THROWS_AS(aggregate_fft(poisson(10), masses, 0.5, 128), AccuracyError);
  double beyond = 0;
  for (std::size_t k = 128; k < exact.masses.size(); ++k) beyond += exact.masses[k];
  try {
    aggregate_fft(poisson(10), masses, 0.5, 128, 0.2);
    FAIL("no refusal");
  } catch (const AccuracyError& error) {
    INFO(error.what());
    CHECK(error.missing_mass() == Approx(beyond).epsilon(1e-6));
  }
  const auto padded = aggregate_fft(poisson(10), masses, 0.5, 2048);
  double padded_error = 0;
  for (std::size_t k = 0; k < 60; ++k)
    padded_error = std::max(padded_error, std::abs(padded.masses[k] - exact.masses[k]));
  INFO("padded " << padded_error);
  CHECK(padded_error < 1e-12);
}
