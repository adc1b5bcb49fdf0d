// Loss distributions for pricing (computed in double: pricing hands Money to the ledger
// only at the end, rounded by rule). Parameterisations follow R actuar / stats so that
// results can be checked against them on the same inputs.
#pragma once

#include <array>
#include <complex>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace backstop::pricing {

// A claim severity: a non-negative continuous (or empirical) distribution.
class Severity {
 public:
  virtual ~Severity() = default;
  virtual double pdf(double x) const = 0;
  virtual double cdf(double x) const = 0;
  virtual double quantile(double p) const;  // by bisection unless overridden
  virtual double mean() const = 0;
  // E[min(X, d)], the limited expected value (actuar's lev* functions).
  virtual double limited_expected_value(double d) const = 0;
  virtual double sample(std::mt19937_64& random) const {
    return quantile(std::uniform_real_distribution<double>(0, 1)(random));
  }
  virtual std::string name() const = 0;
  // E[X^order] for order >= 1, each distribution's closed form; std::domain_error where the
  // moment is infinite (a Pareto's from its shape on) or beyond a double.
  double raw_moment(int order) const;

 private:
  // The closed form; infinity where the moment does not exist.
  virtual double closed_form_moment(int order) const = 0;
};

std::unique_ptr<Severity> lognormal(double meanlog, double sdlog);
std::unique_ptr<Severity> gamma_severity(double shape, double rate);
std::unique_ptr<Severity> pareto(double shape,
                                 double scale);  // actuar: F = 1 - (scale / (x + scale))^shape
std::unique_ptr<Severity> weibull(double shape, double scale);
std::unique_ptr<Severity> exponential(double rate);
std::unique_ptr<Severity> empirical(std::vector<double> observations);

// The claim-count families. Every computation on a count switches over this, naming each
// family, so that no family can fall through to another's formulas.
enum class FrequencyFamily { poisson, negative_binomial, binomial, logarithmic };

// A claim count in the (a, b, 0) class, p(k) = (a + b / k) p(k - 1) for k >= 1, which Panjer
// needs; zero-modified, or logarithmic, it is in the (a, b, 1) class, where the recursion holds
// from k = 2. Make one with the functions below: they set the derived fields consistently.
struct Frequency {
  FrequencyFamily family = FrequencyFamily::poisson;
  // The family's parameters as R names them: lambda (Poisson); size and prob (negative
  // binomial, binomial); prob (logarithmic).
  double lambda = 0;
  double size = 0;
  double prob = 0;
  // Derived from the family and its parameters.
  double a = 0;
  double b = 0;
  double p0 = 0;  // P(N = 0) before any zero-modification
  double mean = 0;
  double variance = 0;
  // Zero-modified (the (a, b, 1) class): P(N = 0) becomes this, the rest scaled to fit.
  // Negative when not modified. A logarithmic count, which has no zero, is held as modified
  // to 0, so that Panjer takes it by the (a, b, 1) recursion it belongs to.
  double p0_modified = -1;

  // The probability generating function P(z) = E[z^N], where its series converges (else
  // std::domain_error). The complex one is what FFT evaluates on the unit circle.
  double pgf(double z) const;
  std::complex<double> pgf(std::complex<double> z) const;
  double pmf(int k) const;
  // E[N], Var[N] and E[(N - E[N])^3], exact from the family's formulas (a zero-modified
  // count's from its pmf's moments, which are the family's scaled).
  std::array<double, 3> cumulants() const;
  int sample(std::mt19937_64& random) const;
};

// Refuses (std::invalid_argument) a count no constructor here would make: a family outside
// the enumeration, parameters out of range, a and b not the family's, P(N = 0) not below 1.
void check_frequency(const Frequency& frequency);

Frequency poisson(double lambda);
Frequency negative_binomial(double size,
                            double prob);  // R's (size, prob): mean size (1 - prob) / prob
Frequency binomial(int size, double prob);
// actuar's logarithmic: p(k) = prob^k / (-k log(1 - prob)) for k >= 1.
Frequency logarithmic(double prob);
// The zero-modified version of `base` with P(N = 0) = p0 (actuar's p0 argument; 0 gives the
// zero-truncated count). Modifying a modified count replaces its modification.
Frequency zero_modified(Frequency base, double p0);

}  // namespace backstop::pricing
