#include "ledger/legacy_indexes.hpp"

#include <map>

#include "ledger/encoding.hpp"

namespace backstop {
namespace {

const std::string posting_prefix = "posting/";
const std::string reversal_prefix = "reversal/";

Status bad(const std::string& what) {
  return Status::error(ErrorCode::corruption, "the legacy indexes: " + what);
}

// The entry a record was written for: a posting's key ends with its entry's sequence, a
// reversal's value is the reversing entry's.
std::optional<std::uint64_t> written_for(std::string_view key, std::string_view value) {
  if (key.starts_with(posting_prefix) && key.size() >= posting_prefix.size() + 9)
    return decode_sequence_key(key.substr(key.size() - 8));
  if (key.starts_with(reversal_prefix)) return decode_sequence_key(value);
  return std::nullopt;
}

// The records the old writer made for one entry (a later posting to the same account in
// the entry replaced an earlier one, as in its write batch).
std::map<std::string, std::string> records_of(const JournalEntry& entry) {
  std::map<std::string, std::string> records;
  const std::string key = encode_sequence_key(entry.sequence);
  for (const auto& posting : entry.postings)
    records[posting_prefix + posting.account + "/" + key] = posting.amount.pence_string();
  if (entry.reverses) records[reversal_prefix + encode_sequence_key(*entry.reverses)] = key;
  return records;
}

}  // namespace

Result<std::uint64_t> check_legacy_indexes(const RocksStore& store) {
  std::uint64_t held = 0, last = 0;
  Status walked = store.for_each_legacy_index([&](std::string_view key, std::string_view value) {
    auto sequence = written_for(key, value);
    if (!sequence) return bad("a record of no entry ('" + std::string(key) + "')");
    ++held;
    last = std::max(last, *sequence);
    return Status::ok();
  });
  if (!walked.is_ok()) return walked;
  if (held == 0) return std::uint64_t{0};
  // Every record the covered entries call for is there with its value; with the count equal,
  // there is nothing else.
  std::uint64_t expected = 0;
  Status compared = store.for_each_record(
      [&](std::uint64_t sequence, std::string_view record) {
        if (sequence > last) return Status::ok();
        Result<JournalEntry> entry = decode_entry_record(record);
        if (!entry.is_ok()) return entry.status();
        for (const auto& [key, value] : records_of(entry.value())) {
          ++expected;
          Result<std::optional<std::string>> stored = store.read_legacy_index(key);
          if (!stored.is_ok()) return stored.status();
          if (stored.value() != value)
            return bad("transaction " + std::to_string(sequence) + ": its index record " +
                       (stored.value() ? "disagrees with the journal" : "is missing"));
        }
        return Status::ok();
      },
      1);
  if (!compared.is_ok()) return compared;
  if (expected != held) return bad("records the journal never called for");
  return held;
}

}  // namespace backstop
