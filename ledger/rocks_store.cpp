// RocksStore: the journal and its caches in one RocksDB database, one column family each.
// Layout (docs/journal-format.md): journal[seq] = record; accounts[id] = cached balance;
// idempotency[key] = payload digest + seq; default["head"] = last seq + chain head;
// default["side:" key] = a layer's side records. `indexes` is only read from older stores:
// nothing reads postings by account from the store, so they are no longer written.
#include <rocksdb/db.h>
#include <rocksdb/file_checksum.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cassert>
#include <cstring>

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

// A full disk has a code of its own: the caller can wait for room instead of giving up.
Status from_rocks(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return Status::ok();
  // A background error RocksDB re-reports may come back without the subcode; its text keeps
  // the system's reason.
  const bool no_space =
      status.IsNoSpace() || status.ToString().find("No space left on device") != std::string::npos;
  const ErrorCode code = status.IsCorruption() ? ErrorCode::corruption
                         : no_space            ? ErrorCode::insufficient_storage
                                               : ErrorCode::io_error;
  return Status::error(code, what + ": " + status.ToString());
}

std::string digest_bytes(const Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

Digest read_digest(std::string_view bytes) {
  Digest digest{};
  std::copy(bytes.begin(), bytes.begin() + digest.size(), digest.begin());
  return digest;
}

const std::string side_prefix = "side:";

// Point lookups (a new request's key, a retry's entry) mostly ask for keys that exist or
// are new; a Bloom filter answers "new" without reading a block.
rocksdb::ColumnFamilyOptions family_options(Family family) {
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (family == idempotency_family) {
    // Every new request looks its key up, and nearly every key looked up is new: a Bloom
    // filter over the memtable as well answers "new" without searching its skip list.
    options.memtable_prefix_bloom_size_ratio = 0.02;
    options.memtable_whole_key_filtering = true;
  } else if (family == accounts_family) {
    // Each group rewrites the balance of every account it touched, and only a load reads
    // them back, in one scan. An unsorted memtable takes each write as an append and sorts
    // once, at a flush or a scan; a skip list placed every write among all the versions
    // before it. (A point lookup would sort too: this family is scanned, never looked up.)
    options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  }
  return options;
}

// About the bytes a commit group's batch holds, so that it is allocated once.
std::size_t batch_size_hint(const Ledger& ledger, std::span<const SideRecord> side) {
  std::size_t size = 64;
  for (std::size_t i = 0; i < ledger.pending().size(); ++i) {
    const JournalEntry& entry = ledger.pending()[i];
    size += ledger.pending_records()[i].size() + entry.idempotency_key.size() + 96;
  }
  for (const AccountState* state : ledger.pending_accounts()) size += state->account.id.size() + 48;
  for (const auto& record : side) size += record.key.size() + record.value.size() + 32;
  return size;
}

// Per pending entry its record, written as the ledger encoded it when hashing it, and its
// idempotency record; then the balance of each account the group opened or posted to, as it
// stands after the group, and the head.
void put_entries(rocksdb::WriteBatch& batch,
                 const std::vector<rocksdb::ColumnFamilyHandle*>& families, const Ledger& ledger) {
  const auto& entries = ledger.pending();
  const auto& records = ledger.pending_records();
  assert(records.size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const JournalEntry& entry = entries[i];
    const std::string key = encode_sequence_key(entry.sequence);
    batch.Put(families[journal_family], key, records[i]);
    char key_use[sizeof(Digest) + 8];  // payload digest + sequence, without a heap allocation
    std::memcpy(key_use, entry.payload_digest.data(), sizeof(Digest));
    std::memcpy(key_use + sizeof(Digest), key.data(), 8);
    batch.Put(families[idempotency_family], entry.idempotency_key,
              rocksdb::Slice(key_use, sizeof key_use));
  }
  for (const AccountState* state : ledger.pending_accounts())
    batch.Put(families[accounts_family], state->account.id, state->balance.pence_string());
  if (!entries.empty()) {
    const auto& last = entries.back();
    batch.Put(families[meta_family], "head",
              encode_sequence_key(last.sequence) + digest_bytes(last.hash));
  }
}

}  // namespace

