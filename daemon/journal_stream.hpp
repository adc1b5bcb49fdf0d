// The journal stream (GET /v1/admin/journal): pages of committed journal records, exactly as
// stored, for standbys and finance systems. A page names the serving journal's head and the
// hash of the entry it starts after, so a replica can tell a continuation from a rewritten
// history before it applies anything (docs/operations.md, "A standby replica").
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/store.hpp"

namespace backstop::daemon {

constexpr std::size_t journal_page_entries_default = 256;
constexpr std::size_t journal_page_entries_max = 1024;
// A page stops growing past this many record bytes (it always holds at least one entry).
constexpr std::size_t journal_page_bytes_max = 4 << 20;
constexpr int journal_wait_seconds_max = 30;

struct JournalPage {
  std::uint64_t after = 0;
  // The hash (hex) of entry `after` in the serving journal; empty when `after` is 0 or past
  // its head.
  std::string after_hash;
  std::uint64_t head = 0;            // the serving journal's last committed sequence
  std::string head_hash;             // and its hash (hex); empty while the journal is empty
  std::vector<std::string> records;  // entries after+1, after+2, ...: stored bytes
};

// The committed records after `after` (at most `limit`, and about journal_page_bytes_max),
// none past `head`, which the caller read as committed: entries up to it never change.
Result<JournalPage> read_journal_page(const Store& store, std::uint64_t head,
                                      const Digest& head_hash, std::uint64_t after,
                                      std::size_t limit);

// {"after", "after_hash", "head": {"sequence", "chain_head"}, "entries": [{"sequence",
// "hash", "record" (base64 of the stored bytes)}], "more"}.
boost::json::object page_json(const JournalPage& page);
// The other way, checking the page's form: entries numbered after+1, ... up to at most its
// head, each record whole (its last 32 bytes the SHA-256 of the rest, and the entry's
// "hash"). Whether they continue the chain and decide as recorded is for the replica's
// replay to check.
Result<JournalPage> journal_page_from_json(std::string_view body);

}  // namespace backstop::daemon
