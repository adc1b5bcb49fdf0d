// The fund's state (private to fund/*.cpp): what the events have established.
// Money movements live in the Ledger; this holds the facts the rules need beside them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fund/views.hpp"

namespace backstop {

struct Member {
  std::string id;
  std::string name;
  std::int64_t population = 0;
  MemberStatus status = MemberStatus::active;
  std::optional<std::string> merged_into;  // history stays under this id
  bool operator==(const Member&) const = default;
};

struct ParameterVersion {
  std::int64_t effective_time_unix_s = 0;
  YearParameters parameters;
  std::string actor;
  std::string reason;
  bool operator==(const ParameterVersion&) const = default;
};

struct MonthlyReturn {
  int period = 0;  // 1 (April) .. 12 (March)
  Money spend_to_date;
  Money forecast_outturn;
  Money planned;
  Money unplanned;
  bool operator==(const MonthlyReturn&) const = default;
};

// A member's figures for one fund year.
struct MemberYear {
  Money allocation;
  Money contribution;
  std::int64_t contribution_due_unix_s = 0;
  std::map<int, MonthlyReturn> returns;
  Money avoidable;                              // V, adjudicated by administrators (R07)
  Money loan;                                   // approved planned-overspend loan
  std::optional<Money> aggregate_outturn;       // S from the aggregate claim, if filed
  Money aggregate_planned;                      // P reported with it
  bool missing_return_closed = false;           // closed on the last forecast
  std::optional<SettlementFigures> settlement;  // what settlement decided
  bool operator==(const MemberYear&) const = default;
};

struct SpecificClaim {
  std::string id;
  std::string member;
  std::uint32_t year = 0;
  std::string patient;
  std::string episode;
  ClaimKind kind = ClaimKind::interim;
  Money cumulative_cost;   // K as claimed
  Money adjudicated_cost;  // K as decided
  bool evidence = false;
  ClaimStatus status = ClaimStatus::submitted;
  std::string review_reason;  // why it went to manual review
  Money approved;             // liability increment decided for this claim (negative: a recovery)
  Money paid;                 // paid out or set off
  Money deferred;             // cut at settlement (rule 10.3b), owed once the next year opens
  Money last_payment_cash;    // what the last pay_claim sent from the bank (reverse_payment)
  std::int64_t decided_unix_s = 0;
  bool appealed = false;
  std::optional<Decision> proposed;  // awaiting a second administrator (four eyes)
  std::vector<Decision> decisions;
  bool operator==(const SpecificClaim&) const = default;
};

// A contribution or supplementary call: the only debts whose lateness is arrears (rule 3).
// Money received pays these first, oldest first.
struct Due {
  std::string kind;  // "contribution" or "call"
  std::uint32_t year = 0;
  std::int64_t due_unix_s = 0;
  Money outstanding;
  bool operator==(const Due&) const = default;
};

// A payment out above four_eyes_above, proposed by one administrator for another to confirm.
// What is confirmed is the amount discharged (`owed`); how much of it is set off against the
// member's debts, and so how much leaves the bank, is worked out again at confirmation.
struct ProposedPayment {
  std::string actor;
  Money owed;
  Money cash;  // as it stood when proposed
  bool set_off = false;
  bool operator==(const ProposedPayment&) const = default;
};

// What has moved between the fund and one member (rule 10.6), for statements and reports.
struct PaymentTotals {
  Money paid_out;  // from the fund's bank to the member
  Money set_off;   // owed both ways and netted
  Money received;  // from the member into the bank (receipts, collections)
  bool operator==(const PaymentTotals&) const = default;
};

struct FundYear {
  std::uint32_t year = 0;
  YearStatus status = YearStatus::draft;
  std::vector<ParameterVersion> versions;  // the first is the one frozen at opening
  std::map<std::string, MemberYear> members;
  std::map<std::string, Money> deferred_out;  // recoveries cut at settlement, paid first next year
  std::optional<SettlementTotals> report;     // written at settlement
  bool operator==(const FundYear&) const = default;
};

struct FundState {
  std::map<std::string, Member> members;
  std::map<std::uint32_t, FundYear> years;
  std::map<std::string, SpecificClaim> claims;
  std::map<std::tuple<std::string, std::uint32_t, std::string>, Money>
      patient_liability;                                // approved L so far
  std::map<std::string, std::vector<CarryItem>> carry;  // by member
  // Indexes, so that checks at submission do not scan every claim.
  std::map<std::tuple<std::string, std::uint32_t, std::string, std::string>,
           std::vector<std::string>>
      episode_claims;
  std::map<std::string, std::pair<Money, int>>
      approved_costs;  // member -> (sum of K approved, count)
  std::map<std::string, std::vector<std::string>>
      member_claims;                                         // member -> claim ids, in filing order
  std::map<std::string, std::vector<Due>> dues;              // by member, oldest first
  std::map<std::string, ProposedPayment> proposed_payments;  // "claim:<id>" or "member:<id>"
  std::map<std::string, PaymentTotals> payments;             // by member
  bool operator==(const FundState&) const = default;
};

}  // namespace backstop
