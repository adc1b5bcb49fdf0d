#include "pricing/distributions.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace backstop::pricing {
namespace {

constexpr double pi = 3.14159265358979323846;

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// The regularised lower incomplete gamma function P(s, x) (series, or continued fraction).
double incomplete_gamma(double s, double x) {
  if (x <= 0) return 0;
  if (x < s + 1) {
    double term = 1 / s, sum = term;
    for (int n = 1; n < 10'000; ++n) {
      term *= x / (s + n);
      sum += term;
      if (std::abs(term) < std::abs(sum) * 1e-17) break;
    }
    return sum * std::exp(-x + s * std::log(x) - std::lgamma(s));
  }
  // Lentz's continued fraction for Q(s, x).
  double b = x + 1 - s, c = 1e300, d = 1 / b, h = d;
  for (int i = 1; i < 10'000; ++i) {
    const double an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (std::abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1) < 1e-16) break;
  }
  return 1 - std::exp(-x + s * std::log(x) - std::lgamma(s)) * h;
}

class LogNormal final : public Severity {
 public:
  LogNormal(double mu, double sigma) : mu_(mu), sigma_(sigma) {}
  double pdf(double x) const override {
    if (x <= 0) return 0;
    const double z = (std::log(x) - mu_) / sigma_;
    return std::exp(-0.5 * z * z) / (x * sigma_ * std::sqrt(2 * pi));
  }
  double cdf(double x) const override {
    return x <= 0 ? 0 : normal_cdf((std::log(x) - mu_) / sigma_);
  }
  double mean() const override { return std::exp(mu_ + 0.5 * sigma_ * sigma_); }
  double limited_expected_value(double d) const override {
    if (d <= 0) return 0;
    const double z = (std::log(d) - mu_) / sigma_;
    return mean() * normal_cdf(z - sigma_) + d * (1 - normal_cdf(z));
  }
  std::string name() const override { return "lognormal"; }

 private:
  double closed_form_moment(int order) const override {
    return std::exp(order * mu_ + 0.5 * order * order * sigma_ * sigma_);
  }
  double mu_, sigma_;
};

class Gamma final : public Severity {
 public:
  Gamma(double shape, double rate) : shape_(shape), rate_(rate) {}
  double pdf(double x) const override {
    if (x <= 0) return 0;
    return std::exp(shape_ * std::log(rate_) + (shape_ - 1) * std::log(x) - rate_ * x -
                    std::lgamma(shape_));
  }
  double cdf(double x) const override { return incomplete_gamma(shape_, rate_ * x); }
  double mean() const override { return shape_ / rate_; }
  double limited_expected_value(double d) const override {
    if (d <= 0) return 0;
    return mean() * incomplete_gamma(shape_ + 1, rate_ * d) + d * (1 - cdf(d));
  }
  std::string name() const override { return "gamma"; }

 private:
  double closed_form_moment(int order) const override {
    double moment = 1;  // shape (shape + 1) ... (shape + order - 1) / rate^order
    for (int i = 0; i < order; ++i) moment *= (shape_ + i) / rate_;
    return moment;
  }
  double shape_, rate_;
};

class Pareto final : public Severity {
 public:
  Pareto(double shape, double scale) : alpha_(shape), theta_(scale) {}
  double pdf(double x) const override {
    return x < 0 ? 0 : alpha_ * std::pow(theta_, alpha_) / std::pow(x + theta_, alpha_ + 1);
  }
  double cdf(double x) const override {
    return x <= 0 ? 0 : 1 - std::pow(theta_ / (x + theta_), alpha_);
  }
  double quantile(double p) const override { return theta_ * (std::pow(1 - p, -1 / alpha_) - 1); }
  double mean() const override { return alpha_ > 1 ? theta_ / (alpha_ - 1) : INFINITY; }
  double limited_expected_value(double d) const override {
    if (d <= 0) return 0;
    if (alpha_ == 1) return -theta_ * std::log(theta_ / (d + theta_));
    return theta_ / (alpha_ - 1) * (1 - std::pow(theta_ / (d + theta_), alpha_ - 1));
  }
  std::string name() const override { return "pareto"; }

 private:
  double closed_form_moment(int order) const override {
    if (order >= alpha_) return INFINITY;  // the integral of x^order f(x) diverges
    // order! theta^order / ((shape - 1) ... (shape - order))
    double moment = 1;
    for (int i = 1; i <= order; ++i) moment *= i * theta_ / (alpha_ - i);
    return moment;
  }
  double alpha_, theta_;
};

