// pricing/'s aggregate methods where their accuracy is at stake: long FFT lattices, large
// frequencies, and the checks by which each method refuses rather than return a figure it
// cannot vouch for. The figures are checked against R actuar on the same inputs
// (tests/oracle/actuar_aggregate_cases.R) or against exact moments.
#include <catch2/catch.hpp>
#include <cmath>
#include <complex>
#include <fstream>
#include <map>
#include <random>

#include "pricing/aggregate.hpp"
#include "tests/ledger_fixtures.hpp"
#include "tests/shell.hpp"

using namespace backstop::pricing;
using backstop::testing::shell;
using backstop::testing::TemporaryDirectory;

namespace {

using Oracle = std::map<std::string, std::vector<double>>;

const std::vector<double>& expected(const std::string& name) {
  static const Oracle cases = [] {
    TemporaryDirectory directory;
    const std::string file = directory.path() + "/oracle.txt";
    const auto run = shell("Rscript " + std::string(BACKSTOP_SOURCE_DIR) +
                           "/tests/oracle/actuar_aggregate_cases.R " + file);
    INFO(run.output);
    REQUIRE(run.exit_status == 0);
    Oracle out;
    std::ifstream in(file);
    std::string case_name;
    std::size_t index;
    double value;
    while (in >> case_name >> index >> value) {
      auto& values = out[case_name];
      REQUIRE(values.size() == index);
      values.push_back(value);
    }
    return out;
  }();
  auto found = cases.find(name);
  INFO("oracle case " << name);
  REQUIRE(found != cases.end());
  return found->second;
}

// The largest relative error over the masses at or above `floor` on both lattices (one may
// stop sooner than the other, each at its own tolerance).
double worst_relative_error(const std::vector<double>& ours, const std::vector<double>& theirs,
                            double floor) {
  double worst = 0;
  for (std::size_t k = 0; k < std::min(ours.size(), theirs.size()); ++k) {
    if (theirs[k] < floor) continue;
    worst = std::max(worst, std::abs(ours[k] - theirs[k]) / theirs[k]);
  }
  return worst;
}

// The mass `theirs` has beyond the end of `ours`.
double mass_beyond(const std::vector<double>& ours, const std::vector<double>& theirs) {
  double total = 0;
  for (std::size_t k = ours.size(); k < theirs.size(); ++k) total += theirs[k];
  return total;
}

}  // namespace

TEST_CASE("pricing: the FFT's inverse undoes it to rounding at 65,536 points") {
  const std::size_t n = 1 << 16;
  std::mt19937_64 random(5);
  std::normal_distribution<double> normal;
  std::vector<std::complex<double>> original(n);
  for (auto& value : original) value = {normal(random), normal(random)};
  auto data = original;
  fourier_transform(data, false);
  fourier_transform(data, true);
  double error = 0, size = 0;
  for (std::size_t k = 0; k < n; ++k) {
    error = std::max(error, std::abs(data[k] - original[k]));
    size = std::max(size, std::abs(original[k]));
  }
  INFO("round-trip error " << error / size << " relative to the largest value");
  CHECK(error / size < 1e-15);
}

TEST_CASE("pricing: FFT on 65,536 points agrees with actuar's recursion into the tail") {
  const auto& severity = expected("tail.severity");
  const auto& theirs = expected("tail.poisson20");
  const auto ours = aggregate_fft(poisson(20), severity, 10, 1 << 16);
  // The FFT's rounding is absolute, about 1e-16 of the largest mass (7e-4 here), so a mass
  // of 1e-12 can be right to some 1e-7 only; twiddles built by repeated multiplication
  // left 1e-6 at 1e-10 and 1e-4 at 1e-12.
  const double at_10 = worst_relative_error(ours.masses, theirs, 1e-10);
  const double at_12 = worst_relative_error(ours.masses, theirs, 1e-12);
  INFO("worst relative error: " << at_10 << " on masses >= 1e-10, " << at_12 << " >= 1e-12");
  CHECK(at_10 < 5e-8);
  CHECK(at_12 < 2e-6);
}

namespace {

// E[X^r] of masses on a lattice of span h.
double lattice_moment(const std::vector<double>& masses, double span, int r) {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k)
    total += std::pow(static_cast<double>(k) * span, r) * masses[k];
  return total;
}

double total_mass(const LatticeDistribution& s) {
  double total = 0;
  for (double mass : s.masses) total += mass;
  return total;
}

}  // namespace

