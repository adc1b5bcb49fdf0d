// The journal's vocabulary: accounts, postings, commands and the entries they produce.
// The byte encoding of an entry is documented in docs/journal-format.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ledger/money.hpp"

namespace backstop {

using Digest = std::array<std::uint8_t, 32>;  // SHA-256
std::string to_hex(const Digest& digest);

enum class AccountType : std::uint8_t {
  asset = 1,
  liability = 2,
  equity = 3,
  income = 4,
  expense = 5
};
const char* account_type_name(AccountType type);
std::optional<AccountType> parse_account_type(std::string_view name);
// Assets and expenses grow with debits; the others grow with credits.
bool is_debit_normal(AccountType type);

struct Account {
  std::string id;  // e.g. "fund:reserve", "member:05A:receivable"
  AccountType type = AccountType::asset;
  std::string owner;  // "fund" or a member id
  // The lowest balance (on the account's normal side) the account may ever show.
  std::optional<Money> floor;
  bool operator==(const Account&) const = default;
};

// A debit is a positive amount, a credit a negative one; a transaction's postings sum to zero.
struct Posting {
  std::string account;
  Money amount;
  bool operator==(const Posting&) const = default;
};

struct Metadata {
  std::string actor;                    // who asked for the change
  std::string reason;                   // why, in words
  std::uint32_t fund_year = 0;          // e.g. 2013 for 2013/14; 0 when not about one year
  std::vector<std::string> references;  // claim ids, documents, other transactions
  bool operator==(const Metadata&) const = default;
};

struct OpenAccount {
  Account account;
};
struct PostTransaction {
  std::vector<Posting> postings;
};
struct ReverseTransaction {
  std::uint64_t sequence = 0;
};
// A domain event (e.g. a fund command) recorded in the chain, with the postings it causes
// (none, or at least two that balance). The payload is opaque to the ledger.
struct RecordEvent {
  std::string type;               // e.g. "file_specific_claim"
  std::string payload;            // canonical encoding of the request
  std::vector<Account> accounts;  // opened by the event, before its postings
  std::vector<Posting> postings;
};

// What a caller asks the ledger to do. Time comes in with the command: the core has no clock.
struct Command {
  std::string idempotency_key;
  std::int64_t time_unix_s = 0;
  Metadata metadata;
  std::variant<OpenAccount, PostTransaction, ReverseTransaction, RecordEvent> body;
};

enum class EntryKind : std::uint8_t { open_account = 1, transaction = 2, event = 3 };

// One link of the hash chain. hash = SHA-256(encoding), and the encoding names previous_hash.
struct JournalEntry {
  std::uint64_t sequence = 0;  // 1, 2, 3, ...
  EntryKind kind = EntryKind::transaction;
  std::int64_t time_unix_s = 0;
  std::string idempotency_key;
  Digest payload_digest{};  // what the key was first used for; a retry must match it
  Metadata metadata;
  Account account;                        // open_account only
  std::vector<Account> event_accounts;    // event only: accounts it opens
  std::string event_type;                 // event only
  std::string event_payload;              // event only
  std::vector<Posting> postings;          // transaction and event
  std::optional<std::uint64_t> reverses;  // transaction only: the entry it undoes
  Digest previous_hash{};
  Digest hash{};
};

// What the ledger answers to a command: the entry that records it.
struct Receipt {
  std::uint64_t sequence = 0;
  Digest hash{};
  bool replayed = false;  // true when the key was seen before and nothing new was written
};

}  // namespace backstop
