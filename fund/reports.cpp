// Reads: member statements, the fund report, early warnings (rule 4) and claims. Pure.
#include "fund/claim_workflow.hpp"
#include "fund/internal.hpp"

namespace backstop {
using namespace fund;

namespace {

ClaimView claim_view(const SpecificClaim& claim) {
  return ClaimView{claim.id,
                   claim.member,
                   claim.year,
                   claim.patient,
                   claim.episode,
                   claim.kind,
                   claim.cumulative_cost,
                   claim.adjudicated_cost,
                   claim.status,
                   claim.approved,
                   claim.paid,
                   claim.deferred,
                   claim.review_reason,
                   claim.appealed,
                   claim.decisions,
                   claim.proposed.has_value()};
}

// Rule 10.6: what the fund and the member owe each other now, and what has moved.
MemberAccounts member_accounts(const FundState& state, const Ledger& ledger,
                               const std::string& member) {
  PaymentTotals moved;
  if (auto found = state.payments.find(member); found != state.payments.end())
    moved = found->second;
  return {balance(ledger, member_account(member, "payable")),
          balance(ledger, member_account(member, "receivable")),
          deferred_outstanding(state, member),
          moved.paid_out,
          moved.set_off,
          moved.received};
}

void add_accounts(MemberAccounts& sum, const MemberAccounts& more) {
  sum.owed_by_fund += more.owed_by_fund;
  sum.owes_fund += more.owes_fund;
  sum.deferred_outstanding += more.deferred_outstanding;
  sum.paid_out += more.paid_out;
  sum.set_off += more.set_off;
  sum.received += more.received;
}

Result<const FundYear*> year_or_error(const FundState& state, std::uint32_t year) {
  auto found = state.years.find(year);
  if (found == state.years.end())
    return Status::error(ErrorCode::not_found, "no fund year " + std::to_string(year));
  return &found->second;
}

// The years of a rolling three-year cycle ending with `year`.
std::pair<std::uint32_t, std::uint32_t> cycle_of(std::uint32_t year) {
  return {year >= 2 ? year - 2 : 0, year};
}

PendingClaims::Row pending_row(const FundState& state, const SpecificClaim& claim, bool unpaid) {
  PendingClaims::Row row{claim.id,
                         claim.member,
                         claim.status,
                         claim.cumulative_cost,
                         false,
                         std::nullopt,
                         PendingClaims::Awaiting::decision,
                         std::nullopt,
                         std::nullopt};
  if (!claim.decisions.empty()) {
    row.decided = true;
    row.reason_code = claim.decisions.back().reason_code;
  }
  const auto payment = state.proposed_payments.find("claim:" + claim.id);
  if (claim.proposed) {
    row.awaiting = PendingClaims::Awaiting::second_administrator;
    row.proposed_by = claim.proposed->actor;
  } else if (payment != state.proposed_payments.end()) {
    row.awaiting = PendingClaims::Awaiting::payment_confirmation;
    row.proposed_by = payment->second.actor;
  } else if (unpaid) {
    row.awaiting = PendingClaims::Awaiting::payment;
    row.due = claim_due(claim);
  }
  return row;
}

}  // namespace

Result<ClaimView> Fund::claim(const std::string& claim_id) const {
  auto found = state_->claims.find(claim_id);
  if (found == state_->claims.end())
    return Status::error(ErrorCode::not_found, "no claim '" + claim_id + "'");
  return claim_view(found->second);
}

Result<PendingClaims> Fund::pending_claims(std::uint32_t year_number) const {
  auto year = year_or_error(*state_, year_number);
  if (!year.is_ok()) return year.status();
  PendingClaims out{year_number, {}, {}};
  for (const auto& [id, claim] : state_->claims) {
    if (claim.year != year_number) continue;
    const bool unpaid = next_status(claim.status, ClaimEvent::pay) == ClaimStatus::paid &&
                        claim_due(claim) > Money();
    if (claim.status != ClaimStatus::pended && claim.status != ClaimStatus::under_review && !unpaid)
      continue;
    out.claims.push_back(pending_row(*state_, claim, unpaid));
  }
  // Payments out proposed by one administrator, awaiting a second (any year).
  for (const auto& [key, proposed] : state_->proposed_payments) {
    out.payments.push_back({key, proposed.actor, proposed.cash});
  }
  return out;
}

Result<MemberStatement> Fund::member_statement(const std::string& member_id,
                                               std::uint32_t year_number) const {
  auto member = state_->members.find(member_id);
  if (member == state_->members.end())
    return Status::error(ErrorCode::not_found, "no member '" + member_id + "'");
  auto year = year_or_error(*state_, year_number);
  if (!year.is_ok()) return year.status();
  MemberStatement out;
  out.member = member_id;
  out.name = member->second.name;
  out.status = member->second.status;
  out.population = member->second.population;
  out.year = year_number;
  out.year_status = year.value()->status;
  out.merged_into = member->second.merged_into;
  if (auto figures = year.value()->members.find(member_id);
      figures != year.value()->members.end()) {
    const MemberYear& f = figures->second;
    out.figures = MemberStatement::YearFigures{f.allocation, f.contribution, f.loan, std::nullopt,
                                               f.settlement};
    if (!f.returns.empty()) {
      const auto& latest = f.returns.rbegin()->second;
      out.figures->latest_return = {latest.period, latest.spend_to_date, latest.forecast_outturn};
    }
  }
  out.owes_fund = balance(ledger_, member_account(member_id, "receivable"));
  out.owed_by_fund = balance(ledger_, member_account(member_id, "payable"));
  out.loan_outstanding = balance(ledger_, member_account(member_id, "loan"));
  out.accounts = member_accounts(*state_, ledger_, member_id);
  if (auto ids = state_->member_claims.find(member_id); ids != state_->member_claims.end()) {
    for (const auto& id : ids->second) {
      const SpecificClaim& claim = state_->claims.at(id);
      if (claim.year == year_number) out.claims.push_back(claim_view(claim));
    }
  }
  // Rule 9: what was carried into this year and out of it.
  if (auto items = state_->carry.find(member_id); items != state_->carry.end()) {
    for (const auto& item : items->second) {
      if (item.due_year == year_number) out.carried_in.push_back(item);
      if (item.from_year == year_number) out.carried_out.push_back(item);
    }
  }
  // The rolling three-year cycle: net unplanned variance of this year and the two before.
  const auto [first, last] = cycle_of(year_number);
  for (std::uint32_t y = first; y <= last; ++y) {
    auto past = state_->years.find(y);
    if (past == state_->years.end()) continue;
    auto figures = past->second.members.find(member_id);
    if (figures == past->second.members.end() || !figures->second.settlement) continue;
    const Money variance = figures->second.settlement->net_unplanned_variance;
    out.cumulative_variance += variance;
    out.cycle_variances.emplace_back(y, variance);
  }
  return out;
}

Result<FundReport> Fund::fund_report(std::uint32_t year_number) const {
  auto year = year_or_error(*state_, year_number);
  if (!year.is_ok()) return year.status();
  const FundYear& found = *year.value();
  FundReport out;
  out.year = year_number;
  out.status = found.status;
  out.parameter_versions = found.versions.size();
  out.parameters = found.versions.back().parameters;
  out.reserve = balance(ledger_, fund_account("reserve"));
  out.bank = balance(ledger_, fund_account("bank"));
  out.settlement = found.report;
  for (const auto& [member, figures] : found.members) {
    out.allocations += figures.allocation;
    out.contributions += figures.contribution;
    const MemberAccounts accounts = member_accounts(*state_, ledger_, member);
    if (!out.payments) out.payments = MemberAccounts{};
    add_accounts(*out.payments, accounts);
    out.members.push_back(
        {member, figures.allocation, figures.contribution, figures.settlement, accounts});
  }
  // Three-year view of the fund: the closing reserve of this year and the two before.
  const auto [first, last] = cycle_of(year_number);
  for (std::uint32_t y = first; y <= last; ++y) {
    auto past = state_->years.find(y);
    if (past != state_->years.end() && past->second.report) {
      out.reserve_closings.emplace_back(y, past->second.report->reserve_closing);
    }
  }
  return out;
}

// Rule 4: flag a member whose forecast puts it beyond b2, or whose carried debt exceeds
// what it could repay within the first band over loss_repay_years (docs/fund.md).
Result<EarlyWarnings> Fund::early_warnings(std::uint32_t year_number) const {
  auto year = year_or_error(*state_, year_number);
  if (!year.is_ok()) return year.status();
  const FundYear& found = *year.value();
  const YearParameters& parameters = found.versions.back().parameters;
  EarlyWarnings out{year_number, {}};
  for (const auto& [member, figures] : found.members) {
    if (!(figures.allocation > Money())) continue;
    EarlyWarnings::Flag flag{member, {}, Money()};
    if (!figures.returns.empty()) {
      const auto& latest = figures.returns.rbegin()->second;
      const Money forecast_variance = latest.forecast_outturn - latest.planned - figures.allocation;
      if (forecast_variance > multiply(figures.allocation, parameters.corridor_b2))
        flag.reasons.push_back(EarlyWarnings::Reason::forecast_beyond_b2);
    }
    if (auto items = state_->carry.find(member); items != state_->carry.end()) {
      for (const auto& item : items->second) {
        if (item.due_year > year_number && item.amount < Money()) flag.carried_debt -= item.amount;
      }
    }
    const Money capacity = multiply_ratio(multiply(figures.allocation, parameters.corridor_b1),
                                          parameters.loss_repay_years, 1);
    if (flag.carried_debt > capacity)
      flag.reasons.push_back(EarlyWarnings::Reason::carried_debt_beyond_capacity);
    if (!flag.reasons.empty()) out.flagged.push_back(std::move(flag));
  }
  return out;
}

}  // namespace backstop
