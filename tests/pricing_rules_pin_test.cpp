// Pricing's rules 5, 6 and 9 in double (pricing/fund_model.hpp) pinned to the fund's exact
// ones (fund/rules.hpp), and the terms tools/ builds for the model pinned to the fund year's
// parameters they come from: the model must price under the rules the fund applies, so a
// change on either side that the other does not follow fails here.
#include <catch2/catch.hpp>
#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fund/rules.hpp"
#include "pricing/fund_model.hpp"
#include "tools/fund_model_terms.hpp"

using backstop::Int128;
using backstop::Money;
using backstop::Rate;
using backstop::YearParameters;
using backstop::pricing::RuleTerms;

namespace {

Rate rate(const char* text) { return Rate::parse(text).value(); }
Money pence(const Int128& amount) { return Money::from_pence(amount); }
double to_pounds(const Money& amount) { return amount.pence().convert_to<double>() / 100; }

struct ParameterSet {
  std::string name;
  YearParameters parameters;
};

// The rulebook's defaults, and sets that reach the corners of rules 5, 6 and 9.
std::vector<ParameterSet> parameter_sets() {
  std::vector<ParameterSet> out{{"defaults", {}}};
  YearParameters p;
  p.specific_share = p.loss_share_f2 = p.loss_share_f3 = rate("1");
  p.gain_share_g2 = p.gain_share_g3 = rate("1");
  out.push_back({"shares of 1", p});
  p = {};
  p.corridor_b1 = rate("0");
  out.push_back({"b1 = 0", p});
  p = {};
  p.corridor_b1 = p.corridor_b2 = rate("0.03");
  out.push_back({"no middle band (b1 = b2)", p});
  p = {};
  p.aggregate_cap = rate("0.01");  // binds inside the middle band
  p.gain_carry_cap = rate("0");
  p.specific_cap = Money::parse("10000").value();
  out.push_back({"binding caps", p});
  p = {};
  p.aggregate_cap = p.gain_carry_cap = rate("0");
  p.specific_share = p.loss_share_f2 = p.loss_share_f3 = rate("0");
  p.gain_share_g2 = p.gain_share_g3 = rate("0");
  out.push_back({"zero shares and caps", p});
  p = {};
  p.specific_threshold = Money::parse("123456.78").value();
  p.specific_share = rate("0.876543");
  p.specific_cap = Money::parse("987654.32").value();
  p.corridor_b1 = rate("0.012345");
  p.corridor_b2 = rate("0.067891");
  p.loss_share_f2 = rate("0.333333");
  p.loss_share_f3 = rate("0.777777");
  p.gain_share_g2 = rate("0.142857");
  p.gain_share_g3 = rate("0.999999");
  p.aggregate_cap = rate("0.123457");
  p.gain_carry_cap = rate("0.031415");
  out.push_back({"odd values, none a whole penny", p});
  for (const auto& set : out) REQUIRE(backstop::check_parameters(set.parameters).is_ok());
  return out;
}

// From £0.99 (edges far below a penny) to £300m, some with band edges between pennies.
const Int128 allocations_pence[] = {
    99, 100'001, 1'000'000'000, 5'760'000'000, 12'345'678'901, 30'000'000'000};

// The exact rules evaluate a rational number exactly and round it once, half-to-even, to the
// penny: within half a penny of the true value. The double model evaluates the same formula
// in a handful of correctly rounded operations on amounts no larger than `scale` (the
// allocation or the cost), each with a relative error of at most 2^-53 (about 1.1e-16), so it
// is within a few times 1e-16 * scale of the true value: relative 1e-12 leaves a wide
// margin for that and for the pence-to-pounds conversion. `roundings` counts the exact
// roundings the result depends on.
bool agrees(double model, const Money& exact, double scale, int roundings) {
  return std::abs(model - to_pounds(exact)) <= 0.005 * roundings + 1e-12 * std::abs(scale);
}

// Collects disagreements, so that a failure lists the first few rather than thousands.
struct Pin {
  int compared = 0;
  std::vector<std::string> misses;

  void compare(double model, const Money& exact, double scale, int roundings,
               const std::string& where) {
    ++compared;
    if (agrees(model, exact, scale, roundings) || misses.size() >= 20) return;
    std::ostringstream line;
    line.precision(17);
    line << where << ": model " << model << ", exact " << exact.to_string();
    misses.push_back(line.str());
  }
  void check(int at_least) const {
    for (const auto& miss : misses) UNSCOPED_INFO(miss);
    CHECK(misses.empty());
    CHECK(compared >= at_least);
  }
};

// The pennies on either side of `amount` * `fraction` (exact: floor and ceiling), and one
// penny beyond each.
void add_edge(std::vector<Int128>& out, const Int128& amount, const Int128& numerator,
              const Int128& denominator) {
  const Int128 product = amount * numerator;
  const Int128 floor = product / denominator;  // both non-negative: truncation is the floor
  const Int128 ceiling = floor + (product % denominator != 0 ? 1 : 0);
  for (const Int128& edge : {floor, ceiling}) {
    for (int step = -1; step <= 1; ++step) {
      out.push_back(edge + step);
      out.push_back(-(edge + step));
    }
  }
}

// Variances from -40% to +40% of the allocation in steps of 0.1%, every band edge (b1 * A,
// b2 * A, either sign) and the point where the loss share reaches its cap, each exactly where
// it is a whole penny and otherwise the pennies around it, and a penny either side.
std::vector<Int128> variances(const Int128& allocation, const YearParameters& p,
                              const RuleTerms& terms) {
  std::vector<Int128> out;
  for (int k = -400; k <= 400; ++k) out.push_back(backstop::divide_half_even(allocation * k, 1000));
  add_edge(out, allocation, p.corridor_b1.ppm(), Rate::scale_ppm);
  add_edge(out, allocation, p.corridor_b2.ppm(), Rate::scale_ppm);
  // The cap point, in double: only a grid point, so its own rounding does not matter.
  const double a = allocation.convert_to<double>();
  const double cap = terms.aggregate_cap * a, band2 = terms.f2 * (terms.b2 - terms.b1) * a;
  std::optional<double> at_cap;
  if (cap <= band2 && terms.f2 > 0) at_cap = terms.b1 * a + cap / terms.f2;
  if (cap > band2 && terms.f3 > 0) at_cap = terms.b2 * a + (cap - band2) / terms.f3;
  if (at_cap) add_edge(out, Int128(std::llround(std::floor(*at_cap))), 1, 1);
  return out;
}

std::string where(const ParameterSet& set, const std::string& what, const Int128& amount,
                  const Int128& allocation = 0) {
  return set.name + ": " + what + " " + pence(amount).to_string() +
         (allocation != 0 ? ", allocation " + pence(allocation).to_string() : "");
}

}  // namespace

TEST_CASE("pricing rules pin: the model's terms are the fund year's parameters") {
  std::vector<ParameterSet> sets = parameter_sets();
  YearParameters distinct;  // no two fields equal, so a field read for another shows
  distinct.specific_threshold = Money::parse("111111.11").value();
  distinct.specific_share = rate("0.91");
  distinct.specific_cap = Money::parse("2222222.22").value();
  distinct.corridor_b1 = rate("0.013");
  distinct.corridor_b2 = rate("0.047");
  distinct.loss_share_f2 = rate("0.51");
  distinct.loss_share_f3 = rate("0.83");
  distinct.gain_share_g2 = rate("0.52");
  distinct.gain_share_g3 = rate("0.84");
  distinct.aggregate_cap = rate("0.26");
  distinct.gain_carry_cap = rate("0.019");
  distinct.rebate_margin = rate("0.12");
  distinct.max_call = rate("0.45");
  REQUIRE(backstop::check_parameters(distinct).is_ok());
  sets.push_back({"all distinct", distinct});
  // Read back through the decimal text, independently of how tools/ converts: both are the
  // nearest double to the same exact value, so they are equal, not merely close.
  auto amount = [](const Money& m) { return std::stod(m.to_string()); };
  auto fraction = [](const Rate& r) { return std::stod(r.to_string()); };
  for (const auto& [name, p] : sets) {
    INFO(name);
    const RuleTerms t = backstop::fund_model_terms(p);
    CHECK(t.specific_threshold == amount(p.specific_threshold));
    CHECK(t.specific_share == fraction(p.specific_share));
    CHECK(t.specific_cap == amount(p.specific_cap));
    CHECK(t.b1 == fraction(p.corridor_b1));
    CHECK(t.b2 == fraction(p.corridor_b2));
    CHECK(t.f2 == fraction(p.loss_share_f2));
    CHECK(t.f3 == fraction(p.loss_share_f3));
    CHECK(t.g2 == fraction(p.gain_share_g2));
    CHECK(t.g3 == fraction(p.gain_share_g3));
    CHECK(t.aggregate_cap == fraction(p.aggregate_cap));
    CHECK(t.gain_carry_cap == fraction(p.gain_carry_cap));
    CHECK(t.rebate_margin == fraction(p.rebate_margin));
    CHECK(t.max_call == fraction(p.max_call));
  }
  // Every field of RuleTerms is checked above; one added without a check fails to compile.
  static_assert(sizeof(RuleTerms) == 13 * sizeof(double), "check the new field above");
}

TEST_CASE("pricing rules pin: rule 5, the specific layer, agrees with the exact rule") {
  Pin pin;
  for (const auto& set : parameter_sets()) {
    const auto& p = set.parameters;
    const RuleTerms terms = backstop::fund_model_terms(p);
    const Int128 threshold = p.specific_threshold.pence();
    std::vector<Int128> costs;
    for (const Int128 offset : {-100, -1, 0, 1, 5, 15, 25, 100})
      costs.push_back(threshold + offset);
    // Where the share reaches the cap: threshold + cap / share.
    if (p.specific_share.ppm() > 0)
      add_edge(costs, p.specific_cap.pence(), Rate::scale_ppm, p.specific_share.ppm());
    const Int128 top = threshold + 3 * p.specific_cap.pence() + 100'000'000;
    for (int k = 0; k <= 1000; ++k) costs.push_back(top * k / 1000);
    for (const Int128& cost : costs) {
      if (cost < 0) continue;  // the threshold may be below a penny's reach
      const Money exact = backstop::specific_liability(pence(cost), p);
      const double model = backstop::pricing::specific_liability(to_pounds(pence(cost)), terms);
      pin.compare(model, exact, to_pounds(pence(cost)), 1, where(set, "cost", cost));
    }
  }
  pin.check(7 * 1000);
}

TEST_CASE("pricing rules pin: rule 6, the corridor, agrees with the exact rule") {
  Pin pin;
  for (const auto& set : parameter_sets()) {
    const RuleTerms terms = backstop::fund_model_terms(set.parameters);
    for (const Int128& allocation : allocations_pence) {
      const double a = to_pounds(pence(allocation));
      for (const Int128& variance : variances(allocation, set.parameters, terms)) {
        const Money exact =
            backstop::corridor_share(pence(variance), pence(allocation), set.parameters);
        const double model =
            backstop::pricing::corridor_share(to_pounds(pence(variance)), a, terms);
        pin.compare(model, exact, std::max(a, std::abs(to_pounds(pence(variance)))), 1,
                    where(set, "variance", variance, allocation));
      }
    }
  }
  pin.check(7 * 6 * 801);
}

TEST_CASE("pricing rules pin: rule 9, the surrendered gain, agrees with the exact rule") {
  Pin pin;
  for (const auto& set : parameter_sets()) {
    const auto& p = set.parameters;
    const RuleTerms terms = backstop::fund_model_terms(p);
    for (const Int128& allocation : allocations_pence) {
      const double a = to_pounds(pence(allocation));
      std::vector<Int128> retained;
      for (int k = -400; k <= 400; ++k)
        retained.push_back(backstop::divide_half_even(allocation * k, 1000));
      add_edge(retained, allocation, p.gain_carry_cap.ppm(), Rate::scale_ppm);
      for (const Int128& r : retained) {
        const Money exact =
            backstop::carry_forward(pence(r), pence(allocation), p).gain_surrendered;
        const double model = backstop::pricing::surrendered_gain(to_pounds(pence(r)), a, terms);
        pin.compare(model, exact, std::max(a, std::abs(to_pounds(pence(r)))), 1,
                    where(set, "retained", r, allocation));
      }
    }
  }
  pin.check(7 * 6 * 801);
}

// What the model charges a member for its variance (the corridor share less any surrendered
// gain) against the same figure settled exactly: the two roundings of the exact side (the
// share, and the carry cap) may each be half a penny out.
TEST_CASE("pricing rules pin: a member's corridor cost agrees with its exact settlement") {
  Pin pin;
  for (const auto& set : parameter_sets()) {
    const auto& p = set.parameters;
    const RuleTerms terms = backstop::fund_model_terms(p);
    for (const Int128& allocation : allocations_pence) {
      const double a = to_pounds(pence(allocation));
      for (const Int128& variance : variances(allocation, p, terms)) {
        const Money d = pence(variance);
        const Money share = backstop::corridor_share(d, pence(allocation), p);
        const Money exact =
            share - backstop::carry_forward(d - share, pence(allocation), p).gain_surrendered;
        const double model_share = backstop::pricing::corridor_share(to_pounds(d), a, terms);
        const double model =
            model_share - backstop::pricing::surrendered_gain(to_pounds(d) - model_share, a, terms);
        pin.compare(model, exact, std::max(a, std::abs(to_pounds(d))), 2,
                    where(set, "variance", variance, allocation));
      }
    }
  }
  pin.check(7 * 6 * 801);
}
