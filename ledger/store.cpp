#include "ledger/store.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "ledger/encoding.hpp"

namespace backstop {

namespace {

// Reads, decodes and checks one stored record: its hash (in decode), its place, and that its
// idempotency record names it. The store keeps one record per key, so a key used twice
// shows here as a record naming another sequence.
Result<JournalEntry> read_checked(const Store& store, std::uint64_t key_sequence,
                                  std::string_view record) {
  const std::string where = "transaction " + std::to_string(key_sequence) + ": ";
  Result<JournalEntry> entry = decode_entry_record(record);
  if (!entry.is_ok()) return Status::error(ErrorCode::corruption, where + entry.status().message());
  const JournalEntry& read = entry.value();
  if (read.sequence != key_sequence)
    return Status::error(ErrorCode::corruption, where + "stored under the wrong sequence number");
  Result<std::optional<KeyUse>> key = store.find_key(read.idempotency_key);
  if (!key.is_ok()) return key.status();
  if (key.value() != KeyUse{read.payload_digest, read.sequence}) {
    return Status::error(ErrorCode::corruption,
                         where + "its idempotency record disagrees with the journal");
  }
  return entry;
}

// A bounded queue of batches between the reading stage and the replaying one. The reader
// ends with an empty batch carrying its final status; the replayer may stop it early.
class EntryPipe {
 public:
  struct Batch {
    std::vector<JournalEntry> entries;
    std::optional<Status> end;  // set on the last batch
  };
  static constexpr std::size_t batch_entries = 256;
  static constexpr std::size_t batches_max = 16;

  // False once the replayer has stopped: the reader then stops too.
  bool push(Batch batch) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopped_ || batches_.size() < batches_max; });
    if (stopped_) return false;
    batches_.push_back(std::move(batch));
    changed_.notify_all();
    return true;
  }
  Batch pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !batches_.empty(); });
    Batch batch = std::move(batches_.front());
    batches_.pop_front();
    changed_.notify_all();
    return batch;
  }
  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> batches_;
  bool stopped_ = false;
};

}  // namespace

// Two stages on two cores: a helper thread reads, decodes and checks the records (SHA-256,
// key records); this thread replays them in order. The first error of either stage ends it.
Status replay_journal(const Store& store, const std::function<Status(const JournalEntry&)>& replay,
                      std::uint64_t first) {
  EntryPipe pipe;
  std::thread reader([&] {
    EntryPipe::Batch batch;
    Status status = Status::ok();
    try {
      status = store.for_each_record(
          [&](std::uint64_t key_sequence, std::string_view record) {
            Result<JournalEntry> entry = read_checked(store, key_sequence, record);
            if (!entry.is_ok()) return entry.status();
            batch.entries.push_back(std::move(entry).value());
            if (batch.entries.size() < EntryPipe::batch_entries) return Status::ok();
            return pipe.push(std::exchange(batch, {})) ? Status::ok()
                                                       : Status::error(ErrorCode::io_error, "");
          },
          first);
    } catch (const std::exception& error) {
      status =
          Status::error(ErrorCode::io_error, std::string("reading the journal: ") + error.what());
    }
    batch.end = status;
    pipe.push(std::move(batch));
  });
  // Whatever ends the replay (an error, or an exception from `replay`), the reader stops.
  struct Join {
    EntryPipe& pipe;
    std::thread& reader;
    ~Join() {
      pipe.stop();
      reader.join();
    }
  } join{pipe, reader};
  while (true) {
    EntryPipe::Batch batch = pipe.pop();
    for (const auto& entry : batch.entries) {
      if (Status outcome = replay(entry); !outcome.is_ok()) return outcome;
    }
    if (batch.end) return *batch.end;
  }
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
  // Every entry's own key record was checked as it was replayed; any other is extra.
  if (caches.value().keys != ledger.last_sequence()) {
    return Status::error(ErrorCode::corruption,
                         "the store holds idempotency keys the journal never used");
  }
  if (caches.value().keys_digest != ledger.keys_digest()) {
    return Status::error(ErrorCode::corruption,
                         "the store's idempotency records disagree with the journal's keys");
  }
  const auto& head = caches.value().head;
  const bool head_agrees =
      ledger.last_sequence() == 0
          ? !head
          : head && head->first == ledger.last_sequence() && head->second == ledger.chain_head();
  if (!head_agrees) {
    return Status::error(ErrorCode::corruption,
                         "the stored head record disagrees with the journal's last entry");
  }
  return Status::ok();
}

Result<Ledger> load_ledger(const Store& store) {
  Ledger ledger;
  ledger.mark_committed(store);  // history is read from the store from the start
  if (Status replayed =
          replay_journal(store, [&](const JournalEntry& entry) { return ledger.replay(entry); });
      !replayed.is_ok()) {
    return replayed;
  }
  if (Status checked = check_caches(ledger, store); !checked.is_ok()) return checked;
  return ledger;
}

Status commit_pending(Store& store, Ledger& ledger, std::span<const SideRecord> side) {
  if (ledger.pending().empty() && side.empty()) return Status::ok();
  if (Status status = store.commit(ledger, side); !status.is_ok()) return status;
  ledger.mark_committed(store);
  return Status::ok();
}

Status MemoryStore::commit(const Ledger& ledger, std::span<const SideRecord> side) {
  const auto& entries = ledger.pending();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const JournalEntry& entry = entries[i];
    records_[entry.sequence] = ledger.pending_records()[i];
    keys_[entry.idempotency_key] = KeyUse{entry.payload_digest, entry.sequence};
    caches_.keys_digest.add(entry.idempotency_key, keys_[entry.idempotency_key]);
  }
  for (const AccountState* state : ledger.pending_accounts())
    caches_.balances[state->account.id] = state->balance;
  if (!entries.empty()) {
    caches_.keys = keys_.size();
    caches_.head = std::make_pair(entries.back().sequence, entries.back().hash);
  }
  return write_side(side);
}

Status MemoryStore::write_side(std::span<const SideRecord> side) {
  for (const auto& record : side) side_[record.key] = record.value;
  return Status::ok();
}

Result<std::optional<std::string>> MemoryStore::read_side(const std::string& key) const {
  auto found = side_.find(key);
  if (found == side_.end()) return std::optional<std::string>();
  return std::optional<std::string>(found->second);
}

Status MemoryStore::for_each_record(const RecordVisitor& visit, std::uint64_t first) const {
  for (auto it = records_.lower_bound(first); it != records_.end(); ++it) {
    if (Status status = visit(it->first, it->second); !status.is_ok()) return status;
  }
  return Status::ok();
}

Result<StoreCaches> MemoryStore::read_caches() const { return caches_; }

Status MemoryStore::for_each_side(const SideVisitor& visit) const {
  for (const auto& [key, value] : side_) {
    if (Status status = visit(key, value); !status.is_ok()) return status;
  }
  return Status::ok();
}

Result<JournalEntry> MemoryStore::read_entry(std::uint64_t sequence) const {
  auto found = records_.find(sequence);
  if (found == records_.end())
    return Status::error(ErrorCode::not_found, "no transaction " + std::to_string(sequence));
  return decode_entry_record(found->second);
}

Result<std::optional<KeyUse>> MemoryStore::find_key(const std::string& key) const {
  auto found = keys_.find(key);
  if (found == keys_.end()) return std::optional<KeyUse>();
  return std::optional<KeyUse>(found->second);
}

}  // namespace backstop
