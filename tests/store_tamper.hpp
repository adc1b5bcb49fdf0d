// Reaches under RocksStore to change stored bytes, as an attacker or a bad disk would.
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace backstop::testing {

// Applies `change` to the raw value stored in one column family under one key.
inline void tamper(const std::string& directory, const std::string& family, const std::string& key,
                   const std::function<void(std::string&)>& change) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : {"default", "journal", "accounts", "idempotency", "indexes"}) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(rocksdb::DBOptions(), directory, descriptors, &handles, &raw).ok()) {
    throw std::runtime_error("tamper: cannot open " + directory);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::size_t index = 0;
  while (index < descriptors.size() && descriptors[index].name != family) ++index;
  std::string value;
  if (index == descriptors.size() ||
      !db->Get(rocksdb::ReadOptions(), handles[index], key, &value).ok()) {
    throw std::runtime_error("tamper: no such key");
  }
  change(value);
  const bool written = db->Put(rocksdb::WriteOptions(), handles[index], key, value).ok();
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  if (!written) throw std::runtime_error("tamper: write failed");
}

}  // namespace backstop::testing
