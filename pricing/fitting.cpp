#include "pricing/fitting.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

#include "pricing/distributions.hpp"

namespace backstop::pricing {
namespace {

double D(std::size_t n) { return static_cast<double>(n); }

double digamma(double x) {
  double result = 0;
  while (x < 6) result -= 1 / x, x += 1;
  const double f = 1 / (x * x);
  return result + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

double trigamma(double x) {
  double result = 0;
  while (x < 6) result += 1 / (x * x), x += 1;
  const double f = 1 / (x * x);
  return result + 1 / x + f / 2 + f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f / 30)));
}

// The root of an increasing-or-decreasing function on [low, high] by bisection.
double bisect(const std::function<double(double)>& f, double low, double high) {
  double f_low = f(low);
  for (int i = 0; i < 300 && high - low > 1e-15 * std::max(1.0, std::abs(high)); ++i) {
    const double middle = 0.5 * (low + high);
    const double f_middle = f(middle);
    if ((f_middle > 0) == (f_low > 0))
      low = middle, f_low = f_middle;
    else
      high = middle;
  }
  return 0.5 * (low + high);
}

// The maximum of a unimodal function on [low, high] by golden-section search.
double golden_maximum(const std::function<double(double)>& f, double low, double high) {
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double a = low, b = high, c = b - ratio * (b - a), d = a + ratio * (b - a);
  double fc = f(c), fd = f(d);
  for (int i = 0; i < 400 && b - a > 1e-13 * std::max(1.0, std::abs(b)); ++i) {
    if (fc > fd)
      b = d, d = c, fd = fc, c = b - ratio * (b - a), fc = f(c);
    else
      a = c, c = d, fc = fd, d = a + ratio * (b - a), fd = f(d);
  }
  return 0.5 * (a + b);
}

std::unique_ptr<Severity> make(const std::string& name, const std::vector<double>& p) {
  if (name == "lognormal") return lognormal(p[0], p[1]);
  if (name == "gamma") return gamma_severity(p[0], p[1]);
  if (name == "pareto") return pareto(p[0], p[1]);
  if (name == "weibull") return weibull(p[0], p[1]);
  return exponential(p[0]);
}

void score(SeverityFit& fit, std::vector<double> data) {
  for (double parameter : fit.parameters) {
    if (!std::isfinite(parameter) || parameter > 1e12)
      throw std::domain_error(fit.distribution + " does not fit these data (no finite maximum)");
  }
  const auto distribution = make(fit.distribution, fit.parameters);
  fit.log_likelihood = 0;
  for (double x : data) fit.log_likelihood += std::log(distribution->pdf(x));
  if (!std::isfinite(fit.log_likelihood))
    throw std::domain_error(fit.distribution + " gives the data zero likelihood");
  fit.aic = 2 * D(fit.parameters.size()) - 2 * fit.log_likelihood;
  std::sort(data.begin(), data.end());
  fit.ks_distance = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double f = distribution->cdf(data[i]);
    fit.ks_distance =
        std::max({fit.ks_distance, D(i + 1) / D(data.size()) - f, f - D(i) / D(data.size())});
  }
}

}  // namespace

