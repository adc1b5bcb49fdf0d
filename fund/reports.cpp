// Reads: member statements, the fund report, early warnings (rule 4) and claims. Pure.
#include "fund/codec.hpp"
#include "fund/internal.hpp"

namespace backstop {
namespace json = boost::json;
using namespace fund;

namespace {

json::object claim_json(const SpecificClaim& claim) {
  json::array decisions;
  for (const auto& decision : claim.decisions) {
    decisions.push_back(json::object{{"actor", decision.actor},
                                     {"outcome", decision.outcome},
                                     {"reason_code", decision.reason_code},
                                     {"time", decision.time_unix_s},
                                     {"note", decision.note}});
  }
  json::object out{{"claim", claim.id},
                   {"member", claim.member},
                   {"year", claim.year},
                   {"patient", claim.patient},
                   {"episode", claim.episode},
                   {"kind", claim_kind_name(claim.kind)},
                   {"cumulative_cost", claim.cumulative_cost.to_string()},
                   {"adjudicated_cost", claim.adjudicated_cost.to_string()},
                   {"status", claim_status_name(claim.status)},
                   {"approved", claim.approved.to_string()},
                   {"paid", claim.paid.to_string()},
                   {"deferred", claim.deferred.to_string()},
                   {"review", claim.review_reason},
                   {"appealed", claim.appealed},
                   {"decisions", decisions}};
  if (claim.proposed) out["awaiting"] = "second_administrator";
  return out;
}

// Rule 10.6: what the fund and the member owe each other now, and what has moved.
using Accounts = std::vector<std::pair<const char*, Money>>;
Accounts member_accounts(const FundState& state, const Ledger& ledger, const std::string& member) {
  PaymentTotals moved;
  if (auto found = state.payments.find(member); found != state.payments.end())
    moved = found->second;
  return {{"owed_by_fund", balance(ledger, member_account(member, "payable"))},
          {"owes_fund", balance(ledger, member_account(member, "receivable"))},
          {"deferred_outstanding", deferred_outstanding(state, member)},
          {"paid_out", moved.paid_out},
          {"set_off", moved.set_off},
          {"received", moved.received}};
}

json::object accounts_json(const Accounts& accounts) {
  json::object out;
  for (const auto& [name, amount] : accounts) out[name] = amount.to_string();
  return out;
}

Result<const FundYear*> year_or_error(const FundState& state, std::uint32_t year) {
  auto found = state.years.find(year);
  if (found == state.years.end())
    return Status::error(ErrorCode::not_found, "no fund year " + std::to_string(year));
  return &found->second;
}

}  // namespace

Result<json::object> Fund::claim(const std::string& claim_id) const {
  auto found = state_->claims.find(claim_id);
  if (found == state_->claims.end())
    return Status::error(ErrorCode::not_found, "no claim '" + claim_id + "'");
  return claim_json(found->second);
}

Result<json::object> Fund::pending_claims(std::uint32_t year_number) const {
  auto year = year_or_error(*state_, year_number);
  if (!year.is_ok()) return year.status();
  json::array pending;
  for (const auto& [id, claim] : state_->claims) {
    if (claim.year != year_number) continue;
    const bool unpaid =
        (claim.status == ClaimStatus::approved || claim.status == ClaimStatus::partially_approved ||
         claim.status == ClaimStatus::reversed || claim.status == ClaimStatus::paid) &&
        claim_due(claim) > Money();
    if (claim.status != ClaimStatus::pended && claim.status != ClaimStatus::under_review && !unpaid)
      continue;
    json::object row{{"claim", id},
                     {"member", claim.member},
                     {"status", claim_status_name(claim.status)},
                     {"cumulative_cost", claim.cumulative_cost.to_string()}};
    if (!claim.decisions.empty()) row["reason_code"] = claim.decisions.back().reason_code;
    const auto payment = state_->proposed_payments.find("claim:" + id);
    if (claim.proposed) {
      row["awaiting"] = "second_administrator", row["proposed_by"] = claim.proposed->actor;
    } else if (payment != state_->proposed_payments.end()) {
      row["awaiting"] = "payment_confirmation", row["proposed_by"] = payment->second.actor;
    } else if (unpaid) {
      row["awaiting"] = "payment", row["due"] = claim_due(claim).to_string();
    } else {
      row["awaiting"] = "decision";
    }
    pending.push_back(row);
  }
  // Payments out proposed by one administrator, awaiting a second (any year).
  json::array payments;
  for (const auto& [key, proposed] : state_->proposed_payments) {
    payments.push_back(json::object{
        {"payment", key}, {"proposed_by", proposed.actor}, {"amount", proposed.cash.to_string()}});
  }
  return json::object{{"year", year_number}, {"claims", pending}, {"payments", payments}};
}

Result<json::object> Fund::member_statement(const std::string& member_id,
                                            std::uint32_t year_number) const {
  auto member = state_->members.find(member_id);
  if (member == state_->members.end())
    return Status::error(ErrorCode::not_found, "no member '" + member_id + "'");
  auto year = year_or_error(*state_, year_number);
  if (!year.is_ok()) return year.status();
  json::object out{{"member", member_id},
                   {"name", member->second.name},
                   {"status", member_status_name(member->second.status)},
                   {"population", member->second.population},
                   {"year", year_number},
                   {"year_status", year_status_name(year.value()->status)}};
  if (member->second.merged_into) out["merged_into"] = *member->second.merged_into;
  if (auto figures = year.value()->members.find(member_id);
      figures != year.value()->members.end()) {
    out["allocation"] = figures->second.allocation.to_string();
    out["contribution"] = figures->second.contribution.to_string();
    out["loan"] = figures->second.loan.to_string();
    if (!figures->second.returns.empty()) {
      const auto& latest = figures->second.returns.rbegin()->second;
      out["latest_return"] =
          json::object{{"period", latest.period},
                       {"spend_to_date", latest.spend_to_date.to_string()},
                       {"forecast_outturn", latest.forecast_outturn.to_string()}};
    }
    if (!figures->second.settlement.empty()) out["settlement"] = figures->second.settlement;
  }
  out["owes_fund"] = balance(ledger_, member_account(member_id, "receivable")).to_string();
  out["owed_by_fund"] = balance(ledger_, member_account(member_id, "payable")).to_string();
  out["loan_outstanding"] = balance(ledger_, member_account(member_id, "loan")).to_string();
  out["accounts"] = accounts_json(member_accounts(*state_, ledger_, member_id));

  json::array claims;
  if (auto ids = state_->member_claims.find(member_id); ids != state_->member_claims.end()) {
    for (const auto& id : ids->second) {
      const SpecificClaim& claim = state_->claims.at(id);
      if (claim.year == year_number) claims.push_back(claim_json(claim));
    }
  }
  out["claims"] = claims;
  // Rule 9: what was carried into this year and out of it.
  json::array carried_in, carried_out;
  if (auto items = state_->carry.find(member_id); items != state_->carry.end()) {
    for (const auto& item : items->second) {
      json::object row{{"kind", item.kind},
                       {"amount", item.amount.to_string()},
                       {"from_year", item.from_year},
                       {"due_year", item.due_year}};
      if (item.due_year == year_number) carried_in.push_back(row);
      if (item.from_year == year_number) carried_out.push_back(row);
    }
  }
  out["carried_in"] = carried_in;
  out["carried_out"] = carried_out;
  // The rolling three-year cycle: net unplanned variance of this year and the two before.
  Money cumulative;
  json::array cycle;
  for (std::uint32_t y = year_number >= 2 ? year_number - 2 : 0; y <= year_number; ++y) {
    auto past = state_->years.find(y);
    if (past == state_->years.end()) continue;
    auto figures = past->second.members.find(member_id);
    if (figures == past->second.members.end() || figures->second.settlement.empty()) continue;
    const auto variance =
        Money::parse(figures->second.settlement.at("net_unplanned_variance").as_string()).value();
    cumulative += variance;
    cycle.push_back(json::object{{"year", y}, {"net_unplanned_variance", variance.to_string()}});
  }
  out["three_year_cycle"] =
      json::object{{"years", cycle}, {"cumulative_variance", cumulative.to_string()}};
  return out;
}

Result<json::object> Fund::fund_report(std::uint32_t year_number) const {
  auto year = year_or_error(*state_, year_number);
  if (!year.is_ok()) return year.status();
  const FundYear& found = *year.value();
  json::object out{{"year", year_number},
                   {"status", year_status_name(found.status)},
                   {"parameter_versions", found.versions.size()},
                   {"parameters", to_json(found.versions.back().parameters)},
                   {"reserve", balance(ledger_, fund_account("reserve")).to_string()},
                   {"bank", balance(ledger_, fund_account("bank")).to_string()}};
  if (!found.report.empty()) out["settlement"] = found.report;
  json::array rows;
  Money allocations, contributions;
  std::map<std::string, Money> payments;  // rule 10.6 totals over the year's members
  for (const auto& [member, figures] : found.members) {
    allocations += figures.allocation;
    contributions += figures.contribution;
    json::object row{{"member", member},
                     {"allocation", figures.allocation.to_string()},
                     {"contribution", figures.contribution.to_string()}};
    if (!figures.settlement.empty()) {
      for (const char* key :
           {"adjusted_allocation", "specific_recoveries", "net_unplanned_variance", "fund_share",
            "retained", "loss_instalments", "gain_credit", "gain_surrendered", "loan_repaid",
            "year_recoveries_unpaid", "supplementary_call", "deferred_recoveries",
            "fund_share_deferred", "rebate"}) {
        row[key] = figures.settlement.at(key);
      }
    }
    const Accounts accounts = member_accounts(*state_, ledger_, member);
    for (const auto& [name, amount] : accounts) payments[name] += amount;
    row["accounts"] = accounts_json(accounts);
    rows.push_back(row);
  }
  json::object payment_totals;
  for (const auto& [name, amount] : payments) payment_totals[name] = amount.to_string();
  out["payments"] = payment_totals;
  out["allocations"] = allocations.to_string();
  out["contributions"] = contributions.to_string();
  out["members"] = rows;
  // Three-year view of the fund: the closing reserve of this year and the two before.
  json::array cycle;
  for (std::uint32_t y = year_number >= 2 ? year_number - 2 : 0; y <= year_number; ++y) {
    auto past = state_->years.find(y);
    if (past != state_->years.end() && !past->second.report.empty()) {
      cycle.push_back(json::object{{"year", y},
                                   {"reserve_closing", past->second.report.at("reserve_closing")}});
    }
  }
  out["three_year_view"] = cycle;
  return out;
}

// Rule 4: flag a member whose forecast puts it beyond b2, or whose carried debt exceeds
// what it could repay within the first band over loss_repay_years (docs/fund.md).
Result<json::object> Fund::early_warnings(std::uint32_t year_number) const {
  auto year = year_or_error(*state_, year_number);
  if (!year.is_ok()) return year.status();
  const FundYear& found = *year.value();
  const YearParameters& parameters = found.versions.back().parameters;
  json::array flagged;
  for (const auto& [member, figures] : found.members) {
    if (!(figures.allocation > Money())) continue;
    json::array reasons;
    if (!figures.returns.empty()) {
      const auto& latest = figures.returns.rbegin()->second;
      const Money forecast_variance = latest.forecast_outturn - latest.planned - figures.allocation;
      if (forecast_variance > multiply(figures.allocation, parameters.corridor_b2))
        reasons.push_back("forecast_beyond_b2");
    }
    Money debt;
    if (auto items = state_->carry.find(member); items != state_->carry.end()) {
      for (const auto& item : items->second) {
        if (item.due_year > year_number && item.amount < Money()) debt -= item.amount;
      }
    }
    const Money capacity = multiply_ratio(multiply(figures.allocation, parameters.corridor_b1),
                                          parameters.loss_repay_years, 1);
    if (debt > capacity) reasons.push_back("carried_debt_beyond_capacity");
    if (!reasons.empty())
      flagged.push_back(json::object{
          {"member", member}, {"reasons", reasons}, {"carried_debt", debt.to_string()}});
  }
  return json::object{{"year", year_number}, {"flagged", flagged}};
}

}  // namespace backstop