TEST_CASE("pricing: Panjer's recursion starts where P(S = 0) is no double, against actuar") {
  const auto& severity = expected("large.severity");
  // At lambda = 700 actuar's own recursion still starts: compared over its whole length.
  const auto& at700 = expected("large.poisson700");
  const auto ours700 = panjer(poisson(700), severity, 0.5, at700.size(), 0);
  CHECK(worst_relative_error(ours700.masses, at700, 1e-300) < 1e-9);
  // Beyond, P(S = 0) is exp(-993) for Poisson(1000) and 0.6^1500 for the negative
  // binomial: actuar gives them as its lambda = 500 and size = 750 convolved with itself.
  const std::pair<const char*, Frequency> cases[] = {
      {"large.poisson1000", poisson(1000)},
      {"large.negative_binomial", negative_binomial(1500, 0.6)}};
  for (const auto& [name, frequency] : cases) {
    INFO(name);
    const auto& theirs = expected(name);
    const auto ours = panjer(frequency, severity, 0.5, 1 << 16, 1e-12);
    // Masses below 1e-280 are products of numbers near the smallest double on actuar's side.
    CHECK(worst_relative_error(ours.masses, theirs, 1e-280) < 1e-9);
    CHECK(mass_beyond(ours.masses, theirs) < 1e-12);
    CHECK(std::abs(total_mass(ours) - 1) < 1e-12);
    CHECK(ours.mean() == Approx(frequency.mean * lattice_moment(severity, 0.5, 1)).epsilon(1e-12));
  }
  // Zero-modified: Poisson(1000)'s own P(N = 0) is nil, so P(N = 0) = 0.2 and 0.8 of the rest.
  const auto& theirs = expected("large.poisson1000");
  const auto modified = panjer(zero_modified(poisson(1000), 0.2), severity, 0.5, 1 << 16, 1e-12);
  REQUIRE(!modified.masses.empty());
  CHECK(modified.masses[0] == Approx(0.2).epsilon(1e-14));
  std::vector<double> rest(modified.masses.begin() + 1, modified.masses.end());
  std::vector<double> theirs_rest;
  for (std::size_t k = 1; k < theirs.size(); ++k) theirs_rest.push_back(0.8 * theirs[k]);
  CHECK(worst_relative_error(rest, theirs_rest, 1e-280) < 1e-9);
}

