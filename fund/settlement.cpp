// Rule 10: settling a fund year in one atomic entry: every member's corridor share and
// carry-forward (rules 6 and 9), loan instalments falling due (rule 7), the fund result,
// supplementary calls, deferral of the year's own unpaid recoveries, rebates, and the
// year's income and expense closed into the reserve (which may close negative).
#include "fund/claim_workflow.hpp"
#include "fund/internal.hpp"

namespace backstop::fund {
namespace {

struct MemberSettlement {
  std::string member;
  Money allocation, adjusted_allocation, spend, planned, avoidable, recoveries, variance, share,
      retained;
  CarryForward carried;
  Money loan_repaid;
  bool missing_return = false;
  Money contribution;
  // The year's own recoveries not yet paid (rule 10.3b): its claims with something due, in
  // filing order, then its positive F. A cut is split over them in that order.
  std::vector<std::pair<std::string, Money>> unpaid_claims;
  Money year_unpaid;
  std::vector<std::pair<std::string, Money>> claim_cuts;
  Money share_cut;
};

// S and P for a member: the aggregate claim, else the final return, else (when allowed)
// the last forecast.
void outturn_of(const std::string& member, const MemberYear& figures, bool allow_missing,
                MemberSettlement& out) {
  if (figures.aggregate_outturn) {
    out.spend = *figures.aggregate_outturn;
    out.planned = figures.aggregate_planned;
  } else if (auto last = figures.returns.find(12); last != figures.returns.end()) {
    out.spend = last->second.spend_to_date;
    out.planned = last->second.planned;
  } else if (allow_missing && !figures.returns.empty()) {
    out.spend = figures.returns.rbegin()->second.forecast_outturn;
    out.planned = figures.returns.rbegin()->second.planned;
    out.missing_return = true;
  } else {
    refuse("member '" + member +
               "' has no final return: file it, or close with "
               "allow_missing_returns",
           ErrorCode::constraint);
  }
  // Rule 6: planned spend counts only up to the approved loan.
  if (out.planned > figures.loan) out.planned = figures.loan;
}

void require_ready(const Context& context, const FundYear& year) {
  if (year.status != YearStatus::closing) {
    refuse("fund year " + std::to_string(year.year) + " is " + year_status_name(year.status) +
               "; begin_closing first",
           ErrorCode::constraint);
  }
  for (const auto& [id, claim] : context.state.claims) {
    if (claim.year == year.year && is_open_status(claim.status)) {
      refuse("claim " + id + " is still undecided", ErrorCode::constraint);
    }
  }
}

// A closed year takes no more claims or decisions, so the indexes that check them (R03's
// episodes, each patient's liability so far) are dropped: memory then holds only what a
// closed year can still be asked about (its claims, statements and settlement).
void forget_closed_year_indexes(FundState& state, std::uint32_t year) {
  std::erase_if(state.patient_liability,
                [&](const auto& item) { return std::get<1>(item.first) == year; });
  std::erase_if(state.episode_claims,
                [&](const auto& item) { return std::get<1>(item.first) == year; });
}

// R: the approved specific liability of the year, by member (rule 5, before any scaling).
std::map<std::string, Money> year_recoveries(const FundState& state, std::uint32_t year) {
  std::map<std::string, Money> out;
  for (const auto& [key, liability] : state.patient_liability) {
    if (std::get<1>(key) == year) out[std::get<0>(key)] += liability;
  }
  return out;
}

void unpaid_claims_of(const FundState& state, std::uint32_t year, MemberSettlement& m) {
  auto ids = state.member_claims.find(m.member);
  if (ids == state.member_claims.end()) return;
  for (const auto& id : ids->second) {
    const SpecificClaim& claim = state.claims.at(id);
    const Money due = claim_due(claim);
    if (claim.year != year || !(due > Money())) continue;
    m.unpaid_claims.emplace_back(id, due);
    m.year_unpaid += due;
  }
}

// Step 1 for one member: A', D, F and what its retained result carries forward.
MemberSettlement settle_member(const Context& context, const FundYear& year,
                               const std::string& member, const MemberYear& figures,
                               const Money& recoveries, bool allow_missing) {
  const YearParameters& parameters = parameters_at(year, context.time_unix_s);
  MemberSettlement m;
  m.member = member;
  m.allocation = figures.allocation;
  m.contribution = figures.contribution;
  m.adjusted_allocation = figures.allocation;
  if (auto items = context.state.carry.find(member); items != context.state.carry.end()) {
    for (const auto& item : items->second) {
      if (item.due_year != year.year) continue;
      m.adjusted_allocation += item.amount;
      if (item.kind == "loan_instalment") m.loan_repaid += -item.amount;
    }
  }
  outturn_of(member, figures, allow_missing, m);
  m.avoidable = figures.avoidable;
  m.recoveries = recoveries;
  m.variance = net_unplanned_variance(
      {m.adjusted_allocation, m.spend, m.planned, m.avoidable, m.recoveries});
  m.share = corridor_share(m.variance, m.allocation, parameters);
  m.retained = m.variance - m.share;
  m.carried = carry_forward(m.retained, m.allocation, parameters);
  unpaid_claims_of(context.state, year.year, m);
  if (m.share > Money()) m.year_unpaid += m.share;
  return m;
}

void post_member_settlement(Effect& effect, std::uint32_t year, const MemberSettlement& m) {
  const std::string payable = member_account(m.member, "payable");
  const std::string receivable = member_account(m.member, "receivable");
  if (m.share > Money()) {
    effect.postings.push_back(debit(year_account(year, "aggregate-shares"), m.share));
    effect.postings.push_back(credit(payable, m.share));
  } else if (m.share < Money()) {
    effect.postings.push_back(debit(receivable, -m.share));
    effect.postings.push_back(credit(year_account(year, "gain-shares"), -m.share));
  }
  if (m.carried.gain_surrendered > Money()) {
    effect.postings.push_back(debit(receivable, m.carried.gain_surrendered));
    effect.postings.push_back(
        credit(year_account(year, "surrendered-gains"), m.carried.gain_surrendered));
  }
  if (m.loan_repaid > Money()) {  // the instalment falling due is now owed in cash
    effect.postings.push_back(debit(receivable, m.loan_repaid));
    effect.postings.push_back(credit(member_account(m.member, "loan"), m.loan_repaid));
  }
}

// The year's income and expense accounts, on their normal side, with `postings` applied.
std::map<std::string, Money> year_balances(const Ledger& ledger, std::uint32_t year,
                                           const std::vector<Posting>& postings) {
  std::map<std::string, Money> out;
  const std::string prefix = year_account(year, "");
  for (const auto& [id, state] : ledger.accounts()) {
    if (id.starts_with(prefix)) out[id] = state.normal_balance();
  }
  for (const auto& posting : postings) {
    auto found = out.find(posting.account);
    if (found == out.end()) continue;
    const bool debit_normal = is_debit_normal(ledger.find_account(posting.account)->account.type);
    found->second += debit_normal ? posting.amount : -posting.amount;
  }
  return out;
}

// Step 2: opening reserve plus the year's income less its expenses.
Money fund_result(const Ledger& ledger, const std::map<std::string, Money>& balances) {
  Money reserve = balance(ledger, fund_account("reserve"));
  for (const auto& [id, amount] : balances) {
    reserve += is_debit_normal(ledger.find_account(id)->account.type) ? -amount : amount;
  }
  return reserve;
}

// A member's cut split over its unpaid claims and then its share, largest remainder.
void split_member_cut(MemberSettlement& m, const Money& cut) {
  if (cut.is_zero()) return;
  std::vector<Int128> weights;
  for (const auto& [id, due] : m.unpaid_claims) weights.push_back(due.pence());
  weights.push_back(m.share > Money() ? m.share.pence() : Int128(0));
  const std::vector<Money> parts = split_pro_rata(cut, weights).value();
  for (std::size_t i = 0; i < m.unpaid_claims.size(); ++i) {
    assert(parts[i] <= m.unpaid_claims[i].second);
    if (parts[i] > Money()) m.claim_cuts.emplace_back(m.unpaid_claims[i].first, parts[i]);
  }
  m.share_cut = parts.back();
}

// Steps 3 and 4: calls, deferral and rebates posted.
void post_reserve_actions(Effect& effect, std::uint32_t year, const SettlementResult& result,
                          std::vector<MemberSettlement>& settled) {
  for (std::size_t i = 0; i < settled.size(); ++i) {
    const std::string& member = settled[i].member;
    if (result.calls[i] > Money()) {
      effect.postings.push_back(debit(member_account(member, "receivable"), result.calls[i]));
      effect.postings.push_back(credit(year_account(year, "calls"), result.calls[i]));
    }
    if (result.deferred[i] > Money()) {
      effect.postings.push_back(debit(member_account(member, "payable"), result.deferred[i]));
      effect.postings.push_back(
          credit(year_account(year, "recoveries-deferred"), result.deferred[i]));
      split_member_cut(settled[i], result.deferred[i]);
    }
    if (result.rebates[i] > Money()) {
      effect.postings.push_back(debit(year_account(year, "rebates"), result.rebates[i]));
      effect.postings.push_back(credit(member_account(member, "payable"), result.rebates[i]));
    }
  }
}

// Step 5: every income and expense account of the year closed into the reserve.
Money close_into_reserve(Effect& effect, const Ledger& ledger,
                         const std::map<std::string, Money>& balances) {
  Money reserve = balance(ledger, fund_account("reserve"));
  for (const auto& [id, amount] : balances) {
    if (amount.is_zero()) continue;
    if (is_debit_normal(ledger.find_account(id)->account.type)) {
      effect.postings.push_back(debit(fund_account("reserve"), amount));
      effect.postings.push_back(credit(id, amount));
      reserve -= amount;
    } else {
      effect.postings.push_back(debit(id, amount));
      effect.postings.push_back(credit(fund_account("reserve"), amount));
      reserve += amount;
    }
  }
  return reserve;
}

SettlementFigures settlement_figures(const MemberSettlement& m, const Money& call,
                                     const Money& deferred, const Money& rebate) {
  return SettlementFigures{m.allocation,
                           m.adjusted_allocation,
                           m.spend,
                           m.planned,
                           m.avoidable,
                           m.recoveries,
                           m.variance,
                           m.share,
                           m.retained,
                           m.carried.loss_instalments,
                           m.carried.gain_credit,
                           m.carried.gain_surrendered,
                           m.loan_repaid,
                           m.year_unpaid,
                           call,
                           deferred,
                           m.share_cut,
                           rebate,
                           m.missing_return};
}

void record_member(FundState& state, FundYear& closed, const MemberSettlement& m,
                   const SettlementResult& result, std::size_t i, std::int64_t time_unix_s) {
  const std::uint32_t year = closed.year;
  MemberYear& figures = closed.members.at(m.member);
  figures.settlement =
      settlement_figures(m, result.calls[i], result.deferred[i], result.rebates[i]);
  figures.missing_return_closed = m.missing_return;
  auto& items = state.carry[m.member];
  for (std::size_t k = 0; k < m.carried.loss_instalments.size(); ++k) {
    items.push_back(CarryItem{year + 1 + static_cast<std::uint32_t>(k),
                              -m.carried.loss_instalments[k], "loss_instalment", year});
  }
  if (m.carried.gain_credit > Money()) {
    items.push_back(CarryItem{year + 1, m.carried.gain_credit, "gain_credit", year});
  }
  if (m.avoidable > Money()) items.push_back(CarryItem{year + 1, -m.avoidable, "avoidable", year});
  if (result.deferred[i] > Money()) closed.deferred_out[m.member] = result.deferred[i];
  for (const auto& [id, cut] : m.claim_cuts) state.claims.at(id).deferred += cut;
  if (result.calls[i] > Money()) {
    add_due(state, m.member, Due{"call", year, call_due_unix_s(time_unix_s), result.calls[i]});
  }
}

}  // namespace

Effect decide(const CloseYear& command, Context& context) {
  require_admin(context);
  const std::uint32_t year_number = command.year;
  const bool allow_missing = command.allow_missing_returns;
  const FundYear& year = find_year(context.state, year_number);
  require_ready(context, year);
  const YearParameters& parameters = parameters_at(year, context.time_unix_s);

  Effect effect;
  const auto recoveries = year_recoveries(context.state, year_number);
  std::vector<MemberSettlement> settled;
  for (const auto& [member, figures] : year.members) {
    if (!(figures.allocation > Money())) continue;
    const auto found = recoveries.find(member);
    settled.push_back(settle_member(context, year, member, figures,
                                    found == recoveries.end() ? Money() : found->second,
                                    allow_missing));
    post_member_settlement(effect, year_number, settled.back());
  }
  const Money reserve_before =
      fund_result(context.ledger, year_balances(context.ledger, year_number, effect.postings));

  std::vector<SettlementMember> inputs;
  for (const auto& m : settled) inputs.push_back({m.contribution, m.year_unpaid});
  Result<SettlementResult> reserve = settle_reserve(reserve_before, inputs, parameters);
  if (!reserve.is_ok()) refuse(reserve.status().message());
  const SettlementResult result = reserve.value();
  post_reserve_actions(effect, year_number, result, settled);

  const auto balances = year_balances(context.ledger, year_number, effect.postings);
  const Money reserve_after = close_into_reserve(effect, context.ledger, balances);
  assert(reserve_after == result.reserve_after);
  if (reserve_after != result.reserve_after) {
    refuse("settlement does not reconcile", ErrorCode::corruption);
  }

  SettlementTotals totals;
  const std::size_t prefix = year_account(year_number, "").size();
  for (const auto& [id, amount] : balances)
    totals.year_accounts.emplace_back(id.substr(prefix), amount);
  totals.reserve_opening = balance(context.ledger, fund_account("reserve"));
  totals.reserve_before_calls = reserve_before;
  totals.reserve_closing = reserve_after;
  totals.deficit = reserve_after.is_negative() ? -reserve_after : Money();
  totals.reserve_target = parameters.reserve_target;
  totals.members = settled.size();
  const std::int64_t time = context.time_unix_s;
  effect.apply = [=](FundState& state, std::uint64_t) {
    FundYear& closed = state.years.at(year_number);
    for (std::size_t i = 0; i < settled.size(); ++i) {
      record_member(state, closed, settled[i], result, i, time);
    }
    closed.status = YearStatus::closed;
    closed.report = totals;
    forget_closed_year_indexes(state, year_number);
    return YearClosed{year_number, totals};
  };
  return effect;
}

}  // namespace backstop::fund
