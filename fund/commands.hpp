// The fund's commands as types: one struct per command, the fields docs/fund.md lists.
// A command here is well formed (the codec checked every field's form); whether it may be
// done is for the fund to decide against its state. The variant is the command table: a
// new command is a struct here, a decoder in codec.cpp and a `decide` overload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fund/rules.hpp"

namespace backstop {

// Who asks: an administrator, a member (a consortium, by its id) or an actuary.
struct Actor {
  enum class Role { admin, member, actuary };
  Role role = Role::admin;
  std::string name;

  std::string to_string() const;                             // "admin:alice", "member:05A"
  static std::optional<Actor> parse(std::string_view text);  // the journal's form
  bool is_admin() const { return role == Role::admin; }
  bool operator==(const Actor&) const = default;
};

enum class MemberStatus { active, special_measures, dissolved };
enum class ClaimKind { interim, final };
enum class DecisionOutcome { approve, partially_approve, deny };
// The reason codes of docs/fund.md: R01 not a member, R02 out of time, R03 duplicate,
// R04 below threshold, R05 in arrears, R06 not unplanned, R07 avoidable, R08 no evidence,
// R09 other.
enum class ReasonCode { R01 = 1, R02, R03, R04, R05, R06, R07, R08, R09 };

// A year's parameters as given: each one present replaces the value it is applied to.
struct ParameterOverrides {
  YearParameters values;           // read only where named in `given`
  std::vector<std::string> given;  // parameter names, in rule 2's order
  bool operator==(const ParameterOverrides&) const = default;
};

struct RegisterMember {
  static constexpr const char* type_name = "register_member";
  std::string member, name;
  std::int64_t population = 0;
  bool operator==(const RegisterMember&) const = default;
};
struct RenameMember {
  static constexpr const char* type_name = "rename_member";
  std::string member, name;
  bool operator==(const RenameMember&) const = default;
};
struct UpdatePopulation {
  static constexpr const char* type_name = "update_population";
  std::string member;
  std::int64_t population = 0;
  bool operator==(const UpdatePopulation&) const = default;
};
struct SetMemberStatus {
  static constexpr const char* type_name = "set_member_status";
  std::string member;
  MemberStatus status = MemberStatus::active;
  std::string reason;
  bool operator==(const SetMemberStatus&) const = default;
};
struct MergeMembers {
  static constexpr const char* type_name = "merge_members";
  std::string member, into;
  bool operator==(const MergeMembers&) const = default;
};
struct CreateYear {
  static constexpr const char* type_name = "create_year";
  std::uint32_t year = 0;
  std::optional<ParameterOverrides> parameters;
  bool operator==(const CreateYear&) const = default;
};
struct AmendParameters {
  static constexpr const char* type_name = "amend_parameters";
  std::uint32_t year = 0;
  std::string reason;
  std::optional<ParameterOverrides> parameters;
  std::optional<std::int64_t> effective_from;
  bool operator==(const AmendParameters&) const = default;
};
struct OpenYear {
  static constexpr const char* type_name = "open_year";
  std::uint32_t year = 0;
  bool operator==(const OpenYear&) const = default;
};
struct BeginClosing {
  static constexpr const char* type_name = "begin_closing";
  std::uint32_t year = 0;
  bool operator==(const BeginClosing&) const = default;
};
struct SetAllocation {
  static constexpr const char* type_name = "set_allocation";
  std::uint32_t year = 0;
  std::string member;
  Money allocation;
  bool operator==(const SetAllocation&) const = default;
};
struct ScheduleRow {
  std::string member;
  Money contribution;
  bool operator==(const ScheduleRow&) const = default;
};
struct ApplyRateSchedule {
  static constexpr const char* type_name = "apply_rate_schedule";
  std::uint32_t year = 0;
  std::vector<ScheduleRow> rows;
  bool operator==(const ApplyRateSchedule&) const = default;
};
struct FileReturn {
  static constexpr const char* type_name = "file_return";
  std::uint32_t year = 0;
  std::string member;
  int period = 0;
  Money spend_to_date, forecast_outturn, planned, unplanned;
  bool operator==(const FileReturn&) const = default;
};
struct SetAvoidable {
  static constexpr const char* type_name = "set_avoidable";
  std::uint32_t year = 0;
  std::string member;
  Money amount;
  std::string reason;
  bool operator==(const SetAvoidable&) const = default;
};
struct ApproveLoan {
  static constexpr const char* type_name = "approve_loan";
  std::uint32_t year = 0;
  std::string member;
  Money amount;
  bool operator==(const ApproveLoan&) const = default;
};
struct FileSpecificClaim {
  static constexpr const char* type_name = "file_specific_claim";
  std::uint32_t year = 0;
  std::string member, patient, episode;
  ClaimKind kind = ClaimKind::interim;
  Money cumulative_cost;
  bool evidence = false;
  bool operator==(const FileSpecificClaim&) const = default;
};
struct DecideClaim {
  static constexpr const char* type_name = "decide_claim";
  std::string claim;
  DecisionOutcome outcome = DecisionOutcome::deny;
  ReasonCode reason_code = ReasonCode::R09;
  std::optional<Money> adjudicated_cost;
  std::optional<std::string> note;
  bool operator==(const DecideClaim&) const = default;
};
struct ConfirmDecision {
  static constexpr const char* type_name = "confirm_decision";
  std::string claim;
  bool operator==(const ConfirmDecision&) const = default;
};
struct WithdrawClaim {
  static constexpr const char* type_name = "withdraw_claim";
  std::string claim;
  bool operator==(const WithdrawClaim&) const = default;
};
struct AppealClaim {
  static constexpr const char* type_name = "appeal_claim";
  std::string claim, grounds;
  bool operator==(const AppealClaim&) const = default;
};
struct FileAggregateClaim {
  static constexpr const char* type_name = "file_aggregate_claim";
  std::uint32_t year = 0;
  std::string member;
  Money outturn, planned;
  bool operator==(const FileAggregateClaim&) const = default;
};
struct RecordReceipt {
  static constexpr const char* type_name = "record_receipt";
  std::uint32_t year = 0;
  std::string member;
  Money amount;
  bool operator==(const RecordReceipt&) const = default;
};
struct PayClaim {
  static constexpr const char* type_name = "pay_claim";
  std::string claim;
  bool set_off = false;
  bool operator==(const PayClaim&) const = default;
};
struct PayMember {
  static constexpr const char* type_name = "pay_member";
  std::string member;
  bool set_off = false;
  bool operator==(const PayMember&) const = default;
};
// Exactly one of claim and member: the payment proposed for it.
struct ConfirmPayment {
  static constexpr const char* type_name = "confirm_payment";
  std::optional<std::string> claim, member;
  bool operator==(const ConfirmPayment&) const = default;
};
struct CollectMember {
  static constexpr const char* type_name = "collect_member";
  std::string member;
  bool operator==(const CollectMember&) const = default;
};
struct ReversePayment {
  static constexpr const char* type_name = "reverse_payment";
  std::string claim, reason;
  bool operator==(const ReversePayment&) const = default;
};
struct CloseYear {
  static constexpr const char* type_name = "close_year";
  std::uint32_t year = 0;
  bool allow_missing_returns = false;
  bool operator==(const CloseYear&) const = default;
};

using FundCommand =
    std::variant<RegisterMember, RenameMember, UpdatePopulation, SetMemberStatus, MergeMembers,
                 CreateYear, AmendParameters, OpenYear, BeginClosing, SetAllocation,
                 ApplyRateSchedule, FileReturn, SetAvoidable, ApproveLoan, FileSpecificClaim,
                 DecideClaim, ConfirmDecision, WithdrawClaim, AppealClaim, FileAggregateClaim,
                 RecordReceipt, PayClaim, PayMember, ConfirmPayment, CollectMember, ReversePayment,
                 CloseYear>;

// The command's name on the wire and in the journal, e.g. "file_specific_claim".
const char* command_name(const FundCommand& command);

const char* member_status_name(MemberStatus status);
const char* claim_kind_name(ClaimKind kind);
const char* decision_outcome_name(DecisionOutcome outcome);
std::string reason_code_name(ReasonCode code);  // "R01"

}  // namespace backstop