class Weibull final : public Severity {
 public:
  Weibull(double shape, double scale) : k_(shape), lambda_(scale) {}
  double pdf(double x) const override {
    if (x < 0) return 0;
    return k_ / lambda_ * std::pow(x / lambda_, k_ - 1) * std::exp(-std::pow(x / lambda_, k_));
  }
  double cdf(double x) const override {
    return x <= 0 ? 0 : 1 - std::exp(-std::pow(x / lambda_, k_));
  }
  double quantile(double p) const override { return lambda_ * std::pow(-std::log(1 - p), 1 / k_); }
  double mean() const override { return lambda_ * std::tgamma(1 + 1 / k_); }
  double limited_expected_value(double d) const override {
    if (d <= 0) return 0;
    const double u = std::pow(d / lambda_, k_);
    return lambda_ * std::tgamma(1 + 1 / k_) * incomplete_gamma(1 + 1 / k_, u) + d * std::exp(-u);
  }
  std::string name() const override { return "weibull"; }

 private:
  double closed_form_moment(int order) const override {
    return std::pow(lambda_, order) * std::tgamma(1 + order / k_);
  }
  double k_, lambda_;
};

class Exponential final : public Severity {
 public:
  explicit Exponential(double rate) : rate_(rate) {}
  double pdf(double x) const override { return x < 0 ? 0 : rate_ * std::exp(-rate_ * x); }
  double cdf(double x) const override { return x <= 0 ? 0 : 1 - std::exp(-rate_ * x); }
  double quantile(double p) const override { return -std::log(1 - p) / rate_; }
  double mean() const override { return 1 / rate_; }
  double limited_expected_value(double d) const override {
    return d <= 0 ? 0 : (1 - std::exp(-rate_ * d)) / rate_;
  }
  std::string name() const override { return "exponential"; }

 private:
  double closed_form_moment(int order) const override {
    double moment = 1;  // order! / rate^order
    for (int i = 1; i <= order; ++i) moment *= i / rate_;
    return moment;
  }
  double rate_;
};

class Empirical final : public Severity {
 public:
  explicit Empirical(std::vector<double> values) : values_(std::move(values)) {
    if (values_.empty())
      throw std::invalid_argument("an empirical distribution needs observations");
    std::sort(values_.begin(), values_.end());
  }
  double pdf(double) const override { return 0; }  // no density: the distribution is discrete
  double cdf(double x) const override {
    return static_cast<double>(std::upper_bound(values_.begin(), values_.end(), x) -
                               values_.begin()) /
           static_cast<double>(values_.size());
  }
  double quantile(double p) const override {
    const auto index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values_.size())));
    return values_[std::min(values_.size() - 1, index == 0 ? 0 : index - 1)];
  }
  double mean() const override {
    return std::accumulate(values_.begin(), values_.end(), 0.0) /
           static_cast<double>(values_.size());
  }
  double limited_expected_value(double d) const override {
    double sum = 0;
    for (double v : values_) sum += std::min(v, d);
    return sum / static_cast<double>(values_.size());
  }
  double sample(std::mt19937_64& random) const override {
    return values_[std::uniform_int_distribution<std::size_t>(0, values_.size() - 1)(random)];
  }
  std::string name() const override { return "empirical"; }

 private:
  double closed_form_moment(int order) const override {
    double sum = 0;
    for (double v : values_) sum += std::pow(v, order);
    return sum / static_cast<double>(values_.size());
  }
  std::vector<double> values_;
};

void require_positive(double value, const char* what) {
  if (!(value > 0) || !std::isfinite(value))
    throw std::invalid_argument(std::string(what) + " must be positive and finite");
}

}  // namespace

double Severity::quantile(double p) const {
  if (!(p >= 0 && p < 1)) throw std::invalid_argument("a quantile needs 0 <= p < 1");
  double low = 0, high = 1;
  while (cdf(high) < p) high *= 2;
  for (int i = 0; i < 200 && high - low > 1e-12 * high; ++i) {
    const double middle = 0.5 * (low + high);
    (cdf(middle) < p ? low : high) = middle;
  }
  return 0.5 * (low + high);
}

double Severity::raw_moment(int order) const {
  if (order < 1) throw std::invalid_argument("a raw moment needs an order of at least 1");
  const double moment = closed_form_moment(order);
  if (!std::isfinite(moment))
    throw std::domain_error("the " + name() + " severity's moment of order " +
                            std::to_string(order) + " is infinite or beyond a double");
  return moment;
}

