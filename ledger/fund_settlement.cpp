// Rule 10: settling a fund year in one atomic entry: every member's corridor share and
// carry-forward (rules 6 and 9), loan instalments falling due (rule 7), the fund result,
// supplementary calls, deferral of unpaid recoveries, rebates, and the year's income and
// expense closed into the reserve.
#include "ledger/fund_internal.hpp"

namespace backstop::fund {
namespace json = boost::json;
namespace {

struct MemberSettlement {
  std::string member;
  Money allocation, adjusted_allocation, spend, planned, avoidable, recoveries, variance, share, retained;
  CarryForward carried;
  Money loan_repaid;
  bool missing_return = false;
  Money contribution;
  Money unpaid;  // approved recoveries still owed to the member after its share
};

// S and P for a member: the aggregate claim, else the final return, else (when allowed)
// the last forecast.
void outturn_of(const std::string& member, const MemberYear& figures, bool allow_missing, MemberSettlement& out) {
  if (figures.aggregate_outturn) {
    out.spend = *figures.aggregate_outturn;
    out.planned = figures.aggregate_planned;
  } else if (auto final_return = figures.returns.find(12); final_return != figures.returns.end()) {
    out.spend = final_return->second.spend_to_date;
    out.planned = final_return->second.planned;
  } else if (allow_missing && !figures.returns.empty()) {
    out.spend = figures.returns.rbegin()->second.forecast_outturn;
    out.planned = figures.returns.rbegin()->second.planned;
    out.missing_return = true;
  } else {
    refuse("member '" + member + "' has no final return: file it, or close with allow_missing_returns", ErrorCode::constraint);
  }
  // Rule 6: planned spend counts only up to the approved loan.
  if (out.planned > figures.loan) out.planned = figures.loan;
}

json::object settlement_json(const MemberSettlement& m, const Money& call, const Money& deferred, const Money& rebate) {
  json::array instalments;
  for (const auto& part : m.carried.loss_instalments) instalments.push_back(json::value(part.to_string()));
  return json::object{{"allocation", m.allocation.to_string()},
                      {"adjusted_allocation", m.adjusted_allocation.to_string()},
                      {"spend", m.spend.to_string()},
                      {"planned", m.planned.to_string()},
                      {"avoidable", m.avoidable.to_string()},
                      {"specific_recoveries", m.recoveries.to_string()},
                      {"net_unplanned_variance", m.variance.to_string()},
                      {"fund_share", m.share.to_string()},
                      {"retained", m.retained.to_string()},
                      {"loss_instalments", instalments},
                      {"gain_credit", m.carried.gain_credit.to_string()},
                      {"gain_surrendered", m.carried.gain_surrendered.to_string()},
                      {"loan_repaid", m.loan_repaid.to_string()},
                      {"supplementary_call", call.to_string()},
                      {"deferred_recoveries", deferred.to_string()},
                      {"rebate", rebate.to_string()},
                      {"missing_return", m.missing_return}};
}

}  // namespace

Effect decide_close_year(Context& context) {
  require_admin(context);
  const std::uint32_t year_number = context.fields.year();
  const bool allow_missing = context.fields.boolean("allow_missing_returns", false);
  const FundYear& year = find_year(context.state, year_number);
  if (year.status != YearStatus::closing) {
    refuse("fund year " + std::to_string(year_number) + " is " + year_status_name(year.status) + "; begin_closing first", ErrorCode::constraint);
  }
  for (const auto& [id, claim] : context.state.claims) {
    const bool undecided = claim.status == ClaimStatus::submitted || claim.status == ClaimStatus::pended ||
                           claim.status == ClaimStatus::under_review || claim.status == ClaimStatus::appealed;
    if (claim.year == year_number && undecided) refuse("claim " + id + " is still undecided", ErrorCode::constraint);
  }
  const YearParameters& parameters = parameters_at(year, context.time_unix_s);

  // Step 1: every member's F and carry-forward.
  std::map<std::string, Money> recoveries;  // R by member: approved specific liability for the year
  for (const auto& [key, liability] : context.state.patient_liability) {
    if (std::get<1>(key) == year_number) recoveries[std::get<0>(key)] += liability;
  }
  Effect effect;
  std::vector<MemberSettlement> settled;
  for (const auto& [member, figures] : year.members) {
    if (!(figures.allocation > Money())) continue;
    MemberSettlement m;
    m.member = member;
    m.allocation = figures.allocation;
    m.contribution = figures.contribution;
    m.adjusted_allocation = figures.allocation;
    if (auto items = context.state.carry.find(member); items != context.state.carry.end()) {
      for (const auto& item : items->second) {
        if (item.due_year != year_number) continue;
        m.adjusted_allocation += item.amount;
        if (item.kind == "loan_instalment") m.loan_repaid += -item.amount;
      }
    }
    outturn_of(member, figures, allow_missing, m);
    m.avoidable = figures.avoidable;
    if (auto found = recoveries.find(member); found != recoveries.end()) m.recoveries = found->second;
    m.variance = net_unplanned_variance({m.adjusted_allocation, m.spend, m.planned, m.avoidable, m.recoveries});
    m.share = corridor_share(m.variance, m.allocation, parameters);
    m.retained = m.variance - m.share;
    m.carried = carry_forward(m.retained, m.allocation, parameters);

    const std::string payable = member_account(member, "payable");
    const std::string receivable = member_account(member, "receivable");
    if (m.share > Money()) {
      effect.postings.push_back(debit(year_account(year_number, "aggregate-shares"), m.share));
      effect.postings.push_back(credit(payable, m.share));
    } else if (m.share < Money()) {
      effect.postings.push_back(debit(receivable, -m.share));
      effect.postings.push_back(credit(year_account(year_number, "gain-shares"), -m.share));
    }
    if (m.carried.gain_surrendered > Money()) {
      effect.postings.push_back(debit(receivable, m.carried.gain_surrendered));
      effect.postings.push_back(credit(year_account(year_number, "surrendered-gains"), m.carried.gain_surrendered));
    }
    if (m.loan_repaid > Money()) {  // the instalment falling due is now owed in cash
      effect.postings.push_back(debit(receivable, m.loan_repaid));
      effect.postings.push_back(credit(member_account(member, "loan"), m.loan_repaid));
    }
    m.unpaid = balance(context.ledger, payable) + (m.share > Money() ? m.share : Money());
    settled.push_back(std::move(m));
  }

  // Step 2: the fund result: the reserve plus this year's income less its expenses.
  std::map<std::string, Money> year_balances;  // normal-side balances after step 1
  for (const auto& [id, state] : context.ledger.accounts()) {
    if (id.starts_with(year_account(year_number, ""))) year_balances[id] = state.normal_balance();
  }
  for (const auto& posting : effect.postings) {
    auto found = year_balances.find(posting.account);
    if (found == year_balances.end()) continue;
    const bool debit_normal = is_debit_normal(context.ledger.find_account(posting.account)->account.type);
    found->second += debit_normal ? posting.amount : -posting.amount;
  }
  Money reserve_before = balance(context.ledger, fund_account("reserve"));
  for (const auto& [id, amount] : year_balances) {
    reserve_before += is_debit_normal(context.ledger.find_account(id)->account.type) ? -amount : amount;
  }

  // Steps 3 and 4: calls, deferral, rebates.
  std::vector<SettlementMember> inputs;
  for (const auto& m : settled) inputs.push_back({m.contribution, m.unpaid});
  Result<SettlementResult> reserve = settle_reserve(reserve_before, inputs, parameters);
  if (!reserve.is_ok()) refuse(reserve.status().message());
  const SettlementResult& result = reserve.value();
  for (std::size_t i = 0; i < settled.size(); ++i) {
    const std::string& member = settled[i].member;
    if (result.calls[i] > Money()) {
      effect.postings.push_back(debit(member_account(member, "receivable"), result.calls[i]));
      effect.postings.push_back(credit(year_account(year_number, "calls"), result.calls[i]));
      year_balances[year_account(year_number, "calls")] += result.calls[i];
    }
    if (result.deferred[i] > Money()) {
      effect.postings.push_back(debit(member_account(member, "payable"), result.deferred[i]));
      effect.postings.push_back(credit(year_account(year_number, "recoveries-deferred"), result.deferred[i]));
      year_balances[year_account(year_number, "recoveries-deferred")] += result.deferred[i];
    }
    if (result.rebates[i] > Money()) {
      effect.postings.push_back(debit(year_account(year_number, "rebates"), result.rebates[i]));
      effect.postings.push_back(credit(member_account(member, "payable"), result.rebates[i]));
      year_balances[year_account(year_number, "rebates")] += result.rebates[i];
    }
  }

  // Step 5: close the year's income and expense into the reserve.
  Money reserve_after = balance(context.ledger, fund_account("reserve"));
  for (const auto& [id, amount] : year_balances) {
    if (amount.is_zero()) continue;
    if (is_debit_normal(context.ledger.find_account(id)->account.type)) {
      effect.postings.push_back(debit(fund_account("reserve"), amount));
      effect.postings.push_back(credit(id, amount));
      reserve_after -= amount;
    } else {
      effect.postings.push_back(debit(id, amount));
      effect.postings.push_back(credit(fund_account("reserve"), amount));
      reserve_after += amount;
    }
  }
  assert(reserve_after == result.reserve_after);
  if (reserve_after != result.reserve_after) refuse("settlement does not reconcile", ErrorCode::corruption);

  json::object totals;
  for (const auto& [id, amount] : year_balances) totals[id.substr(year_account(year_number, "").size())] = amount.to_string();
  totals["reserve_opening"] = balance(context.ledger, fund_account("reserve")).to_string();
  totals["reserve_before_calls"] = reserve_before.to_string();
  totals["reserve_closing"] = reserve_after.to_string();
  totals["reserve_target"] = parameters.reserve_target.to_string();
  totals["members"] = settled.size();
  effect.apply = [=](FundState& state, std::uint64_t) {
    FundYear& closed = state.years.at(year_number);
    for (std::size_t i = 0; i < settled.size(); ++i) {
      const MemberSettlement& m = settled[i];
      closed.members.at(m.member).settlement = settlement_json(m, result.calls[i], result.deferred[i], result.rebates[i]);
      closed.members.at(m.member).missing_return_closed = m.missing_return;
      auto& items = state.carry[m.member];
      for (std::size_t k = 0; k < m.carried.loss_instalments.size(); ++k) {
        items.push_back(CarryItem{year_number + 1 + static_cast<std::uint32_t>(k), -m.carried.loss_instalments[k], "loss_instalment", year_number});
      }
      if (m.carried.gain_credit > Money()) items.push_back(CarryItem{year_number + 1, m.carried.gain_credit, "gain_credit", year_number});
      if (m.avoidable > Money()) items.push_back(CarryItem{year_number + 1, -m.avoidable, "avoidable", year_number});
      if (result.deferred[i] > Money()) closed.deferred_out[m.member] = result.deferred[i];
    }
    closed.status = YearStatus::closed;
    closed.report = totals;
    return json::object{{"year", year_number}, {"status", "closed"}, {"totals", totals}};
  };
  return effect;
}

}  // namespace backstop::fund
