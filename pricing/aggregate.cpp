#include "pricing/aggregate.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <complex>
#include <iomanip>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

namespace backstop::pricing {
namespace {

double D(std::size_t n) { return static_cast<double>(n); }

void fft(std::vector<std::complex<double>>& data, bool inverse) {
  const std::size_t n = data.size();
  assert((n & (n - 1)) == 0);
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  // Each twiddle factor is computed from its own angle: building them by repeated
  // multiplication compounds rounding to 1e-11 at 65,536 points, which swamps the tail.
  std::vector<std::complex<double>> twiddles(n / 2);
  for (std::size_t k = 0; k < n / 2; ++k) {
    const double angle = 2 * M_PI * D(k) / D(n) * (inverse ? 1 : -1);
    twiddles[k] = {std::cos(angle), std::sin(angle)};
  }
  for (std::size_t length = 2; length <= n; length <<= 1) {
    const std::size_t stride = n / length;
    for (std::size_t i = 0; i < n; i += length) {
      for (std::size_t k = 0; k < length / 2; ++k) {
        // In real arithmetic: std::complex's operators check for infinities (none arise
        // here) and compile to a store and reload that stalls this loop.
        const double wr = twiddles[k * stride].real(), wi = twiddles[k * stride].imag();
        const double xr = data[i + k + length / 2].real(), xi = data[i + k + length / 2].imag();
        const double vr = xr * wr - xi * wi, vi = xr * wi + xi * wr;
        const double ur = data[i + k].real(), ui = data[i + k].imag();
        data[i + k] = {ur + vr, ui + vi};
        data[i + k + length / 2] = {ur - vr, ui - vi};
      }
    }
  }
  if (inverse) {
    for (auto& value : data) value /= static_cast<double>(n);
  }
}

// Each family's own pgf (the count dispatches on its family, not on a name).
std::complex<double> pgf(const Frequency& frequency, std::complex<double> z) {
  return frequency.pgf(z);
}

}  // namespace

std::vector<double> discretise(const Severity& severity, Discretisation method, double to,
                               double span) {
  if (!(span > 0) || !(to > 0))
    throw std::invalid_argument("discretise needs positive to and span");
  const auto points = static_cast<std::size_t>(std::llround(to / span));
  std::vector<double> masses;
  switch (method) {
    case Discretisation::upper:
      for (std::size_t j = 0; j < points; ++j)
        masses.push_back(severity.cdf(D(j + 1) * span) - severity.cdf(D(j) * span));
      break;
    case Discretisation::lower:
      masses.push_back(severity.cdf(0));
      for (std::size_t j = 1; j <= points; ++j)
        masses.push_back(severity.cdf(D(j) * span) - severity.cdf((D(j) - 1.0) * span));
      break;
    case Discretisation::rounding:
      for (std::size_t j = 0; j < points; ++j)
        masses.push_back(severity.cdf(D(j) * span + span / 2) -
                         severity.cdf(D(j) * span - span / 2));
      break;
    case Discretisation::unbiased: {
      // Local moment matching of the mean on each interval (actuar's "unbiased").
      auto lev = [&](double x) { return severity.limited_expected_value(x); };
      masses.push_back(1 - lev(span) / span);
      for (std::size_t j = 1; j < points; ++j) {
        const double x = D(j) * span;
        masses.push_back((2 * lev(x) - lev(x - span) - lev(x + span)) / span);
      }
      const double b = D(points) * span;
      masses.push_back((lev(b) - lev(b - span)) / span - 1 + severity.cdf(b));
      break;
    }
  }
  return masses;
}

double LatticeDistribution::cdf(double x) const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size() && D(k) * span <= x + 1e-9 * span; ++k)
    total += masses[k];
  return total;
}

double LatticeDistribution::mean() const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k) total += D(k) * span * masses[k];
  return total;
}