struct RocksStore::Impl {
  std::string directory;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> families;
  RocksStoreOptions options;

  ~Impl() {
    for (auto* family : families) {
      if (db) db->DestroyColumnFamilyHandle(family);
    }
  }
};

namespace {

// Whether `bytes` more leave the filesystem of `directory` at least `reserve` free (a
// directory that cannot be examined, e.g. not yet created, passes: RocksDB decides).
Status check_room(const std::string& directory, std::uint64_t reserve, std::size_t bytes) {
  struct statvfs fs {};
  if (reserve == 0 || statvfs(directory.c_str(), &fs) != 0) return Status::ok();
  const std::uint64_t free = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  if (free >= reserve + bytes) return Status::ok();
  return Status::error(ErrorCode::insufficient_storage,
                       "the filesystem of '" + directory + "' has " + std::to_string(free) +
                           " bytes free, below the reserve of " + std::to_string(reserve));
}

}  // namespace

RocksStore::RocksStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksStore::~RocksStore() = default;

Result<std::unique_ptr<RocksStore>> RocksStore::open(const std::string& directory,
                                                     RocksStoreOptions options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.paranoid_checks = true;
  // Every group is synced before it is acknowledged, so any damage in the write-ahead log is
  // damage to acknowledged transactions: refuse to open. (Point-in-time recovery, the
  // default, stopped at the first bad record and silently dropped every group after it.)
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kAbsoluteConsistency;
  // Each table file's CRC32c in the manifest, so that verify can re-read whole files.
  db_options.file_checksum_gen_factory = rocksdb::GetFileChecksumGenCrc32cFactory();
  // One writer (Store::commit); the accounts family's memtable takes no concurrent writes.
  db_options.allow_concurrent_memtable_write = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int family = 0; family < family_count; ++family)
    descriptors.emplace_back(family_names[family], family_options(static_cast<Family>(family)));

  if (!options.read_only) {
    if (Status room = check_room(directory, options.reserve_bytes, 0); !room.is_ok()) return room;
  }
  auto impl = std::make_unique<Impl>();
  impl->directory = directory;
  impl->options = options;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, directory, descriptors, &impl->families, &raw)
          : rocksdb::DB::Open(db_options, directory, descriptors, &impl->families, &raw);
  if (!status.ok()) {
    const std::string damaged = status.IsCorruption()
                                    ? " (the store is damaged: keep it aside, restore the latest "
                                      "backup; docs/operations.md, 'Damaged store')"
                                    : "";
    return from_rocks(status, "cannot open the store at '" + directory + "'" + damaged);
  }
  impl->db.reset(raw);
  return std::unique_ptr<RocksStore>(new RocksStore(std::move(impl)));
}

rocksdb::DB& RocksStore::database() const { return *impl_->db; }

Status RocksStore::commit(const Ledger& ledger, std::span<const SideRecord> side) {
  if (impl_->options.read_only)
    return Status::error(ErrorCode::io_error, "the store is open read-only");
  rocksdb::WriteBatch batch(batch_size_hint(ledger, side));
  put_entries(batch, impl_->families, ledger);
  for (const auto& record : side)
    batch.Put(impl_->families[meta_family], side_prefix + record.key, record.value);
  if (batch.Count() == 0) return Status::ok();
  if (Status room = check_room(impl_->directory, impl_->options.reserve_bytes, batch.GetDataSize());
      !room.is_ok())
    return room;
  rocksdb::WriteOptions write_options;
  write_options.sync = impl_->options.sync;
  return from_rocks(impl_->db->Write(write_options, &batch), "commit failed");
}

Status RocksStore::write_side(std::span<const SideRecord> side) {
  static const Ledger nothing;
  return commit(nothing, side);
}

