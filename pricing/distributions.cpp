#include "pricing/distributions.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>
#include <stdexcept>

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

double Frequency::pgf(double z) const {
  if (p0_modified >= 0) {
    Frequency base = *this;
    base.p0_modified = -1;
    return p0_modified + (1 - p0_modified) / (1 - p0) * (base.pgf(z) - p0);
  }
  if (name == "poisson") return std::exp(b * (z - 1));
  if (a > 0) {  // negative binomial: (p / (1 - (1 - p) z))^r with a = 1 - p, b = (r - 1)(1 - p)
    const double prob = 1 - a;
    const double size = b / a + 1;
    return std::pow(prob / (1 - a * z), size);
  }
  // binomial: (1 + q (z - 1))^m with a = -q / (1 - q), b = (m + 1) q / (1 - q)
  const double q = -a / (1 - a);
  const double m = b / (q / (1 - q)) - 1;
  return std::pow(1 + q * (z - 1), m);
}

double Frequency::pmf(int k) const {
  if (k < 0) return 0;
  if (p0_modified >= 0 && k == 0) return p0_modified;
  double p = p0;
  for (int i = 1; i <= k; ++i) p *= a + b / i;
  if (p0_modified >= 0) p *= (1 - p0_modified) / (1 - p0);
  return std::max(0.0, p);
}

int Frequency::sample(std::mt19937_64& random) const {
  // Inversion on the (a, b, 0) recursion: exact for every member of the class.
  double u = std::uniform_real_distribution<double>(0, 1)(random);
  if (p0_modified >= 0) {
    if (u <= p0_modified) return 0;
    Frequency base = *this;
    base.p0_modified = -1;
    // The rest of the mass follows the base distribution conditioned on N > 0.
    int k;
    do {
      k = base.sample(random);
    } while (k == 0);
    return k;
  }
  double p = p0;
  int k = 0;
  while (u > p && k < 10'000'000) {
    u -= p;
    ++k;
    p *= a + b / k;
    if (p <= 0) break;
  }
  return k;
}

Frequency poisson(double lambda) {
  require_positive(lambda, "lambda");
  return Frequency{"poisson", 0, lambda, std::exp(-lambda), lambda, lambda};
}

Frequency negative_binomial(double size, double prob) {
  require_positive(size, "size");
  if (!(prob > 0 && prob < 1)) throw std::invalid_argument("prob must be in (0, 1)");
  const double mean = size * (1 - prob) / prob;
  return Frequency{"negative_binomial",  1 - prob, (size - 1) * (1 - prob),
                   std::pow(prob, size), mean,     mean / prob};
}

Frequency zero_modified(Frequency base, double p0) {
  if (!(p0 >= 0 && p0 < 1)) throw std::invalid_argument("p0 must be in [0, 1)");
  const double scale = (1 - p0) / (1 - base.p0);
  const double second_moment = base.variance + base.mean * base.mean;
  base.name = "zero_modified_" + base.name;
  base.mean *= scale;
  base.variance = scale * second_moment - base.mean * base.mean;
  base.p0_modified = p0;
  return base;
}

Frequency binomial(int size, double prob) {
  if (size < 1) throw std::invalid_argument("size must be at least 1");
  if (!(prob > 0 && prob < 1)) throw std::invalid_argument("prob must be in (0, 1)");
  const double ratio = prob / (1 - prob);
  return Frequency{"binomial",         -ratio,
                   (size + 1) * ratio, std::pow(1 - prob, size),
                   size * prob,        size * prob * (1 - prob)};
}

}  // namespace backstop::pricing
