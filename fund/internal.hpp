// Shared by the fund's implementation files only: how a command is decided.
#pragma once

#include <functional>
#include <stdexcept>

#include "fund/fund.hpp"
#include "fund/state.hpp"

namespace backstop::fund {

// The side record holding the result of the entry with this sequence (fund/loading.cpp): the
// entry's hash, so that a record can only answer for its own entry, then the result.
std::string result_record_key(std::uint64_t sequence);
std::string result_record(const Digest& entry_hash, const CommandResult& result);
Result<CommandResult> read_result_record(std::string_view record, const Digest& entry_hash);

// A refusal while deciding; execute turns it back into the Status it carries.
class Refusal : public std::runtime_error {
 public:
  explicit Refusal(Status status)
      : std::runtime_error(status.message()), status_(std::move(status)) {}
  const Status& status() const { return status_; }

 private:
  Status status_;
};
[[noreturn]] inline void refuse(const std::string& message,
                                ErrorCode code = ErrorCode::invalid_argument) {
  throw Refusal(Status::error(code, message));
}
// A refusal about one field of the command.
[[noreturn]] inline void refuse(const std::string& message, const std::string& field,
                                ErrorCode code = ErrorCode::invalid_argument) {
  throw Refusal(Status::refusal(code, message, field));
}
// A refusal under one of the rulebook's reason codes.
[[noreturn]] inline void refuse(const std::string& message, ErrorCode code, ReasonCode rule) {
  throw Refusal(Status::refusal(code, message, "", reason_code_name(rule)));
}

// What deciding a command yields: the ledger effects, and the change to the fund's state
// (applied only once the ledger has accepted the entry).
struct Effect {
  std::vector<Account> accounts;
  std::vector<Posting> postings;
  std::function<CommandResult(FundState&, std::uint64_t sequence)> apply;
};

struct Context {
  const FundState& state;
  const Ledger& ledger;
  std::int64_t time_unix_s;
  const Actor& actor;
};

// Account ids.
std::string fund_account(const std::string& name);                      // fund:bank
std::string year_account(std::uint32_t year, const std::string& name);  // fund:2023:contributions
std::string member_account(const std::string& member,
                           const std::string& name);  // member:05A:payable
Posting debit(const std::string& account, const Money& amount);
Posting credit(const std::string& account, const Money& amount);
Money balance(const Ledger& ledger, const std::string& account);  // on the account's normal side

// Lookups that refuse with a clear error.
void require_admin(const Context& context);
void require_admin_or_member(const Context& context, const std::string& member);
const Member& find_member(const FundState& state, const std::string& id);
const FundYear& find_year(const FundState& state, std::uint32_t year);
const YearParameters& parameters_at(const FundYear& year, std::int64_t time_unix_s);
std::int64_t year_end_unix_s(std::uint32_t year);  // 1 April of year + 1, 00:00 UTC
// What the fund owes on a claim now: approved, less paid, less a cut deferred at settlement
// (rule 10.3b) that the next year has not yet released.
inline Money claim_due(const SpecificClaim& claim) {
  return claim.approved - claim.paid - claim.deferred;
}
// The member's cuts from settlements whose next year has not opened yet (fund_payments.cpp).
Money deferred_outstanding(const FundState& state, const std::string& member);

// Rule 3 (fund_payments.cpp): arrears are overdue contributions and calls only.
bool in_arrears(const Context& context, const std::string& member);
void add_due(FundState& state, const std::string& member, Due due);
void reduce_dues(FundState& state, const std::string& member, Money amount);  // oldest first
std::int64_t call_due_unix_s(std::int64_t settled_unix_s);

// The year's parameters with the overrides applied, refused if they do not fit together.
YearParameters year_parameters(const YearParameters& base,
                               const std::optional<ParameterOverrides>& overrides);

// The command handlers, one per command, by file.
Effect decide(const RegisterMember& command, Context& context);  // members.cpp
Effect decide(const RenameMember& command, Context& context);
Effect decide(const UpdatePopulation& command, Context& context);
Effect decide(const SetMemberStatus& command, Context& context);
Effect decide(const MergeMembers& command, Context& context);
Effect decide(const CreateYear& command, Context& context);  // years.cpp
Effect decide(const AmendParameters& command, Context& context);
Effect decide(const OpenYear& command, Context& context);
Effect decide(const BeginClosing& command, Context& context);
Effect decide(const SetAllocation& command, Context& context);
Effect decide(const ApplyRateSchedule& command, Context& context);
Effect decide(const FileReturn& command, Context& context);
Effect decide(const SetAvoidable& command, Context& context);
Effect decide(const ApproveLoan& command, Context& context);
Effect decide(const FileSpecificClaim& command, Context& context);  // claims.cpp
Effect decide(const DecideClaim& command, Context& context);
Effect decide(const ConfirmDecision& command, Context& context);
Effect decide(const WithdrawClaim& command, Context& context);
Effect decide(const AppealClaim& command, Context& context);
Effect decide(const FileAggregateClaim& command, Context& context);
Effect decide(const RecordReceipt& command, Context& context);  // payments.cpp
Effect decide(const PayClaim& command, Context& context);
Effect decide(const PayMember& command, Context& context);
Effect decide(const ConfirmPayment& command, Context& context);
Effect decide(const CollectMember& command, Context& context);
Effect decide(const ReversePayment& command, Context& context);
Effect decide(const CloseYear& command, Context& context);  // settlement.cpp

}  // namespace backstop::fund