Status RocksStore::flush() {
  if (impl_->options.read_only) return Status::ok();
  return from_rocks(impl_->db->Flush(rocksdb::FlushOptions(), impl_->families), "flush failed");
}

Status RocksStore::probe_writable() {
  if (impl_->options.read_only)
    return Status::error(ErrorCode::io_error, "the store is open read-only");
  if (Status room = check_room(impl_->directory, impl_->options.reserve_bytes, 0); !room.is_ok())
    return room;
  // Resume clears a background error (it flushes, so it needs room itself); the synced
  // write and the flush then prove that the log and a table file can grow again.
  if (Status resumed = from_rocks(impl_->db->Resume(), "resume failed"); !resumed.is_ok())
    return resumed;
  rocksdb::WriteOptions write_options;
  write_options.sync = impl_->options.sync;
  const rocksdb::Status written =
      impl_->db->Put(write_options, impl_->families[meta_family], "probe", std::string(4096, 'p'));
  if (Status status = from_rocks(written, "probe write failed"); !status.is_ok()) return status;
  return from_rocks(impl_->db->Flush(rocksdb::FlushOptions(), impl_->families[meta_family]),
                    "probe flush failed");
}

Result<std::optional<std::string>> RocksStore::read_side(const std::string& key) const {
  std::string value;
  const rocksdb::Status status = impl_->db->Get(
      rocksdb::ReadOptions(), impl_->families[meta_family], side_prefix + key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return from_rocks(status, "reading '" + key + "' failed");
  return std::optional<std::string>(std::move(value));
}

Result<JournalEntry> RocksStore::read_entry(std::uint64_t sequence) const {
  std::string record;
  const rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->families[journal_family],
                     encode_sequence_key(sequence), &record);
  const std::string what = "transaction " + std::to_string(sequence);
  if (status.IsNotFound()) return Status::error(ErrorCode::not_found, "no " + what);
  if (!status.ok()) return from_rocks(status, "reading " + what + " failed");
  Result<JournalEntry> entry = decode_entry_record(record);
  if (!entry.is_ok())
    return Status::error(ErrorCode::corruption, what + ": " + entry.status().message());
  return entry;
}

Result<std::optional<KeyUse>> RocksStore::find_key(const std::string& key) const {
  std::string value;
  const rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->families[idempotency_family], key, &value);
  if (status.IsNotFound()) return std::optional<KeyUse>();
  if (!status.ok()) return from_rocks(status, "reading an idempotency record failed");
  auto sequence = value.size() == 40 ? decode_sequence_key(value.substr(32)) : std::nullopt;
  if (!sequence)
    return Status::error(ErrorCode::corruption,
                         "idempotency record of '" + key + "' is unreadable");
  return std::optional<KeyUse>(KeyUse{read_digest(value), *sequence});
}

Status RocksStore::for_each_record(const RecordVisitor& visit, std::uint64_t first) const {
  rocksdb::ReadOptions read_options;
  read_options.readahead_size = 2 << 20;  // a replay reads the whole journal in order
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(read_options, impl_->families[journal_family]));
  for (it->Seek(encode_sequence_key(first)); it->Valid(); it->Next()) {
    auto sequence = decode_sequence_key(it->key().ToStringView());
    if (!sequence)
      return Status::error(ErrorCode::corruption, "journal key is not a sequence number");
    if (Status status = visit(*sequence, it->value().ToStringView()); !status.is_ok())
      return status;
  }
  return from_rocks(it->status(), "reading the journal failed");
}

namespace {

Result<std::map<std::string, Money>> read_balances(rocksdb::DB& db,
                                                   rocksdb::ColumnFamilyHandle* family) {
  std::map<std::string, Money> balances;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto balance = Money::from_pence_string(it->value().ToStringView());
    if (!balance)
      return Status::error(ErrorCode::corruption,
                           "cached balance of '" + it->key().ToString() + "' is unreadable");
    balances[it->key().ToString()] = *balance;
  }
  if (Status status = from_rocks(it->status(), "reading accounts failed"); !status.is_ok())
    return status;
  return balances;
}

