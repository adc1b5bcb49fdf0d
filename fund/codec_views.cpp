// Views and command results to JSON. Field names and their order are part of the API
// (docs/fund.md, docs/api/openapi.yaml): a store written by an earlier build must read the
// same, byte for byte (tests/legacy_store_test.sh).
#include "fund/codec.hpp"

namespace backstop {
namespace json = boost::json;

namespace {

json::string money(const Money& amount) { return json::string(amount.to_string()); }
json::string reason(const std::optional<ReasonCode>& code) {
  return json::string(code ? reason_code_name(*code) : std::string());
}

json::object accounts_json(const MemberAccounts& a) {
  return {{"owed_by_fund", money(a.owed_by_fund)},
          {"owes_fund", money(a.owes_fund)},
          {"deferred_outstanding", money(a.deferred_outstanding)},
          {"paid_out", money(a.paid_out)},
          {"set_off", money(a.set_off)},
          {"received", money(a.received)}};
}

json::object settlement_json(const SettlementFigures& s) {
  json::array instalments;
  for (const auto& part : s.loss_instalments) instalments.push_back(money(part));
  return {{"allocation", money(s.allocation)},
          {"adjusted_allocation", money(s.adjusted_allocation)},
          {"spend", money(s.spend)},
          {"planned", money(s.planned)},
          {"avoidable", money(s.avoidable)},
          {"specific_recoveries", money(s.specific_recoveries)},
          {"net_unplanned_variance", money(s.net_unplanned_variance)},
          {"fund_share", money(s.fund_share)},
          {"retained", money(s.retained)},
          {"loss_instalments", instalments},
          {"gain_credit", money(s.gain_credit)},
          {"gain_surrendered", money(s.gain_surrendered)},
          {"loan_repaid", money(s.loan_repaid)},
          {"year_recoveries_unpaid", money(s.year_recoveries_unpaid)},
          {"supplementary_call", money(s.supplementary_call)},
          {"deferred_recoveries", money(s.deferred_recoveries)},
          {"fund_share_deferred", money(s.fund_share_deferred)},
          {"rebate", money(s.rebate)},
          {"missing_return", s.missing_return}};
}

json::object totals_json(const SettlementTotals& t) {
  json::object out;
  for (const auto& [name, amount] : t.year_accounts) out[name] = money(amount);
  out["reserve_opening"] = money(t.reserve_opening);
  out["reserve_before_calls"] = money(t.reserve_before_calls);
  out["reserve_closing"] = money(t.reserve_closing);
  out["deficit"] = money(t.deficit);
  out["reserve_target"] = money(t.reserve_target);
  out["members"] = t.members;
  return out;
}

json::object carry_json(const CarryItem& item) {
  return {{"kind", item.kind},
          {"amount", money(item.amount)},
          {"from_year", item.from_year},
          {"due_year", item.due_year}};
}

// A report row carries the settlement figures a fund report lists, in this order.
void put_settlement_row(json::object& row, const SettlementFigures& s) {
  const json::object all = settlement_json(s);
  for (const char* key :
       {"adjusted_allocation", "specific_recoveries", "net_unplanned_variance", "fund_share",
        "retained", "loss_instalments", "gain_credit", "gain_surrendered", "loan_repaid",
        "year_recoveries_unpaid", "supplementary_call", "deferred_recoveries",
        "fund_share_deferred", "rebate"}) {
    row[key] = all.at(key);
  }
}

const char* awaiting_name(PendingClaims::Awaiting awaiting) {
  switch (awaiting) {
    case PendingClaims::Awaiting::decision:
      return "decision";
    case PendingClaims::Awaiting::second_administrator:
      return "second_administrator";
    case PendingClaims::Awaiting::payment_confirmation:
      return "payment_confirmation";
    case PendingClaims::Awaiting::payment:
      return "payment";
  }
  return "unknown";
}

json::object result_json(const MemberStatusSet& r) {
  return {{"member", r.member}, {"status", member_status_name(r.status)}};
}
json::object result_json(const MemberRenamed& r) {
  return {{"member", r.member}, {"name", r.name}};
}
json::object result_json(const PopulationUpdated& r) {
  return {{"member", r.member}, {"population", r.population}};
}
json::object result_json(const MembersMerged& r) {
  return {{"member", r.member}, {"merged_into", r.merged_into}};
}
json::object result_json(const YearCreated& r) {
  return {{"year", r.year}, {"status", "draft"}, {"parameters", to_json(r.parameters)}};
}
json::object result_json(const ParametersAmended& r) {
  return {{"year", r.year}, {"version", r.version}, {"effective_from", r.effective_from}};
}
json::object result_json(const YearStatusSet& r) {
  return {{"year", r.year}, {"status", year_status_name(r.status)}};
}
json::object result_json(const AllocationSet& r) {
  return {{"year", r.year}, {"member", r.member}, {"allocation", money(r.allocation)}};
}
json::object result_json(const ScheduleApplied& r) {
  return {{"year", r.year}, {"members", r.members}, {"total", money(r.total)}};
}
json::object result_json(const ReturnFiled& r) {
  return {{"year", r.year}, {"member", r.member}, {"period", r.period}, {"final", r.period == 12}};
}
json::object result_json(const AvoidableSet& r) {
  return {{"year", r.year},
          {"member", r.member},
          {"avoidable", money(r.avoidable)},
          {"reason_code", reason_code_name(ReasonCode::R07)}};
}
json::object result_json(const LoanApproved& r) {
  return {{"year", r.year},
          {"member", r.member},
          {"loan", money(r.loan)},
          {"instalments", r.instalments}};
}
json::object result_json(const ClaimOutcome& r) {
  json::object out{
      {"claim", r.claim}, {"status", claim_status_name(r.status)}, {"approved", money(r.approved)}};
  if (r.has_decision) out["reason_code"] = reason(r.reason_code);
  if (!r.review.empty()) out["review"] = r.review;
  if (r.awaiting_second_administrator) out["awaiting"] = "second_administrator";
  return out;
}
json::object result_json(const AggregateClaimFiled& r) {
  return {{"claim", r.claim}, {"status", "submitted"}, {"decided_at", "settlement"}};
}
json::object result_json(const PaymentMade& r) {
  json::object out{{"member", r.member},
                   {"owed", money(r.owed)},
                   {"set_off", money(r.set_off)},
                   {"paid", money(r.paid)}};
  if (r.claim) out["claim"] = *r.claim, out["status"] = "paid";
  if (r.claims_paid) out["claims_paid"] = *r.claims_paid;
  return out;
}
json::object result_json(const PaymentProposed& r) {
  return {{"payment", r.payment},
          {"paid", money(Money())},
          {"proposed", money(r.proposed)},
          {"awaiting", "second_administrator"}};
}
json::object result_json(const ReceiptRecorded& r) {
  return {
      {"member", r.member}, {"received", money(r.received)}, {"still_owed", money(r.still_owed)}};
}
json::object result_json(const PaymentReversed& r) {
  return {{"claim", r.claim}, {"status", "reversed"}, {"reversed", money(r.reversed)}};
}
json::object result_json(const YearClosed& r) {
  return {{"year", r.year}, {"status", "closed"}, {"totals", totals_json(r.totals)}};
}

}  // namespace

json::object to_json(const CommandResult& result) {
  return std::visit([](const auto& typed) { return result_json(typed); }, result);
}

json::object to_json(const ClaimView& c) {
  json::array decisions;
  for (const auto& d : c.decisions) {
    decisions.push_back(json::object{{"actor", d.actor},
                                     {"outcome", claim_status_name(d.outcome)},
                                     {"reason_code", reason(d.reason_code)},
                                     {"time", d.time_unix_s},
                                     {"note", d.note}});
  }
  json::object out{{"claim", c.claim},
                   {"member", c.member},
                   {"year", c.year},
                   {"patient", c.patient},
                   {"episode", c.episode},
                   {"kind", claim_kind_name(c.kind)},
                   {"cumulative_cost", money(c.cumulative_cost)},
                   {"adjudicated_cost", money(c.adjudicated_cost)},
                   {"status", claim_status_name(c.status)},
                   {"approved", money(c.approved)},
                   {"paid", money(c.paid)},
                   {"deferred", money(c.deferred)},
                   {"review", c.review},
                   {"appealed", c.appealed},
                   {"decisions", decisions}};
  if (c.awaiting_second_administrator) out["awaiting"] = "second_administrator";
  return out;
}

json::object to_json(const PendingClaims& view) {
  json::array claims, payments;
  for (const auto& row : view.claims) {
    json::object out{{"claim", row.claim},
                     {"member", row.member},
                     {"status", claim_status_name(row.status)},
                     {"cumulative_cost", money(row.cumulative_cost)}};
    if (row.decided) out["reason_code"] = reason(row.reason_code);
    out["awaiting"] = awaiting_name(row.awaiting);
    if (row.proposed_by) out["proposed_by"] = *row.proposed_by;
    if (row.due) out["due"] = money(*row.due);
    claims.push_back(std::move(out));
  }
  for (const auto& p : view.payments) {
    payments.push_back(json::object{
        {"payment", p.payment}, {"proposed_by", p.proposed_by}, {"amount", money(p.amount)}});
  }
  return {{"year", view.year}, {"claims", claims}, {"payments", payments}};
}

json::object to_json(const MemberStatement& s) {
  json::object out{{"member", s.member},
                   {"name", s.name},
                   {"status", member_status_name(s.status)},
                   {"population", s.population},
                   {"year", s.year},
                   {"year_status", year_status_name(s.year_status)}};
  if (s.merged_into) out["merged_into"] = *s.merged_into;
  if (s.figures) {
    out["allocation"] = money(s.figures->allocation);
    out["contribution"] = money(s.figures->contribution);
    out["loan"] = money(s.figures->loan);
    if (const auto& latest = s.figures->latest_return) {
      out["latest_return"] = json::object{{"period", latest->period},
                                          {"spend_to_date", money(latest->spend_to_date)},
                                          {"forecast_outturn", money(latest->forecast_outturn)}};
    }
    if (s.figures->settlement) out["settlement"] = settlement_json(*s.figures->settlement);
  }
  out["owes_fund"] = money(s.owes_fund);
  out["owed_by_fund"] = money(s.owed_by_fund);
  out["loan_outstanding"] = money(s.loan_outstanding);
  out["accounts"] = accounts_json(s.accounts);
  json::array claims, carried_in, carried_out, cycle;
  for (const auto& claim : s.claims) claims.push_back(to_json(claim));
  for (const auto& item : s.carried_in) carried_in.push_back(carry_json(item));
  for (const auto& item : s.carried_out) carried_out.push_back(carry_json(item));
  for (const auto& [year, variance] : s.cycle_variances) {
    cycle.push_back(json::object{{"year", year}, {"net_unplanned_variance", money(variance)}});
  }
  out["claims"] = claims;
  out["carried_in"] = carried_in;
  out["carried_out"] = carried_out;
  out["three_year_cycle"] =
      json::object{{"years", cycle}, {"cumulative_variance", money(s.cumulative_variance)}};
  return out;
}

json::object to_json(const FundReport& r) {
  json::object out{{"year", r.year},
                   {"status", year_status_name(r.status)},
                   {"parameter_versions", r.parameter_versions},
                   {"parameters", to_json(r.parameters)},
                   {"reserve", money(r.reserve)},
                   {"bank", money(r.bank)}};
  if (r.settlement) out["settlement"] = totals_json(*r.settlement);
  json::array rows, cycle;
  for (const auto& member : r.members) {
    json::object row{{"member", member.member},
                     {"allocation", money(member.allocation)},
                     {"contribution", money(member.contribution)}};
    if (member.settlement) put_settlement_row(row, *member.settlement);
    row["accounts"] = accounts_json(member.accounts);
    rows.push_back(std::move(row));
  }
  json::object payments;  // by name, as a sorted map would give them
  if (r.payments) {
    const json::object sums = accounts_json(*r.payments);
    for (const char* name :
         {"deferred_outstanding", "owed_by_fund", "owes_fund", "paid_out", "received", "set_off"}) {
      payments[name] = sums.at(name);
    }
  }
  out["payments"] = payments;
  out["allocations"] = money(r.allocations);
  out["contributions"] = money(r.contributions);
  out["members"] = rows;
  for (const auto& [year, closing] : r.reserve_closings) {
    cycle.push_back(json::object{{"year", year}, {"reserve_closing", money(closing)}});
  }
  out["three_year_view"] = cycle;
  return out;
}

json::object to_json(const EarlyWarnings& w) {
  json::array flagged;
  for (const auto& flag : w.flagged) {
    json::array reasons;
    for (auto why : flag.reasons) {
      reasons.push_back(why == EarlyWarnings::Reason::forecast_beyond_b2
                            ? "forecast_beyond_b2"
                            : "carried_debt_beyond_capacity");
    }
    flagged.push_back(json::object{
        {"member", flag.member}, {"reasons", reasons}, {"carried_debt", money(flag.carried_debt)}});
  }
  return {{"year", w.year}, {"flagged", flagged}};
}

}  // namespace backstop
