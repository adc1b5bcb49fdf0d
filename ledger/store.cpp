#include "ledger/store.hpp"

#include "ledger/encoding.hpp"

namespace backstop {

Status replay_journal(const Store& store,
                      const std::function<Status(const JournalEntry&)>& replay) {
  return store.for_each_record([&](std::uint64_t key_sequence, std::string_view record) {
    const std::string where = "transaction " + std::to_string(key_sequence) + ": ";
    Result<JournalEntry> entry = decode_entry_record(record);
    if (!entry.is_ok())
      return Status::error(ErrorCode::corruption, where + entry.status().message());
    if (entry.value().sequence != key_sequence) {
      return Status::error(ErrorCode::corruption, where + "stored under the wrong sequence number");
    }
    return replay(entry.value());
  });
}

Status check_caches(const Ledger& ledger, const Store& store) {
  Result<StoreCaches> caches = store.read_caches();
  if (!caches.is_ok()) return caches.status();
  const auto& balances = caches.value().balances;
  // Every cached balance must equal the balance recomputed from the postings.
  for (const auto& [id, state] : ledger.accounts()) {
    auto cached = balances.find(id);
    if (cached == balances.end() || cached->second != state.balance) {
      return Status::error(
          ErrorCode::corruption,
          "account '" + id + "': cached balance " +
              (cached == balances.end() ? std::string("missing") : cached->second.to_string()) +
              " but the journal gives " + state.balance.to_string());
    }
  }
  if (balances.size() != ledger.accounts().size()) {
    return Status::error(ErrorCode::corruption,
                         "the store caches balances of accounts the journal never opened");
  }
  const auto& keys = caches.value().idempotency;
  for (const auto& [key, used] : ledger.idempotency()) {
    auto cached = keys.find(key);
    if (cached == keys.end() || cached->second != used) {
      return Status::error(ErrorCode::corruption,
                           "transaction " + std::to_string(used.second) +
                               ": its idempotency record disagrees with the journal");
    }
  }
  if (keys.size() != ledger.idempotency().size()) {
    return Status::error(ErrorCode::corruption,
                         "the store holds idempotency keys the journal never used");
  }
  return Status::ok();
}

Result<Ledger> load_ledger(const Store& store) {
  Ledger ledger;
  if (Status replayed =
          replay_journal(store, [&](const JournalEntry& entry) { return ledger.replay(entry); });
      !replayed.is_ok()) {
    return replayed;
  }
  if (Status checked = check_caches(ledger, store); !checked.is_ok()) return checked;
  return ledger;
}

Result<std::size_t> commit_pending(Store& store, const Ledger& ledger, std::size_t committed) {
  const auto& journal = ledger.journal();
  assert(committed <= journal.size());
  if (committed == journal.size()) return committed;
  std::span<const JournalEntry> pending(journal.data() + committed, journal.size() - committed);
  if (Status status = store.commit(ledger, pending); !status.is_ok()) return status;
  return journal.size();
}

Status MemoryStore::commit(const Ledger& ledger, std::span<const JournalEntry> entries) {
  for (const auto& entry : entries) {
    records_[entry.sequence] = encode_entry_record(entry);
    caches_.idempotency[entry.idempotency_key] = {entry.payload_digest, entry.sequence};
    if (entry.kind == EntryKind::open_account) caches_.balances[entry.account.id] = Money();
    for (const auto& account : entry.event_accounts) caches_.balances[account.id] = Money();
    for (const auto& posting : entry.postings)
      caches_.balances[posting.account] = ledger.find_account(posting.account)->balance;
  }
  return Status::ok();
}

Status MemoryStore::for_each_record(const RecordVisitor& visit) const {
  for (const auto& [sequence, record] : records_) {
    if (Status status = visit(sequence, record); !status.is_ok()) return status;
  }
  return Status::ok();
}

Result<StoreCaches> MemoryStore::read_caches() const { return caches_; }

}  // namespace backstop
