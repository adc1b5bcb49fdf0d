#include "ledger/ledger.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <memory_resource>
#include <stdexcept>

#include "ledger/encoding.hpp"

namespace backstop {
namespace {

Status invalid(std::string message) {
  return Status::error(ErrorCode::invalid_argument, std::move(message));
}

bool is_printable_text(std::string_view text) {
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// Account ids are ':'-separated names (hledger-compatible): "fund:reserve",
// "member:05A:receivable".
bool is_account_id(std::string_view id) {
  if (id.empty() || id.size() > 96 || id.front() == ':' || id.back() == ':') return false;
  if (id.find("::") != std::string_view::npos) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return c == ':' || is_name_char(c); });
}

bool is_owner(std::string_view owner) {
  return !owner.empty() && owner.size() <= 32 &&
         std::all_of(owner.begin(), owner.end(), is_name_char);
}

Status check_postings_shape(const std::vector<Posting>& postings) {
  if (postings.size() < 2) return invalid("a transaction needs at least two postings");
  if (postings.size() > Ledger::postings_max)
    return invalid("too many postings in one transaction");
  for (const auto& posting : postings) {
    if (posting.amount.is_zero()) return invalid("a posting of zero to '" + posting.account + "'");
  }
  return Status::ok();
}

Status check_account_shape(const Account& account) {
  if (!is_account_id(account.id)) {
    return invalid(
        "account id must be ':'-separated names of letters, digits, '_', '-', '.' (at most 96)");
  }
  if (!is_owner(account.owner)) return invalid("owner must be 'fund' or a member id");
  if (!parse_account_type(account_type_name(account.type))) return invalid("unknown account type");
  return Status::ok();
}

Status check_command_shape(const Command& command) {
  const auto& key = command.idempotency_key;
  if (key.empty() || key.size() > Ledger::key_bytes_max ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return invalid("idempotency key must be 1 to 128 printable ASCII characters without spaces");
  }
  const auto& metadata = command.metadata;
  if (metadata.actor.empty() || metadata.actor.size() > 128 || !is_printable_text(metadata.actor)) {
    return invalid("actor must be 1 to 128 printable characters");
  }
  if (metadata.reason.size() > Ledger::reason_bytes_max || !is_printable_text(metadata.reason)) {
    return invalid("reason must be at most 1024 printable characters");
  }
  if (metadata.fund_year != 0 && (metadata.fund_year < 1990 || metadata.fund_year > 2200)) {
    return invalid("fund year must be between 1990 and 2200 (or 0 for none)");
  }
  if (metadata.references.size() > Ledger::references_max) return invalid("at most 32 references");
  for (const auto& reference : metadata.references) {
    if (reference.empty() || reference.size() > 128 || !is_printable_text(reference)) {
      return invalid("a reference must be 1 to 128 printable characters");
    }
  }
  if (const auto* open = std::get_if<OpenAccount>(&command.body)) {
    return check_account_shape(open->account);
  } else if (const auto* post = std::get_if<PostTransaction>(&command.body)) {
    return check_postings_shape(post->postings);
  } else if (const auto* event = std::get_if<RecordEvent>(&command.body)) {
    if (event->type.empty() || event->type.size() > 64 ||
        !std::all_of(event->type.begin(), event->type.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; })) {
      return invalid("event type must be 1 to 64 of a-z and '_'");
    }
    if (event->payload.size() > Ledger::event_payload_bytes_max)
      return invalid("event payload too large");
    for (const auto& account : event->accounts) {
      if (Status shape = check_account_shape(account); !shape.is_ok()) return shape;
    }
    if (!event->postings.empty()) return check_postings_shape(event->postings);
  }
  return Status::ok();
}

}  // namespace

const AccountState* Ledger::find_account(const std::string& id) const { return accounts_.find(id); }

Money Ledger::trial_balance() const {
  Money total;
  for (const auto& [id, state] : accounts_.by_id()) total += state.balance;
  return total;
}

std::optional<std::uint64_t> Ledger::reversed_by(std::uint64_t sequence) const {
  auto found = reversed_by_.find(sequence);
  if (found == reversed_by_.end()) return std::nullopt;
  return found->second;
}

