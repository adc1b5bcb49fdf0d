// Maximum-likelihood fitting of severities and claim counts, with goodness of fit
// (log-likelihood, AIC, Kolmogorov-Smirnov distance), checked against R on the same data.
#pragma once

#include <string>
#include <vector>

namespace backstop::pricing {

struct SeverityFit {
  std::string distribution;        // lognormal | gamma | pareto | weibull | exponential
  std::vector<double> parameters;  // in the order the constructors in distributions.hpp take them
  double log_likelihood = 0;
  double aic = 0;
  double ks_distance = 0;  // sup |F_n(x) - F(x)|
};

// One distribution (std::domain_error when the likelihood has no finite maximum, e.g. a
// Pareto on light-tailed data), or every one that fits, sorted by AIC (best first).
SeverityFit fit_severity(const std::string& distribution, const std::vector<double>& data);
std::vector<SeverityFit> fit_severities(const std::vector<double>& data);

struct FrequencyFit {
  std::string distribution;        // poisson | negative_binomial
  std::vector<double> parameters;  // lambda; or size, prob
  double log_likelihood = 0;
  double aic = 0;
};
std::vector<FrequencyFit> fit_frequencies(const std::vector<int>& counts);

}  // namespace backstop::pricing