SeverityFit fit_severity(const std::string& name, const std::vector<double>& data) {
  if (data.size() < 2) throw std::invalid_argument("fitting needs at least two observations");
  if (std::any_of(data.begin(), data.end(),
                  [](double x) { return !(x > 0) || !std::isfinite(x); })) {
    throw std::invalid_argument("fitting needs positive, finite observations");
  }
  const double n = D(data.size());
  double mean = 0, mean_log = 0;
  for (double x : data) mean += x / n, mean_log += std::log(x) / n;
  SeverityFit fit;
  fit.distribution = name;
  if (name == "lognormal") {
    double variance = 0;
    for (double x : data) variance += (std::log(x) - mean_log) * (std::log(x) - mean_log) / n;
    fit.parameters = {mean_log, std::sqrt(variance)};
  } else if (name == "exponential") {
    fit.parameters = {1 / mean};
  } else if (name == "gamma") {
    // log k - digamma(k) = log(mean) - mean(log x), by Newton from the usual starting point.
    const double s = std::log(mean) - mean_log;
    double k = (3 - s + std::sqrt((s - 3) * (s - 3) + 24 * s)) / (12 * s);
    for (int i = 0; i < 100; ++i) {
      const double step = (std::log(k) - digamma(k) - s) / (1 / k - trigamma(k));
      k -= step;
      if (std::abs(step) < 1e-15 * k) break;
    }
    fit.parameters = {k, k / mean};
  } else if (name == "weibull") {
    const auto equation = [&](double k) {
      double numerator = 0, denominator = 0;
      for (double x : data)
        numerator += std::pow(x, k) * std::log(x), denominator += std::pow(x, k);
      return numerator / denominator - 1 / k - mean_log;
    };
    const double k = bisect(equation, 1e-3, 100);
    double sum = 0;
    for (double x : data) sum += std::pow(x, k) / n;
    fit.parameters = {k, std::pow(sum, 1 / k)};
  } else if (name == "pareto") {
    // For a given scale the shape is n / sum log(1 + x / scale): maximise the profile over log
    // scale.
    const auto shape_for = [&](double scale) {
      double sum = 0;
      for (double x : data) sum += std::log1p(x / scale);
      return n / sum;
    };
    const auto profile = [&](double log_scale) {
      const double scale = std::exp(log_scale);
      const double alpha = shape_for(scale);
      double ll = n * std::log(alpha) + n * alpha * std::log(scale);
      for (double x : data) ll -= (alpha + 1) * std::log(x + scale);
      return ll;
    };
    const double log_scale = golden_maximum(profile, std::log(mean) - 15, std::log(mean) + 15);
    fit.parameters = {shape_for(std::exp(log_scale)), std::exp(log_scale)};
  } else {
    throw std::invalid_argument("unknown distribution '" + name + "'");
  }
  score(fit, data);
  return fit;
}

std::vector<SeverityFit> fit_severities(const std::vector<double>& data) {
  std::vector<SeverityFit> out;
  for (const char* name : {"lognormal", "gamma", "pareto", "weibull", "exponential"}) {
    try {
      out.push_back(fit_severity(name, data));
    } catch (const std::domain_error&) {
      // e.g. a Pareto on light-tailed data: the likelihood grows without bound towards the
      // exponential
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.aic < b.aic; });
  return out;
}

std::vector<FrequencyFit> fit_frequencies(const std::vector<int>& counts) {
  if (counts.size() < 2) throw std::invalid_argument("fitting needs at least two counts");
  const double n = D(counts.size());
  double mean = 0, variance = 0;
  for (int k : counts) {
    if (k < 0) throw std::invalid_argument("counts must not be negative");
    mean += k / n;
  }
  for (int k : counts) variance += (k - mean) * (k - mean) / (n - 1);
  std::vector<FrequencyFit> out;
  FrequencyFit poisson_fit{"poisson", {mean}, 0, 0};
  for (int k : counts)
    poisson_fit.log_likelihood += k * std::log(mean) - mean - std::lgamma(k + 1.0);
  poisson_fit.aic = 2 - 2 * poisson_fit.log_likelihood;
  out.push_back(poisson_fit);
  if (variance > mean) {
    // Negative binomial: prob = size / (size + mean) at the optimum; maximise over log size.
    const auto log_likelihood = [&](double log_size) {
      const double size = std::exp(log_size);
      const double prob = size / (size + mean);
      double ll = 0;
      for (int k : counts)
        ll += std::lgamma(k + size) - std::lgamma(size) - std::lgamma(k + 1.0) +
              size * std::log(prob) + k * std::log1p(-prob);
      return ll;
    };
    const double log_size = golden_maximum(log_likelihood, -10, 15);
    const double size = std::exp(log_size);
    FrequencyFit negative{
        "negative_binomial", {size, size / (size + mean)}, log_likelihood(log_size), 0};
    negative.aic = 4 - 2 * negative.log_likelihood;
    out.push_back(negative);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.aic < b.aic; });
  return out;
}

}  // namespace backstop::pricing
