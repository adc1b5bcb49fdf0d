// The fund: every rule of docs/rules.md as commands of a deterministic state machine
// layered on the Ledger. A request carries a typed command (fund/commands.hpp); the fund
// checks it against its state, and records it as one event entry in the hash chain
// together with the accounts it opens and the postings it causes. Replaying the journal
// re-decides every event and must produce the same postings, so the fund's state is as
// verifiable as the ledger's (docs/fund.md lists the commands and their fields).
#pragma once

#include <functional>
#include <memory>

#include "fund/commands.hpp"
#include "fund/views.hpp"
#include "ledger/store.hpp"

namespace backstop {

struct FundRequest {
  std::string idempotency_key;
  std::int64_t time_unix_s = 0;
  Actor actor;
  FundCommand command;
};

struct FundReceipt {
  std::uint64_t sequence = 0;
  Digest hash{};
  bool replayed = false;
  CommandResult result;
};

struct FundState;

class Fund {
 public:
  Fund();
  ~Fund();
  Fund(Fund&&) noexcept;
  Fund& operator=(Fund&&) noexcept;

  // Checks and applies one request. On any error nothing changes. A retry (same key, same
  // command) returns the original receipt; another command under a used key is refused.
  Result<FundReceipt> execute(const FundRequest& request);

  // Re-applies an entry read back from a store: an event is decided again and must give
  // the very postings it recorded.
  Status replay(const JournalEntry& entry);

  const Ledger& ledger() const { return ledger_; }

  // An independent copy (for readers that must not share state with the writer).
  Fund clone() const;

  // Replication without deciding again: the state changes of the entries executed since the
  // last call, and applying one of them (with its entry) to a copy that was equal to this
  // fund before it. Cheaper than replay, for copies of the same process's own decisions.
  using StateChange = std::function<CommandResult(FundState&, std::uint64_t)>;
  void keep_state_changes(bool keep) { keep_state_changes_ = keep; }  // off by default
  std::vector<std::pair<std::uint64_t, StateChange>> take_state_changes();
  Status apply_state_change(const JournalEntry& entry, const StateChange& change);

  // Reads (pure): a member's statement for a fund year, the fund report for a year,
  // the early-warning report (rule 4), and one claim.
  Result<MemberStatement> member_statement(const std::string& member, std::uint32_t year) const;
  Result<FundReport> fund_report(std::uint32_t year) const;
  Result<EarlyWarnings> early_warnings(std::uint32_t year) const;
  Result<ClaimView> claim(const std::string& claim_id) const;
  // Claims of a year awaiting an administrator: {"claims": [{claim, member, status, awaiting}]},
  // awaiting one of "decision", "second_administrator", "payment".
  Result<PendingClaims> pending_claims(std::uint32_t year) const;

 private:
  std::optional<Result<FundReceipt>> find_retry(const FundRequest& request,
                                                const Command& command) const;
  Ledger ledger_;
  std::unique_ptr<FundState> state_;
  bool keep_state_changes_ = false;
  std::vector<std::pair<std::uint64_t, StateChange>> state_changes_;  // since take_state_changes
};

// Rebuilds the fund from a store (replaying and verifying everything, as load_ledger does).
Result<Fund> load_fund(const Store& store);

}  // namespace backstop