std::unique_ptr<Severity> lognormal(double meanlog, double sdlog) {
  require_positive(sdlog, "sdlog");
  return std::make_unique<LogNormal>(meanlog, sdlog);
}
std::unique_ptr<Severity> gamma_severity(double shape, double rate) {
  require_positive(shape, "shape");
  require_positive(rate, "rate");
  return std::make_unique<Gamma>(shape, rate);
}
std::unique_ptr<Severity> pareto(double shape, double scale) {
  require_positive(shape, "shape");
  require_positive(scale, "scale");
  return std::make_unique<Pareto>(shape, scale);
}
std::unique_ptr<Severity> weibull(double shape, double scale) {
  require_positive(shape, "shape");
  require_positive(scale, "scale");
  return std::make_unique<Weibull>(shape, scale);
}
std::unique_ptr<Severity> exponential(double rate) {
  require_positive(rate, "rate");
  return std::make_unique<Exponential>(rate);
}
std::unique_ptr<Severity> empirical(std::vector<double> observations) {
  return std::make_unique<Empirical>(std::move(observations));
}

namespace {

[[noreturn]] void unknown_family() {
  throw std::invalid_argument("a claim count's family is none that pricing knows");
}

// The recursion's a and b for the unmodified family (Klugman, Panjer and Willmot, table 6.1;
// actuar's panjer() uses the same).
std::pair<double, double> recursion(const Frequency& n) {
  switch (n.family) {
    case FrequencyFamily::poisson:
      return {0, n.lambda};
    case FrequencyFamily::negative_binomial:
      return {1 - n.prob, (n.size - 1) * (1 - n.prob)};
    case FrequencyFamily::binomial: {
      const double ratio = n.prob / (1 - n.prob);
      return {-ratio, (n.size + 1) * ratio};
    }
    case FrequencyFamily::logarithmic:
      return {n.prob, -n.prob};
  }
  unknown_family();
}

// Refuses a count that no function here would make (its fields are public): a family outside
// the enumeration, parameters out of range, a recursion that is not the family's (Panjer reads
// a and b as they are), or a modification that is no probability.
void check(const Frequency& n) {
  bool valid = false;
  switch (n.family) {
    case FrequencyFamily::poisson:
      valid = n.lambda > 0 && std::isfinite(n.lambda);
      break;
    case FrequencyFamily::negative_binomial:
      valid = n.size > 0 && std::isfinite(n.size) && n.prob > 0 && n.prob < 1;
      break;
    case FrequencyFamily::binomial:
      valid = n.size >= 1 && n.size <= std::numeric_limits<int>::max() &&
              n.size == std::floor(n.size) && n.prob > 0 && n.prob < 1;
      break;
    case FrequencyFamily::logarithmic:
      // Unmodified, Panjer would start it by the (a, b, 0) recursion and lose its p(1).
      valid = n.prob > 0 && n.prob < 1 && n.p0_modified >= 0;
      break;
  }
  if (!valid) throw std::invalid_argument("a claim count's family or parameters are not valid");
  if (recursion(n) != std::pair{n.a, n.b})
    throw std::invalid_argument("a claim count's a and b are not its family's");
  if (!(n.p0_modified < 1)) throw std::invalid_argument("a count's P(N = 0) must be below 1");
}

// P(N = 0) of the unmodified family, and 1 - P(N = 0) without the cancellation of subtracting
// it from 1 (which loses every digit for a count that is almost always zero).
double base_p0(const Frequency& n) {
  switch (n.family) {
    case FrequencyFamily::poisson:
      return std::exp(-n.lambda);
    case FrequencyFamily::negative_binomial:
      return std::exp(n.size * std::log(n.prob));
    case FrequencyFamily::binomial:
      return std::exp(n.size * std::log1p(-n.prob));
    case FrequencyFamily::logarithmic:
      return 0;
  }
  unknown_family();
}

double base_p_positive(const Frequency& n) {
  switch (n.family) {
    case FrequencyFamily::poisson:
      return -std::expm1(-n.lambda);
    case FrequencyFamily::negative_binomial:
      return -std::expm1(n.size * std::log(n.prob));
    case FrequencyFamily::binomial:
      return -std::expm1(n.size * std::log1p(-n.prob));
    case FrequencyFamily::logarithmic:
      return 1;
  }
  unknown_family();
}

// log P(N = k), k >= 0, of the unmodified family: in logs, so that no factor underflows on its
// own (exp(-lambda) does beyond lambda = 745, where P(N = lambda) does not).
double base_log_pmf(const Frequency& n, int k) {
  const double x = k;
  switch (n.family) {
    case FrequencyFamily::poisson:
      return x * std::log(n.lambda) - n.lambda - std::lgamma(x + 1);
    case FrequencyFamily::negative_binomial:
      return std::lgamma(x + n.size) - std::lgamma(n.size) - std::lgamma(x + 1) +
             n.size * std::log(n.prob) + x * std::log1p(-n.prob);
    case FrequencyFamily::binomial:
      if (x > n.size) return -INFINITY;
      return std::lgamma(n.size + 1) - std::lgamma(x + 1) - std::lgamma(n.size - x + 1) +
             x * std::log(n.prob) + (n.size - x) * std::log1p(-n.prob);
    case FrequencyFamily::logarithmic:
      if (k == 0) return -INFINITY;
      return x * std::log(n.prob) - std::log(x) - std::log(-std::log1p(-n.prob));
  }
  unknown_family();
}

// The largest count the family can take (a bound for sampling).
double last_point(const Frequency& n) {
  switch (n.family) {
    case FrequencyFamily::poisson:
    case FrequencyFamily::negative_binomial:
    case FrequencyFamily::logarithmic:
      return INFINITY;
    case FrequencyFamily::binomial:
      return n.size;
  }
  unknown_family();
}

// z^exponent by squaring: the binomial's pgf is a polynomial, so for complex z it needs no
// branch of a complex logarithm.
template <typename Z>
Z integer_power(Z z, long exponent) {
  Z out = 1;
  for (; exponent > 0; exponent >>= 1, z *= z) {
    if (exponent & 1) out *= z;
  }
  return out;
}

// log(1 - w): log1p on the real line, where it keeps the digits of a small w.
double log_one_minus(double w) { return std::log1p(-w); }
std::complex<double> log_one_minus(std::complex<double> w) { return std::log(1.0 - w); }

// E[z^N] of the unmodified family, for real z (Panjer's P[S = 0]) and complex z (FFT).
template <typename Z>
Z base_pgf(const Frequency& n, Z z) {
  switch (n.family) {
    case FrequencyFamily::poisson:
      return std::exp(n.lambda * (z - 1.0));
    case FrequencyFamily::negative_binomial:
      // Where the series converges, 1 - (1 - prob) z has a positive real part, so the
      // principal power is the pgf; beyond, the formula is not the series' value.
      if (!(std::abs(z) * (1 - n.prob) < 1))
        throw std::domain_error("a negative binomial's pgf diverges at |z| >= 1 / (1 - prob)");
      return std::pow(n.prob / (1.0 - (1 - n.prob) * z), n.size);
    case FrequencyFamily::binomial:
      return integer_power(1.0 + n.prob * (z - 1.0), static_cast<long>(n.size));
    case FrequencyFamily::logarithmic:
      // Where the series converges, 1 - prob z has a positive real part (principal logarithm).
      if (!(std::abs(z) * n.prob < 1))
        throw std::domain_error("a logarithmic count's pgf diverges at |z| >= 1 / prob");
      return log_one_minus(n.prob * z) / std::log1p(-n.prob);
  }
  unknown_family();
}

template <typename Z>
Z frequency_pgf(const Frequency& n, Z z) {
  check(n);
  if (!std::isfinite(std::abs(z))) throw std::domain_error("a pgf needs a finite argument");
  const Z base = base_pgf(n, z);
  if (n.p0_modified < 0) return base;
  // The (a, b, 1) count: p0_modified at zero, the base's positive counts scaled to the rest.
  return n.p0_modified + (1 - n.p0_modified) * (base - base_p0(n)) / base_p_positive(n);
}

// E[N], Var[N] and E[(N - E[N])^3] of the unmodified family.
std::array<double, 3> base_cumulants(const Frequency& n) {
  switch (n.family) {
    case FrequencyFamily::poisson:
      return {n.lambda, n.lambda, n.lambda};
    case FrequencyFamily::negative_binomial: {
      const double mean = n.size * (1 - n.prob) / n.prob, variance = mean / n.prob;
      return {mean, variance, variance * (2 - n.prob) / n.prob};
    }
    case FrequencyFamily::binomial: {
      const double mean = n.size * n.prob, variance = mean * (1 - n.prob);
      return {mean, variance, variance * (1 - 2 * n.prob)};
    }
    case FrequencyFamily::logarithmic: {
      // E[N^j] = sum k^(j - 1) prob^k / L, L = -log(1 - prob): prob / ((1 - prob) L),
      // prob / ((1 - prob)^2 L), prob (1 + prob) / ((1 - prob)^3 L).
      const double q = 1 - n.prob, m1 = n.prob / q / -std::log1p(-n.prob), m2 = m1 / q,
                   m3 = m2 * (1 + n.prob) / q;
      return {m1, m2 - m1 * m1, m3 - 3 * m1 * m2 + 2 * m1 * m1 * m1};
    }
  }
  unknown_family();
}

// A count of the family with the derived fields set from its parameters and modification.
Frequency make(Frequency n) {
  std::tie(n.a, n.b) = recursion(n);
  check(n);
  n.p0 = base_p0(n);
  const auto cumulants = n.cumulants();
  n.mean = cumulants[0];
  n.variance = cumulants[1];
  return n;
}

}  // namespace

