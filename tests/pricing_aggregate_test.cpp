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

// The largest relative error over the masses at or above `floor`.
double worst_relative_error(const std::vector<double>& ours, const std::vector<double>& theirs,
                            double floor) {
  double worst = 0;
  for (std::size_t k = 0; k < theirs.size(); ++k) {
    if (theirs[k] < floor) continue;
    const double mine = k < ours.size() ? ours[k] : 0;
    worst = std::max(worst, std::abs(mine - theirs[k]) / theirs[k]);
  }
  return worst;
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
