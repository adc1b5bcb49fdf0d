// RocksStore: the journal and its caches in one RocksDB database, one column family each.
// Layout (docs/journal-format.md): journal[seq] = record; accounts[id] = cached balance;
// idempotency[key] = payload digest + seq; indexes = postings by account, reversals;
// default["head"] = last seq + chain head.
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <set>

#include "ledger/encoding.hpp"
#include "ledger/store.hpp"

namespace backstop {
namespace {

const char* const family_names[] = {"default", "journal", "accounts", "idempotency", "indexes"};
enum Family {
  meta_family = 0,
  journal_family,
  accounts_family,
  idempotency_family,
  indexes_family,
  family_count
};

Status from_rocks(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return Status::ok();
  return Status::error(status.IsCorruption() ? ErrorCode::corruption : ErrorCode::io_error,
                       what + ": " + status.ToString());
}

std::string digest_bytes(const Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

struct RocksStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  RocksStoreOptions options;

  ~Impl() {
    for (auto* family : families) {
      if (db) db->DestroyColumnFamilyHandle(family);
    }
  }
};

RocksStore::RocksStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksStore::~RocksStore() = default;

Result<std::unique_ptr<RocksStore>> RocksStore::open(const std::string& directory,
                                                     RocksStoreOptions options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.paranoid_checks = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : family_names)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, directory, descriptors, &impl->families, &raw)
          : rocksdb::DB::Open(db_options, directory, descriptors, &impl->families, &raw);
  if (!status.ok()) return from_rocks(status, "cannot open the store at '" + directory + "'");
  impl->db.reset(raw);
  return std::unique_ptr<RocksStore>(new RocksStore(std::move(impl)));
}

Status RocksStore::commit(const Ledger& ledger, std::span<const JournalEntry> entries) {
  if (impl_->options.read_only)
    return Status::error(ErrorCode::io_error, "the store is open read-only");
  if (entries.empty()) return Status::ok();
  auto& families = impl_->families;
  rocksdb::WriteBatch batch;
  std::set<std::string> touched;
  for (const auto& entry : entries) {
    const std::string key = encode_sequence_key(entry.sequence);
    batch.Put(families[journal_family], key, encode_entry_record(entry));
    batch.Put(families[idempotency_family], entry.idempotency_key,
              digest_bytes(entry.payload_digest) + key);
    if (entry.kind == EntryKind::open_account) touched.insert(entry.account.id);
    for (const auto& account : entry.event_accounts) touched.insert(account.id);
    for (const auto& posting : entry.postings) {
      touched.insert(posting.account);
      batch.Put(families[indexes_family], "posting/" + posting.account + "/" + key,
                posting.amount.pence().str());
    }
    if (entry.reverses)
      batch.Put(families[indexes_family], "reversal/" + encode_sequence_key(*entry.reverses), key);
  }
  // Balances as they stand after the last entry of the group.
  for (const auto& id : touched) {
    const AccountState* state = ledger.find_account(id);
    assert(state != nullptr);
    batch.Put(families[accounts_family], id, state->balance.pence().str());
  }
  const auto& last = entries.back();
  batch.Put(families[meta_family], "head",
            encode_sequence_key(last.sequence) + digest_bytes(last.hash));
  rocksdb::WriteOptions write_options;
  write_options.sync = impl_->options.sync;
  return from_rocks(impl_->db->Write(write_options, &batch), "commit failed");
}

Status RocksStore::for_each_record(const RecordVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->families[journal_family]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto sequence = decode_sequence_key(it->key().ToStringView());
    if (!sequence)
      return Status::error(ErrorCode::corruption, "journal key is not a sequence number");
    if (Status status = visit(*sequence, it->value().ToStringView()); !status.is_ok())
      return status;
  }
  return from_rocks(it->status(), "reading the journal failed");
}

Result<StoreCaches> RocksStore::read_caches() const {
  StoreCaches caches;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->families[accounts_family]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto balance = Money::from_pence_string(it->value().ToStringView());
      if (!balance)
        return Status::error(ErrorCode::corruption,
                             "cached balance of '" + it->key().ToString() + "' is unreadable");
      caches.balances[it->key().ToString()] = *balance;
    }
    if (Status status = from_rocks(it->status(), "reading accounts failed"); !status.is_ok())
      return status;
  }
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->families[idempotency_family]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto value = it->value().ToStringView();
    auto sequence = value.size() == 40 ? decode_sequence_key(value.substr(32)) : std::nullopt;
    if (!sequence)
      return Status::error(ErrorCode::corruption,
                           "idempotency record of '" + it->key().ToString() + "' is unreadable");
    Digest digest;
    std::copy(value.begin(), value.begin() + 32, digest.begin());
    caches.idempotency[it->key().ToString()] = {digest, *sequence};
  }
  if (Status status = from_rocks(it->status(), "reading idempotency keys failed"); !status.is_ok())
    return status;
  return caches;
}

}  // namespace backstop