double LatticeDistribution::stop_loss(double retention) const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k)
    total += std::max(0.0, D(k) * span - retention) * masses[k];
  return total;
}

double LatticeDistribution::layer_cost(double retention, double limit, double share) const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k)
    total += std::min(limit, std::max(0.0, D(k) * span - retention)) * masses[k];
  return share * total;
}

double LatticeDistribution::value_at_risk(double p) const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k) {
    total += masses[k];
    if (total >= p - 1e-15) return D(k) * span;
  }
  return (D(masses.size()) - 1.0) * span;
}

double LatticeDistribution::tail_value_at_risk(double p) const {
  const double var = value_at_risk(p);
  double weight = 0, total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k) {
    if (D(k) * span <= var + 1e-9 * span) continue;
    weight += masses[k];
    total += D(k) * span * masses[k];
  }
  return weight > 0 ? total / weight : var;
}

namespace {

// A sum with its rounding carried (Neumaier): the mass and mean of a long lattice are
// compared with their exact values to 1e-12 and finer.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    carry_ += std::abs(sum_) >= std::abs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
  }
  double value() const { return sum_ + carry_; }

 private:
  double sum_ = 0, carry_ = 0;
};

// log P(z) for the (a, b, 0) class from a and b alone: b (z - 1) when a = 0 (Poisson),
// otherwise -(a + b) / a log((1 - a z) / (1 - a)) (negative binomial, binomial). In logs
// because P(f0) = P(S = 0) is below the smallest double for large frequencies.
double log_pgf(double a, double b, double z) {
  if (a == 0) return b * (z - 1);
  return -(a + b) / a * std::log1p(a * (1 - z) / (1 - a));
}

// log P(z) - log P(0) in the same class: b z, or -(a + b) / a log(1 - a z). With it,
// P(z) - P(0) = P(z) (1 - exp(-that)), without subtracting two nearly equal numbers.
double log_pgf_over_p0(double a, double b, double z) {
  return a == 0 ? b * z : -(a + b) / a * std::log1p(-a * z);
}

// A zero-modified count's weight on its base given N > 0, w = (1 - p0M) / (1 - p0), with
// 1 - p0 by expm1: subtracted from 1, a tiny mean's P(N = 0) keeps few of its digits.
double mixture_weight(const Frequency& n) {
  return (1 - n.p0_modified) / -std::expm1(log_pgf(n.a, n.b, 0));
}

// What the recursion should reach: the aggregate's total mass on the lattice, P_N(sum f),
// short of 1 where the severity's lattice has lost mass, and its mean in lattice steps,
// P_N'(sum f) sum k f_k, with P'(z) = (a + b) / (1 - a z) P(z) in the (a, b, 0) class.
struct Reachable {
  double mass = 1;
  double mean = 0;
  double severity_missing = 0;  // 1 - sum f
};

Reachable reachable(const Frequency& frequency, const std::vector<double>& fx) {
  CompensatedSum mass, mean;
  for (std::size_t k = 0; k < fx.size(); ++k) {
    mass.add(fx[k]);
    mean.add(D(k) * fx[k]);
  }
  const double a = frequency.a, b = frequency.b, s = std::min(1.0, mass.value());
  if (frequency.family == FrequencyFamily::logarithmic) {
    // Not in the (a, b, 0) class: P_M'(z) = (1 - p0M) P'(z), P'(z) = -prob / ((1 - prob z)
    // log(1 - prob)).
    const double slope = (1 - frequency.p0_modified) * -frequency.prob /
                         ((1 - frequency.prob * s) * std::log1p(-frequency.prob));
    return {frequency.pgf(s), slope * mean.value(), 1 - mass.value()};
  }
  const double p_s = std::exp(log_pgf(a, b, s));
  Reachable out{p_s, (a + b) / (1 - a * s) * p_s * mean.value(), 1 - mass.value()};
  if (frequency.p0_modified >= 0) {  // P_M(z) = p0M + w (P(z) - p0), P_M'(z) = w P'(z)
    const double w = mixture_weight(frequency);
    out.mass = frequency.p0_modified + w * p_s * -std::expm1(-log_pgf_over_p0(a, b, s));
    out.mean *= w;
  }
  return out;
}