Result<Receipt> Ledger::execute(const Command& command) {
  try {
    if (Status shape = check_command_shape(command); !shape.is_ok()) return shape;
    if (auto retry = find_retry(command)) return *retry;
    JournalEntry entry;
    if (Status built = build_entry(command, command_payload_digest(command), entry); !built.is_ok())
      return built;
    if (Status checked = check_entry(entry); !checked.is_ok()) return checked;
    std::string record = seal_entry(entry);
    Receipt receipt{entry.sequence, entry.hash, false};
    apply(entry, ChangeOrigin::pending);
    pending_keys_.emplace(entry.idempotency_key, KeyUse{entry.payload_digest, entry.sequence});
    pending_.push_back(std::move(entry));
    pending_records_.push_back(std::move(record));
    return receipt;
  } catch (const std::overflow_error& error) {
    return Status::error(ErrorCode::overflow, std::string("amount out of range: ") + error.what());
  }
}

std::optional<Result<Receipt>> Ledger::find_retry(const Command& command) const {
  Result<std::optional<KeyUse>> used = find_key(command.idempotency_key);
  if (!used.is_ok()) return Result<Receipt>(used.status());
  if (!used.value()) return std::nullopt;
  if (used.value()->payload != command_payload_digest(command)) {
    return Result<Receipt>(Status::error(
        ErrorCode::idempotency_conflict,
        "idempotency key '" + command.idempotency_key + "' was used for a different request"));
  }
  Result<JournalEntry> original = entry(used.value()->sequence);
  if (!original.is_ok()) return Result<Receipt>(original.status());
  // The key's record must name an entry made under that key for that request.
  if (original.value().idempotency_key != command.idempotency_key ||
      original.value().payload_digest != used.value()->payload) {
    return Result<Receipt>(Status::error(ErrorCode::corruption,
                                         "the idempotency record of '" + command.idempotency_key +
                                             "' names transaction " +
                                             std::to_string(original.value().sequence) +
                                             ", made under another key or for another request"));
  }
  return Result<Receipt>(Receipt{original.value().sequence, original.value().hash, true});
}

void KeySetDigest::add(const std::string& key, const KeyUse& use) {
  const Digest record = sha256(encode_sequence_key(key.size()) + key +
                               std::string(use.payload.begin(), use.payload.end()) +
                               encode_sequence_key(use.sequence));
  unsigned carry = 0;
  for (std::size_t i = sum_.size(); i-- > 0;) {
    carry += unsigned{sum_[i]} + unsigned{record[i]};
    sum_[i] = static_cast<std::uint8_t>(carry & 0xff);
    carry >>= 8;
  }
}

KeySetDigest KeySetDigest::from(const Digest& sum) {
  KeySetDigest digest;
  digest.sum_ = sum;
  return digest;
}

Result<JournalEntry> Ledger::entry(std::uint64_t sequence) const {
  const std::uint64_t first_pending = last_sequence_ - pending_.size() + 1;
  if (sequence >= first_pending && sequence <= last_sequence_)
    return pending_[sequence - first_pending];
  if (sequence == 0 || sequence > last_sequence_ || archive_ == nullptr)
    return Status::error(ErrorCode::not_found, "no transaction " + std::to_string(sequence));
  Result<JournalEntry> read = archive_->read_entry(sequence);
  if (read.is_ok() && read.value().sequence != sequence) {
    return Status::error(ErrorCode::corruption,
                         "transaction " + std::to_string(sequence) + " is stored under another");
  }
  return read;
}

Result<std::optional<KeyUse>> Ledger::find_key(const std::string& key) const {
  if (auto pending = pending_keys_.find(key); pending != pending_keys_.end())
    return std::optional<KeyUse>(pending->second);
  if (archive_ == nullptr) return std::optional<KeyUse>();
  return archive_->find_key(key);
}

void Ledger::mark_committed(const JournalArchive& archive) {
  archive_ = &archive;
  pending_.clear();
  pending_records_.clear();
  pending_keys_.clear();
  accounts_.clear_changed();
}

LedgerSnapshot Ledger::snapshot() const {
  assert(pending_.empty());
  return LedgerSnapshot{last_sequence_, chain_head_,       last_time_,
                        keys_,          accounts_.by_id(), reversed_by_};
}

Ledger Ledger::restore(LedgerSnapshot snapshot, const JournalArchive& archive) {
  Ledger ledger;
  ledger.archive_ = &archive;
  ledger.last_sequence_ = snapshot.last_sequence;
  ledger.chain_head_ = snapshot.chain_head;
  ledger.last_time_ = snapshot.last_time_unix_s;
  ledger.keys_ = snapshot.keys;
  ledger.accounts_ = AccountTable(std::move(snapshot.accounts));
  ledger.reversed_by_ = std::move(snapshot.reversed_by);
  return ledger;
}

