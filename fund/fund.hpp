// The fund: every rule of docs/rules.md as commands of a deterministic state machine
// layered on the Ledger. A request carries a typed command (fund/commands.hpp); the fund
// checks it against its state, and records it as one event entry in the hash chain
// together with the accounts it opens and the postings it causes. Replaying the journal
// re-decides every event and must produce the same postings, so the fund's state is as
// verifiable as the ledger's (docs/fund.md lists the commands and their fields).
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "fund/commands.hpp"
#include "fund/views.hpp"
#include "ledger/signed_head.hpp"
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
  // The signed head of the group that answered the request (set by backstopd once the group
  // is durable): the entry lies at or below it (fund/receipt_json.hpp).
  std::optional<SignedHead> head;
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

  // Appends a record another fund committed (a leader's, from its journal stream) as if it
  // had been executed here: decoded (its hash checked), decided again exactly as replay
  // decides it, checked against the chain, and kept pending with its result, so that commit
  // writes the very record and the same receipt result the leader wrote. On any error
  // (a corruption error naming the transaction) nothing changes.
  Status append_replicated(std::string record);

  // Makes what was executed since the last commit durable in one write: the entries, and
  // the results their receipts carry (kept beside the journal for retries, not in memory).
  Status commit(Store& store);
  // Writes a checkpoint of the committed state to the store, named by the sequence and
  // chain hash it reflects. REQUIRES: nothing executed since the last commit.
  Status write_checkpoint(Store& store) const;

  const Ledger& ledger() const { return ledger_; }

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
  friend struct FundLoader;
  std::optional<Result<FundReceipt>> find_retry(const FundRequest& request,
                                                const Command& command) const;
  Result<CommandResult> stored_result(const JournalEntry& entry) const;
  Ledger ledger_;
  std::unique_ptr<FundState> state_;
  std::map<std::uint64_t, CommandResult> pending_results_;  // executed, not yet committed
};

struct LoadOptions {
  // Start from the latest checkpoint if it checks out against the chain, replaying only
  // the entries after it; otherwise (and always when false) replay the whole journal.
  bool from_checkpoint = true;
  // Also check every stored receipt result and the checkpoint against the replay (verify).
  bool check_side_records = false;
};

// What loading found beside the state, for logs and verify's report.
struct LoadReport {
  std::uint64_t checkpoint_sequence = 0;  // the checkpoint started from; 0 if none was used
  std::uint64_t replayed = 0;             // entries replayed
  std::string checkpoint_refused;         // why a checkpoint present was not used, if it was not
  std::uint64_t results_compared = 0;     // stored receipt results compared (verify)
};

// Rebuilds the fund from a store (replaying and verifying what it replays, as load_ledger
// does). The store must outlive the fund: committed history is read from it.
Result<Fund> load_fund(const Store& store, LoadOptions options = {}, LoadReport* report = nullptr);

// For the store's one writer: load_fund, after first writing the receipt results that a
// store from an older build does not hold (one full replay, once).
Result<Fund> open_fund(Store& store, LoadReport* report = nullptr);

}  // namespace backstop