// Panjer's (a, b, 0) recursion in scaled space: the masses are kept as m_k 2^e with one
// exponent e for all, raised whenever they grow large, so that a P(S = 0) far below the
// smallest double (exp(-1000)) starts it and loses nothing but masses that small.
class ScaledRecursion {
 public:
  ScaledRecursion(double a, double b, const std::vector<double>& fx)
      : a_(a), b_(b), scale_(1 / (1 - a * fx[0])), fx_(fx) {
    const double log_start = log_pgf(a, b, fx[0]);
    // Starts above ~1e-300 are taken as they are; lower ones as m 2^e, m in [1, 2).
    if (log_start < -690) exponent_ = static_cast<int>(std::floor(log_start / std::log(2.0)));
    start_ = std::exp(log_start - exponent_ * std::log(2.0));
  }

  // P(S = k h) for k = 0, 1, ... in turn (0 where it is below the smallest double).
  double next() {
    const std::size_t k = scaled_.size();
    double value = start_;
    if (k > 0) {
      double sum = 0;
      const std::size_t top = std::min(k, fx_.size() - 1);
      for (std::size_t j = 1; j <= top; ++j)
        sum += (a_ + b_ * D(j) / D(k)) * fx_[j] * scaled_[k - j];
      value = scale_ * sum;
    }
    scaled_.push_back(value);
    if (value > 0x1p500) {  // by a power of two: exact
      for (double& scaled : scaled_) scaled = std::ldexp(scaled, -500);
      exponent_ += 500;
    }
    return std::ldexp(scaled_.back(), exponent_);
  }

 private:
  double a_, b_, scale_, start_ = 0;
  const std::vector<double>& fx_;
  std::vector<double> scaled_;
  int exponent_ = 0;
};

// A mass for the message: "3.2e-07".
std::string figure(double x) {
  std::ostringstream out;
  out << std::setprecision(2) << x;
  return out.str();
}

// Refuses a severity lattice that leaves the aggregate short of more than the tolerance.
void require_severity_mass(const Reachable& target, double tolerance) {
  if (1 - target.mass > tolerance)
    throw AccuracyError("the severity's lattice lacks " + figure(target.severity_missing) +
                            " of its mass (beyond its last point), which leaves the aggregate " +
                            figure(1 - target.mass) + " short, more than the tolerance " +
                            figure(tolerance) + ": discretise the severity further out",
                        1 - target.mass);
}

// Refuses a lattice distribution that is not one: a mass that is not a finite non-negative
// number (beyond rounding), or more mass or mean than the model has; `why` says what that
// means for the method.
void check_lattice(const LatticeDistribution& s, const Reachable& target, double mass, double mean,
                   double tolerance, const std::string& method, const std::string& why) {
  const double slack = std::max(tolerance, 1e-12);
  const std::string unstable = ": " + why;
  for (double value : s.masses) {
    if (!std::isfinite(value) || value < -slack)
      throw AccuracyError(method + " gave a mass of " + figure(value) + unstable, 0);
  }
  if (mass > target.mass + slack)
    throw AccuracyError(method + " gave a total mass " + figure(mass - target.mass) +
                            " above the model's" + unstable,
                        0);
  if (mean > target.mean * (1 + slack))
    throw AccuracyError(method + " gave a mean " + figure(mean / target.mean - 1) +
                            " above the exact one (relatively)" + unstable,
                        0);
}

}  // namespace