Status Ledger::build_entry(const Command& command, const Digest& payload,
                           JournalEntry& entry) const {
  entry.sequence = last_sequence() + 1;
  entry.time_unix_s = command.time_unix_s;
  entry.idempotency_key = command.idempotency_key;
  entry.payload_digest = payload;
  entry.metadata = command.metadata;
  entry.previous_hash = chain_head_;
  if (const auto* open = std::get_if<OpenAccount>(&command.body)) {
    entry.kind = EntryKind::open_account;
    entry.account = open->account;
  } else if (const auto* post = std::get_if<PostTransaction>(&command.body)) {
    entry.kind = EntryKind::transaction;
    entry.postings = post->postings;
  } else if (const auto* event = std::get_if<RecordEvent>(&command.body)) {
    entry.kind = EntryKind::event;
    entry.event_type = event->type;
    entry.event_payload = event->payload;
    entry.event_accounts = event->accounts;
    entry.postings = event->postings;
  } else {
    const auto target = std::get<ReverseTransaction>(command.body).sequence;
    if (target == 0 || target > last_sequence()) {
      return Status::error(ErrorCode::not_found,
                           "no transaction " + std::to_string(target) + " to reverse");
    }
    Result<JournalEntry> original = this->entry(target);
    if (!original.is_ok()) return original.status();
    entry.kind = EntryKind::transaction;
    entry.reverses = target;
    for (const auto& posting : original.value().postings)
      entry.postings.push_back({posting.account, -posting.amount});
  }
  return Status::ok();
}

Status Ledger::check_new_account(const Account& account,
                                 const std::map<std::string, AccountState>& opened) const {
  if (accounts_.find(account.id) != nullptr || opened.contains(account.id)) {
    return Status::error(ErrorCode::already_exists, "account '" + account.id + "' already exists");
  }
  if (account.floor && *account.floor > Money()) {
    return invalid("an account's floor cannot be above zero: a new account starts at zero");
  }
  return Status::ok();
}

// Everything that makes an entry acceptable given the state before it. Pure: changes nothing.
Status Ledger::check_entry(const JournalEntry& entry) const {
  if (last_sequence_ > 0 && entry.time_unix_s < last_time_) {
    return invalid("time goes backwards: the journal is in time order");
  }
  if (entry.kind == EntryKind::open_account) return check_new_account(entry.account, {});
  std::map<std::string, AccountState> opened;  // accounts an event opens, visible to its postings
  for (const auto& account : entry.event_accounts) {
    if (Status fresh = check_new_account(account, opened); !fresh.is_ok()) return fresh;
    opened.emplace(account.id, AccountState{account, Money()});
  }
  if (entry.reverses) {
    Result<JournalEntry> read = this->entry(*entry.reverses);
    if (!read.is_ok()) return read.status();
    const JournalEntry& original = read.value();
    if (original.kind != EntryKind::transaction)
      return invalid("only a transaction can be reversed");
    if (original.reverses)
      return invalid("a reversal cannot itself be reversed; post a new transaction");
    if (auto by = reversed_by(original.sequence)) {
      return Status::error(ErrorCode::already_reversed,
                           "transaction " + std::to_string(original.sequence) +
                               " was already reversed by " + std::to_string(*by));
    }
  }
  return check_postings(entry.postings, opened);
}

// The postings name accounts that exist (or that the entry opens), sum to zero, and leave no
// account below its floor. Pure: changes nothing.
Status Ledger::check_postings(const std::vector<Posting>& postings,
                              const std::map<std::string, AccountState>& opened) const {
  // Per account: its state before the entry and the sum of its postings, in id order (the
  // first floor broken is reported in that order). A transfer touches two accounts, so the
  // map's nodes live on the stack unless an entry touches many.
  struct Delta {
    const AccountState* before;
    Money sum;
  };
  std::array<std::byte, 1024> arena;
  std::pmr::monotonic_buffer_resource memory(arena.data(), arena.size());
  std::pmr::map<std::string_view, Delta> deltas(&memory);
  Money total;
  for (const auto& posting : postings) {
    const AccountState* state = find_account(posting.account);
    if (state == nullptr) {
      auto found = opened.find(posting.account);
      if (found == opened.end())
        return Status::error(ErrorCode::not_found, "no account '" + posting.account + "'");
      state = &found->second;
    }
    deltas.try_emplace(posting.account, Delta{state, Money()}).first->second.sum += posting.amount;
    total += posting.amount;
  }
  if (!total.is_zero()) {
    return Status::error(ErrorCode::unbalanced,
                         "postings sum to " + total.to_string() + ", not zero");
  }
  for (const auto& [id, delta] : deltas) {
    const Account& account = delta.before->account;
    if (!account.floor) continue;
    const Money after = delta.before->balance + delta.sum;
    const Money normal_after = is_debit_normal(account.type) ? after : -after;
    if (normal_after < *account.floor) {
      return Status::error(ErrorCode::constraint,
                           "account '" + std::string(id) + "' would fall to " +
                               normal_after.to_string() + ", below its floor of " +
                               account.floor->to_string());
    }
  }
  return Status::ok();
}

