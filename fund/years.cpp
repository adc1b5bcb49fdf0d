// Fund years and the money that flows through them before settlement: parameters
// (rule 2), allocations and contributions (rule 3), returns (rule 4), avoidable spend
// (rule 8) and loans (rule 7).
#include "fund/internal.hpp"

namespace backstop::fund {
namespace {

constexpr std::int64_t contribution_due_days = 30;

// The year accounts: income and expense for one fund year, closed into the reserve at settlement.
const std::vector<std::pair<const char*, AccountType>>& year_accounts() {
  static const std::vector<std::pair<const char*, AccountType>> accounts = {
      {"contributions", AccountType::income},       {"calls", AccountType::income},
      {"gain-shares", AccountType::income},         {"surrendered-gains", AccountType::income},
      {"recoveries-deferred", AccountType::income}, {"specific-recoveries", AccountType::expense},
      {"aggregate-shares", AccountType::expense},   {"rebates", AccountType::expense},
      {"deferred-paid", AccountType::expense}};
  return accounts;
}

FundYear& year_of(FundState& state, std::uint32_t year) { return state.years.at(year); }

const FundYear& year_in(const Context& context, std::uint32_t year,
                        std::initializer_list<YearStatus> allowed) {
  const FundYear& found = find_year(context.state, year);
  if (std::find(allowed.begin(), allowed.end(), found.status) == allowed.end()) {
    refuse("fund year " + std::to_string(year) + " is " + year_status_name(found.status) + " (R02)",
           ErrorCode::constraint, ReasonCode::R02);
  }
  return found;
}

const MemberYear& member_year(const FundYear& year, const std::string& member) {
  auto found = year.members.find(member);
  if (found == year.members.end()) {
    refuse("member '" + member + "' has no allocation for " + std::to_string(year.year),
           ErrorCode::not_found);
  }
  return found->second;
}

void require_current_member(const Context& context, const std::string& id) {
  const Member& member = find_member(context.state, id);
  if (member.status == MemberStatus::dissolved)
    refuse("member '" + id + "' is dissolved (R01)", ErrorCode::constraint, ReasonCode::R01);
}

}  // namespace

Effect decide(const CreateYear& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  const YearParameters parameters = year_parameters(YearParameters{}, command.parameters);
  if (context.state.years.contains(year))
    refuse("fund year " + std::to_string(year) + " exists", ErrorCode::already_exists);
  Effect effect;
  if (context.ledger.find_account(fund_account("bank")) == nullptr) {
    effect.accounts.push_back(Account{fund_account("bank"), AccountType::asset, "fund", Money()});
    effect.accounts.push_back(
        Account{fund_account("reserve"), AccountType::equity, "fund", std::nullopt});
  }
  for (const auto& [name, type] : year_accounts())
    effect.accounts.push_back(Account{year_account(year, name), type, "fund", std::nullopt});
  const std::string actor = context.actor.to_string();
  effect.apply = [=](FundState& state, std::uint64_t) {
    FundYear& created = state.years[year];
    created.year = year;
    created.versions.push_back(ParameterVersion{0, parameters, actor, "created"});
    return YearCreated{year, parameters};
  };
  return effect;
}

// Draft: parameters are edited in place. Open or closing: a new version, effective from
// its date onwards, never earlier than the command itself (history is not rewritten).
Effect decide(const AmendParameters& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  const FundYear& found =
      year_in(context, year, {YearStatus::draft, YearStatus::open, YearStatus::closing});
  const std::string& reason = command.reason;
  const YearParameters parameters =
      year_parameters(found.versions.back().parameters, command.parameters);
  const std::int64_t effective = command.effective_from.value_or(context.time_unix_s);
  if (command.effective_from &&
      (effective < context.time_unix_s || effective > year_end_unix_s(year + 2))) {
    refuse("field 'effective_from' must be between " + std::to_string(context.time_unix_s) +
               " and " + std::to_string(year_end_unix_s(year + 2)),
           "effective_from");
  }
  const bool draft = found.status == YearStatus::draft;
  const std::string actor = context.actor.to_string();
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    auto& versions = year_of(state, year).versions;
    if (draft)
      versions.front() = ParameterVersion{0, parameters, actor, reason};
    else
      versions.push_back(ParameterVersion{effective, parameters, actor, reason});
    return ParametersAmended{year, versions.size(), draft ? 0 : effective};
  };
  return effect;
}

// Opening freezes the parameters and pays first what the year before deferred (rule 10):
// the cut becomes payable again, on its claims and shares.
Effect decide(const OpenYear& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  year_in(context, year, {YearStatus::draft});
  Effect effect;
  if (auto previous = context.state.years.find(year - 1); previous != context.state.years.end()) {
    if (previous->second.status != YearStatus::closed)
      refuse("fund year " + std::to_string(year - 1) + " must be closed first",
             ErrorCode::constraint);
    for (const auto& [member, amount] : previous->second.deferred_out) {
      effect.postings.push_back(debit(year_account(year, "deferred-paid"), amount));
      effect.postings.push_back(credit(member_account(member, "payable"), amount));
    }
  }
  effect.apply = [=](FundState& state, std::uint64_t) {
    for (auto& [id, claim] : state.claims) {
      if (claim.year == year - 1) claim.deferred = Money();
    }
    year_of(state, year).status = YearStatus::open;
    return YearStatusSet{year, YearStatus::open};
  };
  return effect;
}