// Counts the idempotency records and sums their digests (KeySetDigest).
Status read_keys(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, StoreCaches& caches) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto value = it->value().ToStringView();
    auto sequence = value.size() == 40 ? decode_sequence_key(value.substr(32)) : std::nullopt;
    if (!sequence)
      return Status::error(ErrorCode::corruption,
                           "idempotency record of '" + it->key().ToString() + "' is unreadable");
    caches.keys += 1;
    caches.keys_digest.add(it->key().ToString(), KeyUse{read_digest(value), *sequence});
  }
  return from_rocks(it->status(), "reading idempotency keys failed");
}

}  // namespace

Result<StoreCaches> RocksStore::read_caches() const {
  StoreCaches caches;
  auto balances = read_balances(*impl_->db, impl_->families[accounts_family]);
  if (!balances.is_ok()) return balances.status();
  caches.balances = std::move(balances).value();
  if (Status keys = read_keys(*impl_->db, impl_->families[idempotency_family], caches);
      !keys.is_ok())
    return keys;
  std::string head;
  const rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->families[meta_family], "head", &head);
  if (status.ok()) {
    auto sequence = head.size() == 40 ? decode_sequence_key(head.substr(0, 8)) : std::nullopt;
    if (!sequence) return Status::error(ErrorCode::corruption, "the head record is unreadable");
    caches.head = std::make_pair(*sequence, read_digest(std::string_view(head).substr(8)));
  } else if (!status.IsNotFound()) {
    return from_rocks(status, "reading the head record failed");
  }
  return caches;
}

namespace {

// Visits every record of one column family in key order.
Status for_each_in(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, const std::string& prefix,
                   const Store::SideVisitor& visit, const std::string& what) {
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options, family));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const auto key = it->key().ToStringView().substr(prefix.size());
    if (Status status = visit(key, it->value().ToStringView()); !status.is_ok()) return status;
  }
  return from_rocks(it->status(), "reading " + what + " failed");
}

}  // namespace

Status RocksStore::for_each_side(const SideVisitor& visit) const {
  // The meta family holds the head and the side records; anything else there is unknown.
  if (Status status = for_each_in(
          *impl_->db, impl_->families[meta_family], "",
          [](std::string_view key, std::string_view value) {
            if (key == "head" || key.starts_with(side_prefix)) return Status::ok();
            // What the full-disk probe writes (probe_writable), and nothing else.
            if (key == "probe" && value == std::string(4096, 'p')) return Status::ok();
            return Status::error(ErrorCode::corruption,
                                 "the store holds an unknown record '" + std::string(key) + "'");
          },
          "the meta records");
      !status.is_ok())
    return status;
  return for_each_in(*impl_->db, impl_->families[meta_family], side_prefix, visit, "side records");
}

Status RocksStore::verify_checksums() const {
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  read_options.fill_cache = false;  // one pass over everything; keep the cache for real reads
  if (Status blocks =
          from_rocks(impl_->db->VerifyChecksum(read_options), "RocksDB's block checksums fail");
      !blocks.is_ok())
    return blocks;
  return from_rocks(impl_->db->VerifyFileChecksums(read_options),
                    "RocksDB's whole-file checksums fail");
}

Status RocksStore::for_each_legacy_index(const SideVisitor& visit) const {
  return for_each_in(*impl_->db, impl_->families[indexes_family], "", visit, "the indexes");
}

Result<std::optional<std::string>> RocksStore::read_legacy_index(const std::string& key) const {
  std::string value;
  const rocksdb::Status status =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->families[indexes_family], key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return from_rocks(status, "reading the indexes failed");
  return std::optional<std::string>(std::move(value));
}

}  // namespace backstop
