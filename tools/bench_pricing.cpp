// Benchmark driver for `scripts/bench pricing` (not a test). Times Panjer's recursion and
// FFT on the models that scripts/bench-pricing also times in R actuar (a small one and a
// large one, of 32,768 points), and Monte Carlo member-years per second of the fund model on
// one and on two threads.
#include <chrono>
#include <iostream>

#include "pricing/aggregate.hpp"
#include "pricing/fund_model.hpp"
#include "tools/fund_model_terms.hpp"

using namespace backstop::pricing;
using Clock = std::chrono::steady_clock;

namespace {

template <typename Work>
double milliseconds_per_run(int runs, Work&& work) {
  const auto start = Clock::now();
  for (int i = 0; i < runs; ++i) work();
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count() / runs;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  // The model: Poisson(20) claims of gamma(2, 1/500) cost, rounded on a span of 10 up to 20,000.
  const auto masses = discretise(*gamma_severity(2, 0.002), Discretisation::rounding, 20'000, 10);
  double sink = 0;
  const double panjer_ms = milliseconds_per_run(
      runs, [&] { sink += panjer(poisson(20), masses, 10, 4'000, 0).masses.back(); });
  const double fft_ms = milliseconds_per_run(
      runs, [&] { sink += aggregate_fft(poisson(20), masses, 10, 8'192).masses[100]; });
  std::cout << "panjer_ms " << panjer_ms << "\nfft_ms " << fft_ms << "\n";
  // The large model: Poisson(200) claims of the same severity, 32,768 points (the last
  // 2.5e-11 of the mass beyond them); FFT on the length its tail asks for at 1e-10.
  const double large_ms = milliseconds_per_run(
      runs, [&] { sink += panjer(poisson(200), masses, 10, 32'768, 0).masses.back(); });
  const std::size_t length = fft_length(poisson(200), masses, 1e-10);
  const double large_fft_ms = milliseconds_per_run(runs, [&] {
    sink += aggregate_fft(poisson(200), masses, 10, length, fft_tilt(length)).masses[100];
  });
  std::cout << "panjer_large_ms " << large_ms << "\nfft_large_ms " << large_fft_ms
            << "\nfft_large_points " << length << "\n";

  std::vector<MemberRisk> members;
  for (int i = 0; i < 200; ++i) {
    MemberRisk r;
    r.id = "M" + std::to_string(i);
    r.population = 25'000 + 2'800.0 * i;
    r.allocation = r.population * 1'200;
    members.push_back(r);
  }
  for (int threads : {1, 2}) {
    FundModel model(backstop::fund_model_terms(backstop::YearParameters{}));
    model.simulations = 10'000;
    model.threads = threads;
    const auto start = Clock::now();
    const auto result = simulate_year(model, members);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    sink += result.fund_outgo[0];
    std::cout << "member_years_per_second_threads_" << threads << " "
              << static_cast<long>(200.0 * model.simulations / seconds) << "\n";
  }
  std::cerr << "(checksum " << sink << ")\n";
  return 0;
}