double Frequency::pgf(double z) const { return frequency_pgf(*this, z); }

std::complex<double> Frequency::pgf(std::complex<double> z) const {
  return frequency_pgf(*this, z);
}

double Frequency::pmf(int k) const {
  check(*this);
  if (k < 0) return 0;
  const double base = std::exp(base_log_pmf(*this, k));
  if (p0_modified < 0) return base;
  return k == 0 ? p0_modified : (1 - p0_modified) * base / base_p_positive(*this);
}

std::array<double, 3> Frequency::cumulants() const {
  check(*this);
  const auto [base_mean, base_variance, base_third] = base_cumulants(*this);
  if (p0_modified < 0) return {base_mean, base_variance, base_third};
  // The modified pmf is c p(k) for k >= 1 with c = (1 - p0_modified) / (1 - p0): the family
  // with weight c and a point at zero with weight 1 - c (negative when c > 1, as for the
  // zero-truncated count; the moments are the same sums). Central moments of that mixture:
  const double c = (1 - p0_modified) / base_p_positive(*this);
  const double d = (p0_modified - base_p0(*this)) / base_p_positive(*this);  // 1 - c
  const double m = base_mean;
  return {c * m, c * base_variance + c * d * m * m,
          c * base_third + 3 * c * d * m * base_variance + c * d * (1 - 2 * c) * m * m * m};
}