void Ledger::apply(const JournalEntry& entry, ChangeOrigin origin) {
  assert(entry.sequence == last_sequence() + 1);
  assert(entry.previous_hash == chain_head_);
  if (entry.kind == EntryKind::open_account) {
    accounts_.open(entry.account, origin);
  } else {
    for (const auto& account : entry.event_accounts) accounts_.open(account, origin);
    Money total;
    for (const auto& posting : entry.postings) {
      accounts_.post(posting.account, posting.amount, origin);
      total += posting.amount;
    }
    assert(total.is_zero());
    if (entry.reverses) reversed_by_.emplace(*entry.reverses, entry.sequence);
  }
  last_sequence_ = entry.sequence;
  last_time_ = entry.time_unix_s;
  keys_.add(entry.idempotency_key, KeyUse{entry.payload_digest, entry.sequence});
  chain_head_ = entry.hash;
}

// Everything replay checks before applying an entry: its place in the chain, its own hash,
// what a reversal mirrors, and everything execute would have checked. Pure.
Status Ledger::check_replayed(const JournalEntry& entry) const {
  const std::string where = "transaction " + std::to_string(entry.sequence) + ": ";
  auto corrupt = [&](const std::string& what) {
    return Status::error(ErrorCode::corruption, where + what);
  };
  if (entry.sequence != last_sequence() + 1) {
    return corrupt("out of sequence (expected " + std::to_string(last_sequence() + 1) + ")");
  }
  if (entry.previous_hash != chain_head_)
    return corrupt("does not chain to the hash of the entry before it");
  if (sha256(encode_entry_body(entry)) != entry.hash)
    return corrupt("hash does not match its contents");
  try {
    if (entry.reverses) {
      if (*entry.reverses == 0 || *entry.reverses > last_sequence())
        return corrupt("reverses an unknown transaction");
      Result<JournalEntry> read = this->entry(*entry.reverses);
      if (!read.is_ok()) return corrupt(read.status().message());
      const auto& original = read.value().postings;
      bool mirrors = original.size() == entry.postings.size();
      for (std::size_t i = 0; mirrors && i < original.size(); ++i) {
        mirrors = original[i].account == entry.postings[i].account &&
                  original[i].amount == -entry.postings[i].amount;
      }
      if (!mirrors) return corrupt("is not the mirror image of the transaction it reverses");
    }
    if (Status checked = check_entry(entry); !checked.is_ok()) return corrupt(checked.message());
  } catch (const std::overflow_error&) {
    return corrupt("amounts out of range");
  }
  return Status::ok();
}

Status Ledger::replay(const JournalEntry& entry) {
  if (Status checked = check_replayed(entry); !checked.is_ok()) return checked;
  apply(entry, ChangeOrigin::replayed);
  return Status::ok();
}

Status Ledger::append_replicated(JournalEntry entry, std::string record) {
  const std::string where = "transaction " + std::to_string(entry.sequence) + ": ";
  const std::string_view hash(reinterpret_cast<const char*>(entry.hash.data()), entry.hash.size());
  if (record.size() <= hash.size() || !std::string_view(record).ends_with(hash) ||
      sha256(std::string_view(record).substr(0, record.size() - hash.size())) != entry.hash)
    return Status::error(ErrorCode::corruption, where + "its record is not the entry's");
  if (Status checked = check_replayed(entry); !checked.is_ok()) return checked;
  Result<std::optional<KeyUse>> used = find_key(entry.idempotency_key);
  if (!used.is_ok()) return used.status();
  if (used.value()) {
    return Status::error(ErrorCode::corruption,
                         where + "its idempotency key was already used by transaction " +
                             std::to_string(used.value()->sequence));
  }
  apply(entry, ChangeOrigin::pending);
  pending_keys_.emplace(entry.idempotency_key, KeyUse{entry.payload_digest, entry.sequence});
  pending_.push_back(std::move(entry));
  pending_records_.push_back(std::move(record));
  return Status::ok();
}

}  // namespace backstop