namespace {

// The mass and mean a recursion has gathered against what it should reach, and whether it
// has stalled: past twice the mean of N > 0 claims plus the severity's length, with a whole
// such length adding under 1e-6 of the tolerance (it would need a million more), it is in a
// tail that rounding, not the model, keeps short of the tolerance.
class Progress {
 public:
  Progress(const Reachable& target, double tolerance, double base_mean, std::size_t window)
      : target_(target), tolerance_(tolerance), window_(std::max<std::size_t>(window, 1024)) {
    watch_from_ = static_cast<std::size_t>(std::min(2 * base_mean, 1e18)) + window_;
  }

  void add(std::size_t k, double mass) {
    mass_.add(mass);
    mean_.add(D(k) * mass);
    if (k < watch_from_ || (k - watch_from_) % window_ != 0) return;
    stalled_ = mass_.value() - checkpoint_mass_ < 1e-6 * tolerance_ &&
               mean_.value() - checkpoint_mean_ < 1e-6 * tolerance_ * target_.mean;
    checkpoint_mass_ = mass_.value();
    checkpoint_mean_ = mean_.value();
  }
  bool converged() const {
    return tolerance_ > 0 && missing_mass() <= tolerance_ &&
           missing_mean() <= tolerance_ * target_.mean;
  }
  bool stalled() const { return tolerance_ > 0 && stalled_; }
  double mass() const { return mass_.value(); }
  double mean() const { return mean_.value(); }
  double missing_mass() const { return 1 - mass_.value(); }
  double missing_mean() const { return target_.mean - mean_.value(); }

  // The refusal: where the recursion stopped short, what it still lacks, and the remedy.
  AccuracyError shortfall(const std::string& where, const std::string& remedy) const {
    return AccuracyError("Panjer's recursion " + where + " with " + figure(missing_mass()) +
                             " of the mass and " + figure(missing_mean() / target_.mean) +
                             " of the mean still missing, more than the tolerance " +
                             figure(tolerance_) + ": " + remedy,
                         missing_mass());
  }

 private:
  const Reachable& target_;
  double tolerance_;
  std::size_t window_, watch_from_;
  CompensatedSum mass_, mean_;
  double checkpoint_mass_ = 0, checkpoint_mean_ = 0;
  bool stalled_ = false;
};

// Refuses what a recursion gathered unless it is a distribution that reached the tolerance.
void finish_recursion(const LatticeDistribution& out, const Reachable& target,
                      const Progress& progress, double tolerance, std::size_t length_max) {
  check_lattice(out, target, progress.mass(), progress.mean(), tolerance, "Panjer's recursion",
                "the recursion is unstable for this model");
  if (progress.stalled())
    throw progress.shortfall(
        "stopped gaining mass at " + std::to_string(out.masses.size()) + " points",
        "the tolerance is finer than the lattice's rounding allows");
  if (tolerance > 0 && !progress.converged())
    throw progress.shortfall("reached its maximum of " + std::to_string(length_max) + " points",
                             "allow more points or a wider span");
}

// The logarithmic count has no place in the (a, b, 0) class (a + b = 0: its base would be
// N = 0), so it is taken by the (a, b, 1) recursion itself, from P(S = 0) = P_M(f_0):
// g_k = [(p_1 - (a + b) p_0) f_k + sum_j (a + b j / k) f_j g_(k-j)] / (1 - a f_0).
LatticeDistribution panjer_logarithmic(const Frequency& n, const std::vector<double>& fx,
                                       double span, std::size_t length_max, double tolerance) {
  const double a = n.a, b = n.b, p0 = n.p0_modified, p1 = n.pmf(1);
  const Reachable target = reachable(n, fx);
  if (tolerance > 0) require_severity_mass(target, tolerance);
  LatticeDistribution out{span, {n.pgf(fx[0])}};
  Progress progress(target, tolerance, target.mean / (1 - p0), fx.size());
  progress.add(0, out.masses[0]);
  const double scale = 1 / (1 - a * fx[0]);
  for (std::size_t k = 1; k < length_max && !progress.converged() && !progress.stalled(); ++k) {
    double sum = k < fx.size() ? (p1 - (a + b) * p0) * fx[k] : 0;
    for (std::size_t j = 1; j <= std::min(k, fx.size() - 1); ++j)
      sum += (a + b * D(j) / D(k)) * fx[j] * out.masses[k - j];
    out.masses.push_back(scale * sum);
    progress.add(k, out.masses.back());
  }
  finish_recursion(out, target, progress, tolerance, length_max);
  return out;
}

}  // namespace