int Frequency::sample(std::mt19937_64& random) const {
  check(*this);
  // Inversion on p(k + 1) = (a + b / (k + 1)) p(k), which holds from p(1) on in the (a, b, 1)
  // class (from p(0) on in the (a, b, 0) class, where p(1) is the same by either way).
  double u = std::uniform_real_distribution<double>(0, 1)(random);
  double p = pmf(0), covered = p;
  int k = 0;
  while (u > p) {
    if (k >= last_point(*this)) return k;  // u beyond the total mass only by rounding
    u -= p;
    const double next = k == 0 ? pmf(1) : p * (a + b / (k + 1));
    if (!(next > 0)) {
      // Past all but rounding's share of the mass, the rest is that rounding; short of it, a
      // probability underflowed (a huge mean) and inversion from zero cannot go on.
      if (covered > 1 - 1e-12) return k;
      throw std::domain_error("this claim count's probabilities underflow: it cannot be sampled");
    }
    p = next;
    covered += p;
    ++k;
  }
  return k;
}

void check_frequency(const Frequency& frequency) { check(frequency); }

Frequency poisson(double lambda) {
  require_positive(lambda, "lambda");
  return make({.family = FrequencyFamily::poisson, .lambda = lambda});
}

Frequency negative_binomial(double size, double prob) {
  require_positive(size, "size");
  if (!(prob > 0 && prob < 1)) throw std::invalid_argument("prob must be in (0, 1)");
  return make({.family = FrequencyFamily::negative_binomial, .size = size, .prob = prob});
}

Frequency binomial(int size, double prob) {
  if (size < 1) throw std::invalid_argument("size must be at least 1");
  if (!(prob > 0 && prob < 1)) throw std::invalid_argument("prob must be in (0, 1)");
  return make(
      {.family = FrequencyFamily::binomial, .size = static_cast<double>(size), .prob = prob});
}

Frequency logarithmic(double prob) {
  if (!(prob > 0 && prob < 1)) throw std::invalid_argument("prob must be in (0, 1)");
  return make({.family = FrequencyFamily::logarithmic, .prob = prob, .p0_modified = 0});
}

Frequency zero_modified(Frequency base, double p0) {
  if (!(p0 >= 0 && p0 < 1)) throw std::invalid_argument("p0 must be in [0, 1)");
  // The moments follow from the family's own, so modifying a modified count replaces it.
  base.p0_modified = p0;
  return make(base);
}

}  // namespace backstop::pricing
