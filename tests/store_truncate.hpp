// Shortens a store's history as someone with the disk could, through RocksDB's own API:
// every journal entry after `keep` goes, with its idempotency record and stored result; the
// checkpoint goes; the head and the cached balances are rewritten to match. The result is a
// consistent store that plain `ledger verify` accepts: only a receipt can tell.
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ledger/encoding.hpp"
#include "ledger/store.hpp"

namespace backstop::testing {

// Opens the store's RocksDB directly and hands `change` the database and its families
// (default, journal, accounts, idempotency, indexes).
inline void with_raw_store(
    const std::string& directory,
    const std::function<void(rocksdb::DB&, const std::vector<rocksdb::ColumnFamilyHandle*>&)>&
        change) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : {"default", "journal", "accounts", "idempotency", "indexes"})
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(), directory, descriptors, &handles, &raw).ok())
    throw std::runtime_error("truncate: cannot open " + directory);
  std::unique_ptr<rocksdb::DB> db(raw);
  change(*db, handles);
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
}

// Deletes every key of `family` for which `doomed(key, value)` holds.
inline void delete_where(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
    const std::function<bool(const std::string&, const std::string&)>& doomed) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), family));
  std::vector<std::string> keys;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (doomed(it->key().ToString(), it->value().ToString())) keys.push_back(it->key().ToString());
  }
  for (const auto& key : keys) {
    if (!db.Delete(rocksdb::WriteOptions(), family, key).ok())
      throw std::runtime_error("truncate: delete failed");
  }
}

inline void truncate_journal(const std::string& directory, std::uint64_t keep) {
  const auto after_keep = [keep](std::string_view sequence_key) {
    auto sequence = decode_sequence_key(sequence_key);
    return sequence && *sequence > keep;
  };
  with_raw_store(directory, [&](rocksdb::DB& db, const auto& families) {
    delete_where(db, families[1],
                 [&](const std::string& key, const std::string&) { return after_keep(key); });
    delete_where(db, families[3], [&](const std::string&, const std::string& value) {
      return value.size() == 40 && after_keep(std::string_view(value).substr(32));
    });
    delete_where(db, families[0], [&](const std::string& key, const std::string&) {
      return key == "side:checkpoint" ||
             (key.starts_with("side:result/") && after_keep(std::string_view(key).substr(12)));
    });
    delete_where(db, families[2], [](const std::string&, const std::string&) { return true; });
    std::string record;
    if (!db.Get(rocksdb::ReadOptions(), families[1], encode_sequence_key(keep), &record).ok())
      throw std::runtime_error("truncate: no entry to keep");
    db.Put(rocksdb::WriteOptions(), families[0], "head",
           encode_sequence_key(keep) + record.substr(record.size() - 32));
  });
  // The balances as of `keep`, from the ledger's own replay of what is left.
  Ledger ledger;
  {
    auto store = RocksStore::open(directory);
    if (!store.is_ok()) throw std::runtime_error("truncate: " + store.status().message());
    Status replayed = replay_journal(
        *store.value(), [&](const JournalEntry& entry) { return ledger.replay(entry); });
    if (!replayed.is_ok()) throw std::runtime_error("truncate: " + replayed.message());
  }
  with_raw_store(directory, [&](rocksdb::DB& db, const auto& families) {
    for (const auto& [id, state] : ledger.accounts())
      db.Put(rocksdb::WriteOptions(), families[2], id, state.balance.pence_string());
  });
}

}  // namespace backstop::testing
