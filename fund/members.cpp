// Members: register, rename, population, status, merger (rule 1, rule 8).
#include "fund/claim_workflow.hpp"
#include "fund/internal.hpp"

namespace backstop::fund {
namespace {

bool is_member_id(const std::string& id) {
  return !id.empty() && id.size() <= 16 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

const Member& live_member(const Context& context, const std::string& id) {
  const Member& member = find_member(context.state, id);
  if (member.merged_into)
    refuse("member '" + id + "' was merged into '" + *member.merged_into + "'",
           ErrorCode::constraint);
  return member;
}

}  // namespace

Effect decide(const RegisterMember& command, Context& context) {
  require_admin(context);
  const std::string& id = command.member;
  const std::string& name = command.name;
  const std::int64_t population = command.population;
  if (!is_member_id(id))
    refuse("field 'member' must be letters, digits, '-' or '_' (at most 16)", "member");
  if (context.state.members.contains(id))
    refuse("member '" + id + "' is already registered", ErrorCode::already_exists);
  Effect effect;
  // A member's accounts: what it owes the fund, what the fund owes it, and loans.
  effect.accounts = {Account{member_account(id, "receivable"), AccountType::asset, id, Money()},
                     Account{member_account(id, "payable"), AccountType::liability, id, Money()},
                     Account{member_account(id, "loan"), AccountType::asset, id, Money()}};
  effect.apply = [=](FundState& state, std::uint64_t) {
    state.members[id] = Member{id, name, population, MemberStatus::active, std::nullopt};
    return MemberStatusSet{id, MemberStatus::active};
  };
  return effect;
}

Effect decide(const RenameMember& command, Context& context) {
  require_admin(context);
  const std::string& id = command.member;
  const std::string& name = command.name;
  live_member(context, id);
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    state.members[id].name = name;
    return MemberRenamed{id, name};
  };
  return effect;
}

Effect decide(const UpdatePopulation& command, Context& context) {
  require_admin(context);
  const std::string& id = command.member;
  const std::int64_t population = command.population;
  live_member(context, id);
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    state.members[id].population = population;
    return PopulationUpdated{id, population};
  };
  return effect;
}

// Rule 8: entering or leaving special measures, or dissolving, is an audited decision.
Effect decide(const SetMemberStatus& command, Context& context) {
  require_admin(context);
  const std::string& id = command.member;
  const std::string status_name = member_status_name(command.status);
  const auto status = command.status;  // the reason is recorded in the payload
  const Member& member = live_member(context, id);
  if (member.status == MemberStatus::dissolved)
    refuse("member '" + id + "' is dissolved", ErrorCode::constraint);
  if (member.status == status)
    refuse("member '" + id + "' is already " + status_name, ErrorCode::constraint);
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    state.members[id].status = status;
    return MemberStatusSet{id, status};
  };
  return effect;
}

// Two members become one: balances and open carry-forwards move to the successor; the
// original keeps its history under its own id and is marked as merged.
Effect decide(const MergeMembers& command, Context& context) {
  require_admin(context);
  const std::string& from = command.member;
  const std::string& into = command.into;
  if (from == into) refuse("a member cannot merge into itself");
  live_member(context, from);
  const Member& successor = live_member(context, into);
  if (successor.status == MemberStatus::dissolved)
    refuse("the successor is dissolved", ErrorCode::constraint);
  for (const auto& [id, claim] : context.state.claims) {
    if (claim.member == from && is_open_status(claim.status)) {
      refuse("claim " + id + " of '" + from + "' is still undecided", ErrorCode::constraint);
    }
    if (claim.member == from && claim.approved - claim.paid > Money()) {
      refuse("claim " + id + " of '" + from + "' is not yet paid", ErrorCode::constraint);
    }
  }
  if (deferred_outstanding(context.state, from) > Money()) {
    refuse("'" + from + "' is owed a deferral not yet released", ErrorCode::constraint);
  }
  Effect effect;
  for (const char* name : {"receivable", "payable", "loan"}) {
    const Money moved = balance(context.ledger, member_account(from, name));
    if (moved.is_zero()) continue;
    const bool debit_normal = std::string(name) != "payable";
    // Move the balance: empty the old account, fill the successor's.
    effect.postings.push_back(debit_normal ? credit(member_account(from, name), moved)
                                           : debit(member_account(from, name), moved));
    effect.postings.push_back(debit_normal ? debit(member_account(into, name), moved)
                                           : credit(member_account(into, name), moved));
  }
  effect.apply = [=](FundState& state, std::uint64_t) {
    auto& carried = state.carry[from];
    auto& successor_carry = state.carry[into];
    for (auto& item : carried) successor_carry.push_back(item);
    carried.clear();
    auto& dues = state.dues[from];
    auto& successor_dues = state.dues[into];
    for (auto& due : dues) successor_dues.push_back(due);
    dues.clear();
    std::stable_sort(successor_dues.begin(), successor_dues.end(),
                     [](const Due& a, const Due& b) { return a.due_unix_s < b.due_unix_s; });
    // The predecessor's figures for every unsettled year become the successor's.
    for (auto& [number, year] : state.years) {
      if (year.status == YearStatus::closed) continue;
      auto old = year.members.find(from);
      if (old == year.members.end()) continue;
      MemberYear& target = year.members[into];
      target.allocation += old->second.allocation;
      target.contribution += old->second.contribution;
      target.avoidable += old->second.avoidable;
      target.loan += old->second.loan;
      for (const auto& [period, filed] : old->second.returns) {
        MonthlyReturn& sum = target.returns[period];
        sum.period = period;
        sum.spend_to_date += filed.spend_to_date;
        sum.forecast_outturn += filed.forecast_outturn;
        sum.planned += filed.planned;
        sum.unplanned += filed.unplanned;
      }
      year.members.erase(old);
    }
    state.members[from].merged_into = into;
    state.members[from].status = MemberStatus::dissolved;
    return MembersMerged{from, into};
  };
  return effect;
}

}  // namespace backstop::fund
