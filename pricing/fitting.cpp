#include "pricing/fitting.hpp"

#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

#include "pricing/distributions.hpp"

namespace backstop::pricing {
namespace {

double D(std::size_t n) { return static_cast<double>(n); }

// The root of a monotone `f` on [low, high] (TOMS 748, Boost.Math). Refuses, rather than
// return a point, when f does not change sign there or the search does not converge.
double root_in(const std::function<double(double)>& f, double low, double high, const char* what) {
  const double f_low = f(low), f_high = f(high);
  if (!std::isfinite(f_low) || !std::isfinite(f_high) || (f_low > 0) == (f_high > 0)) {
    throw std::domain_error(std::string(what) + ": no root between " + std::to_string(low) +
                            " and " + std::to_string(high));
  }
  std::uintmax_t iterations = 200;
  const auto [a, b] = boost::math::tools::toms748_solve(
      f, low, high, f_low, f_high, boost::math::tools::eps_tolerance<double>(50), iterations);
  if (iterations >= 200) throw std::domain_error(std::string(what) + ": did not converge");
  return 0.5 * (a + b);
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
    // log k - digamma(k) = log(mean) - mean(log x): decreasing in k, from +inf to 0.
    const double s = std::log(mean) - mean_log;
    const auto equation = [s](double k) { return std::log(k) - boost::math::digamma(k) - s; };
    const double k = root_in(equation, 1e-8, 1e8, "the gamma shape");
    fit.parameters = {k, k / mean};
  } else if (name == "weibull") {
    // In units of the largest observation, so that x^k cannot overflow (the equation and
    // the scale are the same in any unit).
    const double largest = *std::max_element(data.begin(), data.end());
    const auto equation = [&](double k) {
      double numerator = 0, denominator = 0;
      for (double x : data) {
        const double power = std::pow(x / largest, k);
        numerator += power * std::log(x), denominator += power;
      }
      return numerator / denominator - 1 / k - mean_log;
    };
    const double k = root_in(equation, 1e-3, 100, "the Weibull shape");
    double sum = 0;
    for (double x : data) sum += std::pow(x / largest, k) / n;
    fit.parameters = {k, largest * std::pow(sum, 1 / k)};
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
