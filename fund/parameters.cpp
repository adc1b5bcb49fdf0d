// Rule 2's parameters by name, in the order reports list them.
#include "fund/parameters.hpp"

#include <algorithm>

#include "fund/internal.hpp"

namespace backstop {

const std::vector<ParameterField>& parameter_fields() {
  using K = ParameterField::Kind;
  using P = YearParameters;
  auto money = [](const char* name, Money P::*member) {
    return ParameterField{name, K::money, member, nullptr, nullptr};
  };
  auto rate = [](const char* name, Rate P::*member) {
    return ParameterField{name, K::rate, nullptr, member, nullptr};
  };
  auto integer = [](const char* name, int P::*member, int low, int high) {
    return ParameterField{name, K::integer, nullptr, nullptr, member, low, high};
  };
  static const std::vector<ParameterField> fields = {
      money("specific_threshold", &P::specific_threshold),
      money("specific_cap", &P::specific_cap),
      money("reserve_target", &P::reserve_target),
      money("four_eyes_above", &P::four_eyes_above),
      money("manual_review_above", &P::manual_review_above),
      rate("specific_share", &P::specific_share),
      rate("corridor_b1", &P::corridor_b1),
      rate("corridor_b2", &P::corridor_b2),
      rate("loss_share_f2", &P::loss_share_f2),
      rate("loss_share_f3", &P::loss_share_f3),
      rate("gain_share_g2", &P::gain_share_g2),
      rate("gain_share_g3", &P::gain_share_g3),
      rate("aggregate_cap", &P::aggregate_cap),
      rate("gain_carry_cap", &P::gain_carry_cap),
      rate("loan_limit", &P::loan_limit),
      rate("rebate_margin", &P::rebate_margin),
      rate("max_call", &P::max_call),
      rate("review_sample", &P::review_sample),
      integer("loss_repay_years", &P::loss_repay_years, 1, 10),
      integer("loan_term_years", &P::loan_term_years, 1, 10),
      integer("specific_deadline_days", &P::specific_deadline_days, 0, 730),
      integer("aggregate_deadline_days", &P::aggregate_deadline_days, 0, 730)};
  return fields;
}

Result<YearParameters> apply_overrides(const YearParameters& base,
                                       const ParameterOverrides& overrides) {
  YearParameters out = base;
  for (const auto& field : parameter_fields()) {
    const auto& given = overrides.given;
    if (std::find(given.begin(), given.end(), field.name) == given.end()) continue;
    if (field.money) out.*field.money = overrides.values.*field.money;
    if (field.rate) out.*field.rate = overrides.values.*field.rate;
    if (field.integer) out.*field.integer = overrides.values.*field.integer;
  }
  if (Status valid = check_parameters(out); !valid.is_ok()) {
    return Status::refusal(valid.code(), valid.message(), "parameters");
  }
  return out;
}

namespace fund {

YearParameters year_parameters(const YearParameters& base,
                               const std::optional<ParameterOverrides>& overrides) {
  if (!overrides) return base;
  Result<YearParameters> applied = apply_overrides(base, *overrides);
  if (!applied.is_ok()) throw Refusal(applied.status());
  return applied.value();
}

}  // namespace fund
}  // namespace backstop