LatticeDistribution panjer(const Frequency& frequency, const std::vector<double>& fx, double span,
                           std::size_t length_max, double tolerance) {
  if (fx.empty()) throw std::invalid_argument("panjer needs severity masses");
  if (!(tolerance >= 0 && tolerance < 1) || length_max < 1)
    throw std::invalid_argument("panjer needs 0 <= tolerance < 1 and a length of at least 1");
  check_frequency(frequency);  // its a and b are read as they are
  if (frequency.family == FrequencyFamily::logarithmic)
    return panjer_logarithmic(frequency, fx, span, length_max, tolerance);
  const Reachable target = reachable(frequency, fx);
  if (tolerance > 0) require_severity_mass(target, tolerance);
  // A zero-modified frequency mixes P(N = 0) = p0M with the (a, b, 0) base given N > 0:
  // g_M(0) = p0M + w (P(f0) - p0) and g_M(k) = w g(k), w = (1 - p0M) / (1 - p0). Run on the
  // base, no step subtracts nearly equal numbers, as the (a, b, 1) recursion would for a
  // large frequency.
  const bool modified = frequency.p0_modified >= 0;
  const double w = modified ? mixture_weight(frequency) : 1;
  ScaledRecursion recursion(frequency.a, frequency.b, fx);
  LatticeDistribution out{span, {}};
  Progress progress(target, tolerance, target.mean / w, fx.size());
  for (std::size_t k = 0; k < length_max && !progress.converged() && !progress.stalled(); ++k) {
    double g = recursion.next();
    if (modified && k == 0) {
      const double over_p0 = log_pgf_over_p0(frequency.a, frequency.b, fx[0]);
      g = frequency.p0_modified + w * g * -std::expm1(-over_p0);  // p0M + w (P(f0) - p0)
    } else {
      g *= w;
    }
    out.masses.push_back(g);
    progress.add(k, g);
  }
  finish_recursion(out, target, progress, tolerance, length_max);
  return out;
}

namespace {

// Chernoff bounds on the aggregate's tail, in lattice steps: for any u > 0,
// P(S >= K) <= M_S(u) e^(-u K) and E[S; S >= K] <= M_S'(u) e^(-u K), with M_S(u) =
// P_N(M_X(u)) and M_S'(u) = P_N'(M_X(u)) M_X'(u), all taken in logs.
class TailBound {
 public:
  TailBound(const Frequency& frequency, const std::vector<double>& fx) : frequency_(frequency) {
    for (std::size_t k = 1; k < fx.size(); ++k) {
      if (fx[k] <= 0) continue;
      steps_.push_back(D(k));
      log_masses_.push_back(std::log(fx[k]));
      log_steps_.push_back(std::log(D(k)));
    }
    f0_ = fx[0];
  }

  // The fewest steps K beyond which, by the bounds at u, the mass is within exp(log_mass)
  // and the mean's part within exp(log_mean); infinite where M_S(u) does not exist.
  double steps(double u, double log_mass, double log_mean) const {
    const double a = frequency_.a;
    // log M_X(u) = log sum f_k e^(u k) and log M_X'(u) = log sum k f_k e^(u k), each summed
    // relative to its largest term so far, so that nothing overflows.
    double top = std::log(f0_), sum = f0_ > 0 ? 1 : 0, top1 = -INFINITY, sum1 = 0;
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      const double term = log_masses_[i] + u * steps_[i];
      accumulate(term, top, sum);
      accumulate(term + log_steps_[i], top1, sum1);
    }
    const double z = std::exp(top + std::log(sum));
    if (!std::isfinite(z) || (a > 0 && a * z >= 1)) return INFINITY;
    const auto [log_p, log_p1] = log_pgf_and_slope(z);
    if (!std::isfinite(log_p) || !std::isfinite(log_p1)) return INFINITY;
    return std::max(log_p - log_mass, log_p1 + top1 + std::log(sum1) - log_mean) / u;
  }