// Closing starts once both claim deadlines have passed: no new claims after it.
Effect decide(const BeginClosing& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  const FundYear& found = year_in(context, year, {YearStatus::open});
  const YearParameters& parameters = parameters_at(found, context.time_unix_s);
  const std::int64_t deadline =
      year_end_unix_s(year) +
      86'400LL * std::max(parameters.specific_deadline_days, parameters.aggregate_deadline_days);
  if (context.time_unix_s < deadline)
    refuse("claims may be filed for " + std::to_string(year) + " until the deadlines pass",
           ErrorCode::constraint);
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    year_of(state, year).status = YearStatus::closing;
    return YearStatusSet{year, YearStatus::closing};
  };
  return effect;
}

Effect decide(const SetAllocation& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  const std::string& member = command.member;
  const Money allocation = command.allocation;
  year_in(context, year, {YearStatus::draft, YearStatus::open});
  require_current_member(context, member);
  if (!(allocation > Money())) refuse("field 'allocation' must be positive", "allocation");
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    year_of(state, year).members[member].allocation = allocation;
    return AllocationSet{year, member, allocation};
  };
  return effect;
}

// Rule 3: one row per member; posts a receivable per member, due in 30 days.
Effect decide(const ApplyRateSchedule& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  const FundYear& found = year_in(context, year, {YearStatus::open});
  std::vector<std::pair<std::string, Money>> charges;
  std::set<std::string> seen;
  for (const auto& [member, contribution] : command.rows) {
    require_current_member(context, member);
    const MemberYear& figures = member_year(found, member);
    if (!(contribution > Money())) refuse("contribution for '" + member + "' must be positive");
    if (!figures.contribution.is_zero())
      refuse("a contribution for '" + member + "' is already applied", ErrorCode::already_exists);
    if (!seen.insert(member).second)
      refuse("member '" + member + "' appears twice in the schedule");
    charges.emplace_back(member, contribution);
  }
  Effect effect;
  for (const auto& [member, contribution] : charges) {
    effect.postings.push_back(debit(member_account(member, "receivable"), contribution));
    effect.postings.push_back(credit(year_account(year, "contributions"), contribution));
  }
  const std::int64_t due = context.time_unix_s + contribution_due_days * 86'400;
  effect.apply = [=](FundState& state, std::uint64_t) {
    Money total;
    for (const auto& [member, contribution] : charges) {
      auto& figures = year_of(state, year).members[member];
      figures.contribution = contribution;
      figures.contribution_due_unix_s = due;
      add_due(state, member, Due{"contribution", year, due, contribution});
      total += contribution;
    }
    return ScheduleApplied{year, charges.size(), total};
  };
  return effect;
}

// Rule 4: a monthly return. Planned + unplanned must equal spend to date; period 12 is final.
Effect decide(const FileReturn& command, Context& context) {
  const std::uint32_t year = command.year;
  const std::string& member = command.member;
  require_admin_or_member(context, member);
  const MonthlyReturn filed{command.period, command.spend_to_date, command.forecast_outturn,
                            command.planned, command.unplanned};
  const FundYear& found = year_in(context, year, {YearStatus::open, YearStatus::closing});
  member_year(found, member);
  require_current_member(context, member);
  if (filed.spend_to_date.is_negative() || filed.forecast_outturn.is_negative() ||
      filed.planned.is_negative() || filed.unplanned.is_negative()) {
    refuse("amounts in a return must not be negative");
  }
  if (filed.planned + filed.unplanned != filed.spend_to_date)
    refuse("planned + unplanned must equal spend_to_date");
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    year_of(state, year).members[member].returns[filed.period] = filed;
    return ReturnFiled{year, member, filed.period};
  };
  return effect;
}

// Rule 8 (R07): spend adjudicated avoidable is the member's own, carried forward in full.
Effect decide(const SetAvoidable& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  const std::string& member = command.member;
  const Money amount = command.amount;
  const FundYear& found = year_in(context, year, {YearStatus::open, YearStatus::closing});
  member_year(found, member);
  if (amount.is_negative()) refuse("field 'amount' must not be negative", "amount");
  Effect effect;
  effect.apply = [=](FundState& state, std::uint64_t) {
    year_of(state, year).members[member].avoidable = amount;
    return AvoidableSet{year, member, amount};
  };
  return effect;
}

// Rule 7: a loan for planned overspend, up to loan_limit * A, advanced from the bank and
// repaid in loan_term_years equal instalments through the following years' A'.
Effect decide(const ApproveLoan& command, Context& context) {
  require_admin(context);
  const std::uint32_t year = command.year;
  const std::string& member = command.member;
  const Money amount = command.amount;
  const FundYear& found = year_in(context, year, {YearStatus::draft, YearStatus::open});
  const MemberYear& figures = member_year(found, member);
  require_current_member(context, member);
  const YearParameters& parameters = parameters_at(found, context.time_unix_s);
  if (!(amount > Money())) refuse("field 'amount' must be positive", "amount");
  const Money limit = multiply(figures.allocation, parameters.loan_limit);
  if (figures.loan + amount > limit) {
    refuse("loans for '" + member + "' would reach " + (figures.loan + amount).to_display() +
               ", above the limit of " + limit.to_display(),
           ErrorCode::constraint);
  }
  Effect effect;
  effect.postings = {debit(member_account(member, "loan"), amount),
                     credit(fund_account("bank"), amount)};
  const auto parts = instalments(amount, parameters.loan_term_years);
  effect.apply = [=](FundState& state, std::uint64_t) {
    year_of(state, year).members[member].loan += amount;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      state.carry[member].push_back(
          CarryItem{year + 1 + static_cast<std::uint32_t>(i), -parts[i], "loan_instalment", year});
    }
    return LoanApproved{year, member, amount, parts.size()};
  };
  return effect;
}

}  // namespace backstop::fund
