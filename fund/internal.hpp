// Shared by the fund's implementation files only: how a command is decided.
#pragma once

#include <functional>
#include <stdexcept>

#include "fund/fund.hpp"
#include "fund/state.hpp"

namespace backstop::fund {

// A refusal while deciding; execute turns it into a Status (code, message naming the field).
class Refusal : public std::runtime_error {
 public:
  Refusal(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};
[[noreturn]] inline void refuse(const std::string& message,
                                ErrorCode code = ErrorCode::invalid_argument) {
  throw Refusal(code, message);
}

// What deciding a command yields: the ledger effects, and the change to the fund's state
// (applied only once the ledger has accepted the entry).
struct Effect {
  std::vector<Account> accounts;
  std::vector<Posting> postings;
  std::function<boost::json::object(FundState&, std::uint64_t sequence)> apply;
};

// Reads a command's fields, each with a clear error, and refuses fields nobody read.
class Fields {
 public:
  explicit Fields(const boost::json::object& object) : object_(object) {}
  std::string text(const char* name, std::size_t max_bytes = 200);
  std::optional<std::string> optional_text(const char* name, std::size_t max_bytes = 200);
  Money money(const char* name);  // a string such as "1234.56"
  std::optional<Money> optional_money(const char* name);
  std::int64_t integer(const char* name, std::int64_t low, std::int64_t high);
  bool boolean(const char* name, bool fallback);
  std::uint32_t year(const char* name = "year");
  const boost::json::value* raw(const char* name);  // for nested values; marks it read
  void finish() const;                              // refuses unknown fields

 private:
  const boost::json::value& required(const char* name);
  const boost::json::object& object_;
  std::set<std::string> read_;
};

struct Context {
  const FundState& state;
  const Ledger& ledger;
  Fields& fields;
  std::int64_t time_unix_s;
  const std::string& actor;
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
bool is_admin(const std::string& actor);
std::string actor_member(const std::string& actor);  // the id in "member:<id>", or ""
void require_admin(const Context& context);
void require_admin_or_member(const Context& context, const std::string& member);
const Member& find_member(const FundState& state, const std::string& id);
const FundYear& find_year(const FundState& state, std::uint32_t year);
const YearParameters& parameters_at(const FundYear& year, std::int64_t time_unix_s);
std::int64_t year_end_unix_s(std::uint32_t year);  // 1 April of year + 1, 00:00 UTC
// A claim awaiting a decision (submitted, pended, under review, appealed).
bool is_open_status(ClaimStatus status);  // fund_claims.cpp
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

const char* member_status_name(MemberStatus status);
const char* year_status_name(YearStatus status);
const char* claim_status_name(ClaimStatus status);
boost::json::object parameters_to_json(const YearParameters& parameters);
YearParameters parameters_from_json(const boost::json::value* overrides,
                                    const YearParameters& base);

// The command handlers, by file.
Effect decide_member_command(const std::string& type, Context& context);   // fund_members.cpp
Effect decide_year_command(const std::string& type, Context& context);     // fund_years.cpp
Effect decide_claim_command(const std::string& type, Context& context);    // fund_claims.cpp
Effect decide_payment_command(const std::string& type, Context& context);  // fund_payments.cpp
Effect decide_close_year(Context& context);                                // fund_settlement.cpp

}  // namespace backstop::fund