 private:
  // log P_N(z) and log P_N'(z) at z = M_X(u) >= 1, where the series converges.
  std::pair<double, double> log_pgf_and_slope(double z) const {
    const double a = frequency_.a, b = frequency_.b;
    if (!(a + b > 0)) {
      // Not an (a, b, 0) count, nor one zero-modified (the logarithmic): its own pgf, and
      // P'(z) = (p1 + (a + b) (P(z) - p0)) / (1 - a z), which holds in the (a, b, 1) class.
      double p = 0;
      try {
        p = frequency_.pgf(z);
      } catch (const std::domain_error&) {
        return {INFINITY, INFINITY};
      }
      const double slope = (frequency_.pmf(1) + (a + b) * (p - frequency_.pmf(0))) / (1 - a * z);
      return {std::log(p), std::log(slope)};
    }
    double log_p = log_pgf(a, b, z);
    double log_p1 = std::log((a + b) / (1 - a * z)) + log_p;  // P'(z) = (a + b) P(z) / (1 - a z)
    if (frequency_.p0_modified >= 0) {
      const double w = mixture_weight(frequency_);
      log_p = log_p > 700 ? std::log(w) + log_p
                          : std::log(frequency_.p0_modified +
                                     w * std::exp(log_p) * -std::expm1(-log_pgf_over_p0(a, b, z)));
      log_p1 += std::log(w);
    }
    return {log_p, log_p1};
  }

  // Adds exp(term) to the sum exp(top) * sum, keeping top the largest term.
  static void accumulate(double term, double& top, double& sum) {
    if (term <= top) {
      sum += std::exp(term - top);
    } else {
      sum = sum * std::exp(top - term) + 1;
      top = term;
    }
  }

  const Frequency& frequency_;
  double f0_ = 0;
  std::vector<double> steps_, log_masses_, log_steps_;
};

// The minimum over u > 0 of bound(u), quasi-convex in u: a grid over log10 u, then golden
// section between its best point's neighbours.
template <typename Bound>
double minimise_over_tilt(Bound&& bound) {
  auto at = [&](double log_u) { return bound(std::pow(10.0, log_u)); };
  double best_log_u = -12, best = INFINITY;
  for (double log_u = -12; log_u <= 2; log_u += 0.5) {
    const double value = at(log_u);
    if (value < best) best = value, best_log_u = log_u;
  }
  if (!std::isfinite(best)) return best;
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double low = best_log_u - 0.5, high = best_log_u + 0.5;
  double left = high - ratio * (high - low), right = low + ratio * (high - low);
  double at_left = at(left), at_right = at(right);
  for (int i = 0; i < 30; ++i) {
    if (at_left < at_right) {
      high = right, right = left, at_right = at_left;
      left = high - ratio * (high - low), at_left = at(left);
    } else {
      low = left, left = right, at_left = at_right;
      right = low + ratio * (high - low), at_right = at(right);
    }
  }
  return std::min({best, at_left, at_right});
}

