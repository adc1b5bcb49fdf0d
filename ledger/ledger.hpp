// The ledger core: a deterministic state machine. Commands go in, journal entries come
// out; no clock, no randomness, no I/O. The same commands always give byte-identical
// entries and the same chain head (rule 11).
#pragma once

#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/journal.hpp"

namespace backstop {

struct AccountState {
  Account account;
  Money balance;  // debits minus credits
  // The balance on the account's normal side (what its floor constrains).
  Money normal_balance() const { return is_debit_normal(account.type) ? balance : -balance; }
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
  // checked plus the chain: sequence, previous hash and the entry's own hash.
  Status replay(const JournalEntry& entry);

  const std::vector<JournalEntry>& journal() const { return journal_; }
  std::uint64_t last_sequence() const { return journal_.size(); }
  const Digest& chain_head() const { return chain_head_; }  // all zero while empty
  const std::map<std::string, AccountState>& accounts() const { return accounts_; }
  const AccountState* find_account(const std::string& id) const;
  // Sum of all balances; zero whenever every transaction balanced.
  Money trial_balance() const;
  // The key's payload digest and sequence, if the key has been used.
  const std::unordered_map<std::string, std::pair<Digest, std::uint64_t>>& idempotency() const {
    return idempotency_;
  }
  // The sequence of the entry that reversed `sequence`, if any.
  std::optional<std::uint64_t> reversed_by(std::uint64_t sequence) const;

 private:
  Result<JournalEntry> build_entry(const Command& command, const Digest& payload) const;
  Status check_entry(const JournalEntry& entry) const;
  Status check_new_account(const Account& account,
                           const std::map<std::string, AccountState>& opened) const;
  void apply(JournalEntry entry);

  std::vector<JournalEntry> journal_;
  Digest chain_head_{};
  std::map<std::string, AccountState> accounts_;
  std::unordered_map<std::string, std::pair<Digest, std::uint64_t>> idempotency_;
  std::unordered_map<std::uint64_t, std::uint64_t> reversed_by_;
};

}  // namespace backstop
