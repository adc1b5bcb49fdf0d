// The ledger core: a deterministic state machine. Commands go in, journal entries come
// out; no clock, no randomness, no I/O of its own. The same commands always give
// byte-identical entries and the same chain head (rule 11).
//
// Memory holds the balances, the chain head and the entries not yet committed; committed
// history is read back through a JournalArchive (the store) when a retry or a reversal needs
// it, so memory does not grow with the journal.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/account_table.hpp"
#include "ledger/journal.hpp"

namespace backstop {

// How an idempotency key was first used.
struct KeyUse {
  Digest payload{};  // what the key was used for; a retry must match it
  std::uint64_t sequence = 0;
  bool operator==(const KeyUse&) const = default;
};

// Committed history, read back on demand (implemented by the stores).
class JournalArchive {
 public:
  // The committed entry with this sequence; not_found if there is none.
  virtual Result<JournalEntry> read_entry(std::uint64_t sequence) const = 0;
  // The committed use of an idempotency key, if any.
  virtual Result<std::optional<KeyUse>> find_key(const std::string& key) const = 0;

 protected:
  ~JournalArchive() = default;
};

// A digest of a set of idempotency records that does not depend on their order: the sum,
// modulo 2^256, of each record's SHA-256. A store's records must sum to the journal's, so a
// record changed, moved or swapped for another is caught without holding every key.
class KeySetDigest {
 public:
  void add(const std::string& key, const KeyUse& use);
  const Digest& value() const { return sum_; }
  bool operator==(const KeySetDigest&) const = default;
  static KeySetDigest from(const Digest& sum);

 private:
  Digest sum_{};  // big-endian
};

// The ledger's whole in-memory state once its entries are committed: what a checkpoint holds.
struct LedgerSnapshot {
  std::uint64_t last_sequence = 0;
  Digest chain_head{};
  std::int64_t last_time_unix_s = 0;
  KeySetDigest keys;  // of every key the journal has used
  std::map<std::string, AccountState> accounts;
  std::map<std::uint64_t, std::uint64_t> reversed_by;  // reversed sequence -> reversing one
};

class Ledger {
 public:
  static constexpr std::size_t postings_max = 65'536;
  static constexpr std::size_t references_max = 32;
  static constexpr std::size_t key_bytes_max = 128;
  static constexpr std::size_t reason_bytes_max = 1024;
  static constexpr std::size_t event_payload_bytes_max = 1 << 20;

  // Validates and applies a command. On any error nothing changes. A retry (same key,
  // same payload) returns the original receipt with `replayed` set; the same key with a
  // different payload is an idempotency_conflict.
  Result<Receipt> execute(const Command& command);

  // If the command's key was used before: the original receipt (same payload) or an
  // idempotency_conflict (different payload). nullopt for a fresh key.
  std::optional<Result<Receipt>> find_retry(const Command& command) const;

  // Re-applies an entry read back from a store, checking everything execute would have
  // checked plus the chain: sequence, previous hash and the entry's own hash. Whether its
  // key was used before is for the caller to check (replay_journal does, against the store).
  // The entry is not kept: it is already committed.
  Status replay(const JournalEntry& entry);

  // Appends an entry another ledger made (a leader's, read from its journal stream) as a
  // pending one, after every check replay makes and after checking that its key is unused;
  // `record` is its stored record, which the store then writes as it is (so a replica's
  // journal is byte for byte the leader's). On any error nothing changes.
  Status append_replicated(JournalEntry entry, std::string record);

  // Entries executed but not yet committed, oldest first.
  const std::vector<JournalEntry>& pending() const { return pending_; }
  // The stored record (body and hash) of each pending entry, in the same order: encoded once,
  // when the entry is hashed, and written as it is by the store.
  const std::vector<std::string>& pending_records() const { return pending_records_; }
  // The accounts that the pending entries opened or posted to, each once, in the order first
  // changed: the balances a commit writes.
  const std::vector<const AccountState*>& pending_accounts() const { return accounts_.changed(); }
  // The pending entries are now durable in `archive`, which answers for them from now on.
  void mark_committed(const JournalArchive& archive);
  // Where committed history is read from (null until the ledger is loaded or committed).
  const JournalArchive* archive() const { return archive_; }
  // An entry by sequence, pending or committed.
  Result<JournalEntry> entry(std::uint64_t sequence) const;
  // How a key was first used, pending or committed.
  Result<std::optional<KeyUse>> find_key(const std::string& key) const;

  std::uint64_t last_sequence() const { return last_sequence_; }
  std::int64_t last_time_unix_s() const { return last_time_; }
  const KeySetDigest& keys_digest() const { return keys_; }
  const Digest& chain_head() const { return chain_head_; }  // all zero while empty
  const std::map<std::string, AccountState>& accounts() const { return accounts_.by_id(); }
  const AccountState* find_account(const std::string& id) const;
  // Sum of all balances; zero whenever every transaction balanced.
  Money trial_balance() const;
  // The sequence of the entry that reversed `sequence`, if any.
  std::optional<std::uint64_t> reversed_by(std::uint64_t sequence) const;

  // The committed state, and a ledger rebuilt from it reading history from `archive`.
  // REQUIRES for snapshot(): nothing pending.
  LedgerSnapshot snapshot() const;
  static Ledger restore(LedgerSnapshot snapshot, const JournalArchive& archive);

 private:
  // Fills `entry` (default-constructed) in place: an entry is large, and moving it costs.
  Status build_entry(const Command& command, const Digest& payload, JournalEntry& entry) const;
  Status check_entry(const JournalEntry& entry) const;
  Status check_replayed(const JournalEntry& entry) const;
  Status check_postings(const std::vector<Posting>& postings,
                        const std::map<std::string, AccountState>& opened) const;
  Status check_new_account(const Account& account,
                           const std::map<std::string, AccountState>& opened) const;
  void apply(const JournalEntry& entry, ChangeOrigin origin);

  std::vector<JournalEntry> pending_;
  std::vector<std::string> pending_records_;  // pending_[i]'s record
  std::unordered_map<std::string, KeyUse> pending_keys_;
  const JournalArchive* archive_ = nullptr;
  std::uint64_t last_sequence_ = 0;
  Digest chain_head_{};
  std::int64_t last_time_ = 0;
  KeySetDigest keys_;
  AccountTable accounts_;
  std::map<std::uint64_t, std::uint64_t> reversed_by_;
};

}  // namespace backstop