// Refuses an FFT result short of mass (the tail beyond the lattice, which tilting keeps
// from wrapping round) or with a mean off the exact one (what wrapped round onto the start).
void check_fft(const Reachable& target, double mass, double mean, std::size_t length,
               double tolerance) {
  const std::string on = "FFT on " + std::to_string(length) + " points ";
  if (target.mass - mass > tolerance)
    throw AccuracyError(on + "lacks " + figure(target.mass - mass) +
                            " of the aggregate's mass, more than the tolerance " +
                            figure(tolerance) + ": the lattice is too short for its tail",
                        target.mass - mass);
  if (std::abs(mean - target.mean) > tolerance * target.mean)
    throw AccuracyError(on + "gives a mean " + figure(mean / target.mean - 1) +
                            " off the exact one (relatively), more than the tolerance " +
                            figure(tolerance) +
                            ": the lattice is too short, and its tail wraps round onto its start",
                        target.mass - mass);
}

}  // namespace

std::size_t fft_length(const Frequency& frequency, const std::vector<double>& fx, double tolerance,
                       std::size_t length_max) {
  if (fx.empty() || !(tolerance > 0 && tolerance < 1))
    throw std::invalid_argument("fft_length needs severity masses and 0 < tolerance < 1");
  const Reachable target = reachable(frequency, fx);
  require_severity_mass(target, tolerance);
  // A tenth of the tolerance beyond the lattice, which the result's checks then hold to it.
  const double log_mass = std::log(tolerance / 10);
  const double log_mean = std::log(tolerance / 10 * std::max(target.mean, 1e-300));
  const TailBound tail(frequency, fx);
  const double steps =
      minimise_over_tilt([&](double u) { return tail.steps(u, log_mass, log_mean); });
  std::size_t length = 1;
  while (length < fx.size() || D(length) < steps) {
    if (length >= length_max)
      throw AccuracyError("FFT needs more than its maximum of " + std::to_string(length_max) +
                              " points to hold all but " + figure(tolerance / 10) +
                              " of the aggregate's mass: allow more points or a wider span",
                          0);
    length <<= 1;
  }
  return length;
}

// A light tilt: what wraps round is cut by e^-2 and mostly shows as mass missing, while the
// rounding it multiplies by up to e^2 at the lattice's far end stays near 1e-12.
double fft_tilt(std::size_t length) { return 2 / D(length); }

LatticeDistribution aggregate_fft(const Frequency& frequency, const std::vector<double>& fx,
                                  double span, std::size_t length, double tilt, double tolerance) {
  if ((length & (length - 1)) != 0 || length < fx.size())
    throw std::invalid_argument("FFT needs a power of two points, at least the severity's " +
                                std::to_string(fx.size()) + ", not " + std::to_string(length));
  if (!(tolerance > 0 && tolerance < 1) || !(tilt >= 0 && tilt * D(length) <= 200))
    throw std::invalid_argument("FFT needs 0 < tolerance < 1 and 0 <= tilt <= 200 / length");
  const Reachable target = reachable(frequency, fx);
  require_severity_mass(target, tolerance);
  std::vector<std::complex<double>> data(length);
  for (std::size_t k = 0; k < fx.size(); ++k) data[k] = fx[k] * std::exp(-tilt * D(k));
  fft(data, false);
  for (auto& value : data) value = pgf(frequency, value);
  fft(data, true);
  LatticeDistribution out{span, std::vector<double>(length)};
  for (std::size_t k = 0; k < length; ++k) out.masses[k] = data[k].real() * std::exp(tilt * D(k));
  CompensatedSum mass, mean;
  for (std::size_t k = 0; k < length; ++k) {
    mass.add(std::max(0.0, out.masses[k]));
    mean.add(D(k) * std::max(0.0, out.masses[k]));
  }
  check_lattice(out, target, mass.value(), mean.value(), tolerance, "FFT",
                "the transform's rounding swamps the smallest masses (a tilt multiplies it by "
                "up to exp(tilt length) at the lattice's far end: tilt less)");
  for (double& value : out.masses) value = std::max(0.0, value);  // rounding below 0
  check_fft(target, mass.value(), mean.value(), length, tolerance);
  return out;
}