TEST_CASE("pricing: Panjer on Poisson(1000) lognormal claims has the exact mean and variance") {
  // lognormal(8, 1) discretised by the unbiased method, span 500 up to 10^7 (where it loses
  // 1e-16 of its mass).
  const auto masses = discretise(*lognormal(8, 1), Discretisation::unbiased, 1e7, 500);
  const auto s = panjer(poisson(1000), masses, 500, 1 << 20, 1e-10);
  // Compound Poisson on the lattice: E[S] = lambda E[X], Var[S] = lambda E[X^2], and the
  // third central moment lambda E[X^3].
  const double mean = 1000 * lattice_moment(masses, 500, 1);
  const double variance = 1000 * lattice_moment(masses, 500, 2);
  INFO("mean " << s.mean() << " against " << mean);
  CHECK(s.mean() == Approx(mean).epsilon(1e-10));
  CHECK(lattice_moment(s.masses, 500, 2) - s.mean() * s.mean() == Approx(variance).epsilon(1e-8));
  CHECK(std::abs(total_mass(s) - 1) < 1e-10);
  // The normal-power approximation from the same moments, at loose tolerance: its own error
  // at this skewness (0.14) is under 1e-3.
  Moments moments{mean, variance, 1000 * lattice_moment(masses, 500, 3) / std::pow(variance, 1.5)};
  for (double p : {0.1, 0.5, 0.9, 0.99, 0.999}) {
    const double x = s.value_at_risk(p);
    INFO("p " << p << " VaR " << x << ": " << s.cdf(x) << " against "
              << normal_power_cdf(moments, x));
    CHECK(std::abs(s.cdf(x) - normal_power_cdf(moments, x)) < 2e-3);
  }
  // Cut off at 100,000 the severity's lattice lacks 1 - F(100,000) = 2.2e-4 of its mass;
  // a thousand claims make that exp(-0.22), a fifth of the aggregate: refused.
  const auto cut = discretise(*lognormal(8, 1), Discretisation::unbiased, 100'000, 100);
  try {
    panjer(poisson(1000), cut, 100, 1 << 20, 1e-10);
    FAIL("no refusal");
  } catch (const AccuracyError& error) {
    INFO(error.what());
    CHECK(error.missing_mass() ==
          Approx(1 - std::exp(-1000 * (1 - lognormal(8, 1)->cdf(100'000)))).epsilon(1e-6));
  }
}

TEST_CASE("pricing: Panjer refuses, naming the mass still missing, rather than stop short") {
  const auto masses = discretise(*gamma_severity(2, 0.5), Discretisation::rounding, 200, 0.5);
  // Its length runs out first: 40 points hold only part of Poisson(3)'s aggregate.
  const auto prefix = panjer(poisson(3), masses, 0.5, 40, 0);
  try {
    panjer(poisson(3), masses, 0.5, 40, 1e-10);
    FAIL("no refusal");
  } catch (const AccuracyError& error) {
    INFO(error.what());
    CHECK(error.missing_mass() == Approx(1 - total_mass(prefix)).epsilon(1e-9));
    CHECK(std::string(error.what()).find("40 points") != std::string::npos);
  }
  // The severity's lattice loses mass beyond the tolerance: a Pareto cut off at 60 by the
  // upper method keeps F(60) = 1 - (20 / 80)^3 of it, and the aggregate exp(-3 (20 / 80)^3).
  const auto cut = discretise(*pareto(3, 20), Discretisation::upper, 60, 0.5);
  try {
    panjer(poisson(3), cut, 0.5, 1 << 16, 1e-10);
    FAIL("no refusal");
  } catch (const AccuracyError& error) {
    INFO(error.what());
    CHECK(error.missing_mass() == Approx(1 - std::exp(-3 * std::pow(0.25, 3))).epsilon(1e-9));
  }
  // A tolerance finer than rounding allows: P(S = 0) = exp(-993) is known to some 1e-13
  // (relatively, as every mass after it), so the recursion stops gaining mass 2e-13 short of
  // 1, and says so there rather than run on to its maximum length.
  try {
    panjer(poisson(1000), masses, 0.5, 1 << 22, 1e-14);
    FAIL("no refusal");
  } catch (const AccuracyError& error) {
    INFO(error.what());
    CHECK(error.missing_mass() > 1e-14);
    CHECK(error.missing_mass() < 1e-12);
    CHECK(std::string(error.what()).find("stopped gaining mass") != std::string::npos);
  }
}

TEST_CASE("pricing: FFT's length comes from the aggregate's own tail, and tilting checks it") {
  const auto& severity = expected("large.severity");
  const auto& theirs = expected("large.poisson1000");
  // Eight times the severity's lattice (the length once chosen whatever the frequency) holds
  // 2,048 of Poisson(1000)'s 4,000 mean: the rest wraps round, and the result is refused.
  CHECK_THROWS_AS(aggregate_fft(poisson(1000), severity, 0.5, 4096), AccuracyError);
  CHECK_THROWS_AS(aggregate_fft(poisson(1000), severity, 0.5, 4096, fft_tilt(4096)), AccuracyError);
  // From the tail: a length past which Chernoff bounds leave under 1e-11 of the mass.
  const std::size_t length = fft_length(poisson(1000), severity, 1e-10);
  INFO("length " << length);
  CHECK(length >= 8192);
  CHECK(length <= 16384);
  const auto ours = aggregate_fft(poisson(1000), severity, 0.5, length, fft_tilt(length), 1e-10);
  CHECK(ours.mean() == Approx(1000 * lattice_moment(severity, 0.5, 1)).epsilon(1e-10));
  CHECK(std::abs(total_mass(ours) - 1) < 1e-10);
  // FFT's rounding is absolute, here some 1e-16 (exp(lambda (phi - 1)) multiplies phi's
  // rounding by lambda): masses of 1e-9 and more are right to some 1e-7.
  const double error = worst_relative_error(ours.masses, theirs, 1e-9);
  INFO("worst relative error " << error);
  CHECK(error < 5e-7);
  CHECK(mass_beyond(ours.masses, theirs) < 1e-10);
  // More points than allowed: refused, not truncated.
  CHECK_THROWS_AS(fft_length(poisson(1000), severity, 1e-10, 4096), AccuracyError);
}

TEST_CASE("pricing: FFT on Poisson(1000) lognormal claims agrees with Panjer and the exact mean") {
  const auto masses = discretise(*lognormal(8, 1), Discretisation::unbiased, 1e7, 500);
  const auto exact = panjer(poisson(1000), masses, 500, 1 << 20, 1e-12);
  const std::size_t length = fft_length(poisson(1000), masses, 1e-10);
  const auto ours = aggregate_fft(poisson(1000), masses, 500, length, fft_tilt(length), 1e-10);
  INFO("length " << length);
  CHECK(ours.mean() == Approx(1000 * lattice_moment(masses, 500, 1)).epsilon(1e-10));
  CHECK(std::abs(total_mass(ours) - 1) < 1e-10);
  const double error = worst_relative_error(ours.masses, exact.masses, 1e-9);
  INFO("worst relative error " << error);
  CHECK(error < 5e-7);
  for (double p : {0.5, 0.99, 0.995}) CHECK(ours.value_at_risk(p) == exact.value_at_risk(p));
  CHECK(ours.tail_value_at_risk(0.99) == Approx(exact.tail_value_at_risk(0.99)).epsilon(1e-9));
}

TEST_CASE("pricing: a zero-modified count with a tiny mean keeps every digit of its weight") {
  // P(N = 0) = exp(-1e-8) before the modification: 1 - P(N = 0) by subtraction keeps 8 of
  // its digits, and every mass past zero is scaled by (1 - p0M) / (1 - P(N = 0)).
  const double lambda = 1e-8;
  const auto masses = discretise(*gamma_severity(2, 0.5), Discretisation::rounding, 200, 0.5);
  const auto s = panjer(zero_modified(poisson(lambda), 0.5), masses, 0.5, 1 << 16, 1e-12);
  // P(S = h) = w P_base(S = h) = w lambda f_1 exp(-lambda (1 - f_0)) (one claim, of one span).
  const double w = 0.5 / -std::expm1(-lambda);
  REQUIRE(s.masses.size() > 1);
  CHECK(s.masses[1] ==
        Approx(w * lambda * masses[1] * std::exp(-lambda * (1 - masses[0]))).epsilon(1e-13));
}
