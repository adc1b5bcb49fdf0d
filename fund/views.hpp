// What the fund answers with, as types: the result of each command, and the views a member,
// an administrator or an auditor reads (statement, report, claim, pending work, early
// warnings). The codec writes them as JSON (docs/fund.md names every field).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fund/commands.hpp"

namespace backstop {

enum class YearStatus { draft, open, closing, closed };
enum class ClaimStatus {
  submitted,
  pended,
  under_review,
  approved,
  partially_approved,
  denied,
  paid,
  withdrawn,
  appealed,
  reversed
};
const char* year_status_name(YearStatus status);
const char* claim_status_name(ClaimStatus status);

// One step in a claim's history: who moved it to which status, under which reason code.
struct Decision {
  std::string actor;  // an actor's journal form, or "system" for the automatic checks
  ClaimStatus outcome = ClaimStatus::submitted;
  std::optional<ReasonCode> reason_code;
  std::int64_t time_unix_s = 0;
  std::string note;
  bool operator==(const Decision&) const = default;
};

struct ClaimView {
  std::string claim, member;
  std::uint32_t year = 0;
  std::string patient, episode;
  ClaimKind kind = ClaimKind::interim;
  Money cumulative_cost, adjudicated_cost;
  ClaimStatus status = ClaimStatus::submitted;
  Money approved, paid, deferred;
  std::string review;  // why it went to manual review, or ""
  bool appealed = false;
  std::vector<Decision> decisions;
  bool awaiting_second_administrator = false;
};

// Rule 10.6: what the fund and a member owe each other now, and what has moved.
struct MemberAccounts {
  Money owed_by_fund, owes_fund, deferred_outstanding, paid_out, set_off, received;
};

// A member's settlement of one year (rule 10), as recorded when the year closed.
struct SettlementFigures {
  Money allocation, adjusted_allocation, spend, planned, avoidable, specific_recoveries,
      net_unplanned_variance, fund_share, retained;
  std::vector<Money> loss_instalments;
  Money gain_credit, gain_surrendered, loan_repaid, year_recoveries_unpaid, supplementary_call,
      deferred_recoveries, fund_share_deferred, rebate;
  bool missing_return = false;
  bool operator==(const SettlementFigures&) const = default;
};

// The fund's side of a settlement: each year account's balance closed into the reserve,
// and the reserve before and after.
struct SettlementTotals {
  std::vector<std::pair<std::string, Money>> year_accounts;  // by account name
  Money reserve_opening, reserve_before_calls, reserve_closing, deficit, reserve_target;
  std::size_t members = 0;
  bool operator==(const SettlementTotals&) const = default;
};

// Something carried into a later year's A' (rule 9): negative amounts are debts due.
struct CarryItem {
  std::uint32_t due_year = 0;
  Money amount;
  std::string kind;  // "gain_credit", "loss_instalment", "loan_instalment", "avoidable"
  std::uint32_t from_year = 0;
  bool operator==(const CarryItem&) const = default;
};

struct MemberStatement {
  std::string member, name;
  MemberStatus status = MemberStatus::active;
  std::int64_t population = 0;
  std::uint32_t year = 0;
  YearStatus year_status = YearStatus::draft;
  std::optional<std::string> merged_into;
  struct LatestReturn {
    int period = 0;
    Money spend_to_date, forecast_outturn;
  };
  struct YearFigures {
    Money allocation, contribution, loan;
    std::optional<LatestReturn> latest_return;
    std::optional<SettlementFigures> settlement;
  };
  std::optional<YearFigures> figures;  // when the member takes part in the year
  Money owes_fund, owed_by_fund, loan_outstanding;
  MemberAccounts accounts;
  std::vector<ClaimView> claims;
  std::vector<CarryItem> carried_in, carried_out;
  std::vector<std::pair<std::uint32_t, Money>> cycle_variances;  // rolling three years
  Money cumulative_variance;
};

struct FundReport {
  std::uint32_t year = 0;
  YearStatus status = YearStatus::draft;
  std::size_t parameter_versions = 0;
  YearParameters parameters;  // the latest version
  Money reserve, bank;
  std::optional<SettlementTotals> settlement;
  struct Row {
    std::string member;
    Money allocation, contribution;
    std::optional<SettlementFigures> settlement;
    MemberAccounts accounts;
  };
  std::vector<Row> members;
  std::optional<MemberAccounts> payments;  // summed over the year's members, if any
  Money allocations, contributions;
  std::vector<std::pair<std::uint32_t, Money>> reserve_closings;  // rolling three years
};

struct EarlyWarnings {
  enum class Reason { forecast_beyond_b2, carried_debt_beyond_capacity };
  struct Flag {
    std::string member;
    std::vector<Reason> reasons;
    Money carried_debt;
  };
  std::uint32_t year = 0;
  std::vector<Flag> flagged;
};

struct PendingClaims {
  enum class Awaiting { decision, second_administrator, payment_confirmation, payment };
  struct Row {
    std::string claim, member;
    ClaimStatus status = ClaimStatus::submitted;
    Money cumulative_cost;
    bool decided = false;                   // has a decision, automatic or not
    std::optional<ReasonCode> reason_code;  // of the latest decision
    Awaiting awaiting = Awaiting::decision;
    std::optional<std::string> proposed_by;
    std::optional<Money> due;
  };
  struct Payment {
    std::string payment, proposed_by;
    Money amount;
  };
  std::uint32_t year = 0;
  std::vector<Row> claims;
  std::vector<Payment> payments;
};

// --- what each command answers ---------------------------------------------------------

struct MemberStatusSet {
  std::string member;
  MemberStatus status = MemberStatus::active;
  bool operator==(const MemberStatusSet&) const = default;
};
struct MemberRenamed {
  std::string member, name;
  bool operator==(const MemberRenamed&) const = default;
};
struct PopulationUpdated {
  std::string member;
  std::int64_t population = 0;
  bool operator==(const PopulationUpdated&) const = default;
};
struct MembersMerged {
  std::string member, merged_into;
  bool operator==(const MembersMerged&) const = default;
};
struct YearCreated {
  std::uint32_t year = 0;
  YearParameters parameters;
  bool operator==(const YearCreated&) const = default;
};
struct ParametersAmended {
  std::uint32_t year = 0;
  std::size_t version = 0;
  std::int64_t effective_from = 0;  // 0 while the year is a draft
  bool operator==(const ParametersAmended&) const = default;
};
struct YearStatusSet {
  std::uint32_t year = 0;
  YearStatus status = YearStatus::draft;
  bool operator==(const YearStatusSet&) const = default;
};
struct AllocationSet {
  std::uint32_t year = 0;
  std::string member;
  Money allocation;
  bool operator==(const AllocationSet&) const = default;
};
struct ScheduleApplied {
  std::uint32_t year = 0;
  std::size_t members = 0;
  Money total;
  bool operator==(const ScheduleApplied&) const = default;
};
struct ReturnFiled {
  std::uint32_t year = 0;
  std::string member;
  int period = 0;
  bool operator==(const ReturnFiled&) const = default;
};
struct AvoidableSet {
  std::uint32_t year = 0;
  std::string member;
  Money avoidable;
  bool operator==(const AvoidableSet&) const = default;
};
struct LoanApproved {
  std::uint32_t year = 0;
  std::string member;
  Money loan;
  std::size_t instalments = 0;
  bool operator==(const LoanApproved&) const = default;
};
struct ClaimOutcome {
  std::string claim;
  ClaimStatus status = ClaimStatus::submitted;
  Money approved;
  std::optional<ReasonCode> reason_code;  // of the latest decision
  bool has_decision = false;
  std::string review;
  bool awaiting_second_administrator = false;
  bool operator==(const ClaimOutcome&) const = default;
};
struct AggregateClaimFiled {
  std::string claim;  // decided at settlement
  bool operator==(const AggregateClaimFiled&) const = default;
};
struct PaymentMade {
  std::string member;
  Money owed, set_off, paid;
  std::optional<std::string> claim;        // a claim's payment
  std::optional<std::size_t> claims_paid;  // a member's payment
  bool operator==(const PaymentMade&) const = default;
};
struct PaymentProposed {
  std::string payment;  // "claim:<id>" or "member:<id>"
  Money proposed;
  bool operator==(const PaymentProposed&) const = default;
};
struct ReceiptRecorded {
  std::string member;
  Money received, still_owed;
  bool operator==(const ReceiptRecorded&) const = default;
};
struct PaymentReversed {
  std::string claim;
  Money reversed;
  bool operator==(const PaymentReversed&) const = default;
};
struct YearClosed {
  std::uint32_t year = 0;
  SettlementTotals totals;
  bool operator==(const YearClosed&) const = default;
};

using CommandResult =
    std::variant<MemberStatusSet, MemberRenamed, PopulationUpdated, MembersMerged, YearCreated,
                 ParametersAmended, YearStatusSet, AllocationSet, ScheduleApplied, ReturnFiled,
                 AvoidableSet, LoanApproved, ClaimOutcome, AggregateClaimFiled, PaymentMade,
                 PaymentProposed, ReceiptRecorded, PaymentReversed, YearClosed>;

}  // namespace backstop
