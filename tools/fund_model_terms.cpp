#include "tools/fund_model_terms.hpp"

namespace backstop {
namespace {

// One correctly rounded division of two exactly representable integers: the nearest double
// to the exact amount or rate (pence and ppm are far below 2^53).
double pounds(const Money& amount) { return amount.pence().convert_to<double>() / 100.0; }

double fraction(const Rate& rate) {
  return static_cast<double>(rate.ppm()) / static_cast<double>(Rate::scale_ppm);
}

}  // namespace

pricing::RuleTerms fund_model_terms(const YearParameters& p) {
  pricing::RuleTerms terms;
  terms.specific_threshold = pounds(p.specific_threshold);
  terms.specific_share = fraction(p.specific_share);
  terms.specific_cap = pounds(p.specific_cap);
  terms.b1 = fraction(p.corridor_b1);
  terms.b2 = fraction(p.corridor_b2);
  terms.f2 = fraction(p.loss_share_f2);
  terms.f3 = fraction(p.loss_share_f3);
  terms.g2 = fraction(p.gain_share_g2);
  terms.g3 = fraction(p.gain_share_g3);
  terms.aggregate_cap = fraction(p.aggregate_cap);
  terms.gain_carry_cap = fraction(p.gain_carry_cap);
  terms.rebate_margin = fraction(p.rebate_margin);
  terms.max_call = fraction(p.max_call);
  return terms;
}

}  // namespace backstop