void fourier_transform(std::vector<std::complex<double>>& data, bool inverse) {
  if ((data.size() & (data.size() - 1)) != 0)
    throw std::invalid_argument("the Fourier transform needs a power of two points");
  fft(data, inverse);
}

std::vector<double> occurrence_layer(const std::vector<double>& fx, double span, double deductible,
                                     double limit) {
  const auto shift = static_cast<std::size_t>(std::llround(deductible / span));
  const std::size_t cap =
      limit > 0 ? static_cast<std::size_t>(std::llround(limit / span)) : fx.size();
  std::vector<double> out(std::min(cap + 1, fx.size()), 0.0);
  for (std::size_t k = 0; k < fx.size(); ++k) {
    const std::size_t paid = std::min(cap, k > shift ? k - shift : 0);
    if (paid >= out.size()) out.resize(paid + 1, 0.0);
    out[paid] += fx[k];
  }
  // With a limit, the severity's mass beyond the lattice (beyond `to`) is a claim at the limit.
  if (limit > 0 && cap < out.size())
    out[cap] += std::max(0.0, 1 - std::accumulate(fx.begin(), fx.end(), 0.0));
  return out;
}

LatticeDistribution aggregate_monte_carlo(const Frequency& frequency, const std::vector<double>& fx,
                                          double span, int simulations, std::uint64_t seed) {
  if (simulations < 1) throw std::invalid_argument("Monte Carlo needs simulations");
  std::mt19937_64 random(seed);
  std::discrete_distribution<std::size_t> severity(fx.begin(), fx.end());
  std::vector<double> counts;
  for (int s = 0; s < simulations; ++s) {
    const int claims = frequency.sample(random);
    std::size_t total = 0;
    for (int c = 0; c < claims; ++c) total += severity(random);
    if (total >= counts.size()) counts.resize(total + 1, 0.0);
    counts[total] += 1;
  }
  for (auto& count : counts) count /= simulations;
  return LatticeDistribution{span, counts};
}

Moments aggregate_moments(const Frequency& frequency, const Severity& severity) {
  // Nothing is integrated, so no tail is cut off: the severity's raw moments are closed forms
  // (refused where infinite) and the count's cumulants its family's, zero-modified or not.
  const double m1 = severity.raw_moment(1), m2 = severity.raw_moment(2),
               m3 = severity.raw_moment(3);
  const auto [mean_n, variance_n, third_n] = frequency.cumulants();
  // The compound's cumulants by the count's factorial cumulants (E[N], Var[N] - E[N],
  // kappa_3 - 3 Var[N] + 2 E[N]): all but the first vanish for a Poisson count, leaving
  // lambda E[X^j] with no cancellation.
  Moments out;
  out.mean = mean_n * m1;
  out.variance = mean_n * m2 + (variance_n - mean_n) * m1 * m1;
  const double third = mean_n * m3 + 3 * (variance_n - mean_n) * m1 * m2 +
                       (third_n - 3 * variance_n + 2 * mean_n) * m1 * m1 * m1;
  out.skewness = third / std::pow(out.variance, 1.5);
  if (!std::isfinite(out.mean) || !(out.variance > 0) || !std::isfinite(out.variance) ||
      !std::isfinite(out.skewness))
    throw std::domain_error("the aggregate's moments are beyond a double");
  return out;
}

double normal_approximation_cdf(const Moments& moments, double x) {
  return 0.5 * std::erfc(-(x - moments.mean) / std::sqrt(moments.variance) / std::sqrt(2.0));
}

double normal_power_cdf(const Moments& moments, double x) {
  const double z = (x - moments.mean) / std::sqrt(moments.variance);
  const double g = moments.skewness;
  const double y = -3 / g + std::sqrt(9 / (g * g) + 1 + 6 * z / g);
  return 0.5 * std::erfc(-y / std::sqrt(2.0));
}

}  // namespace backstop::pricing
