// Canonical byte encodings (docs/journal-format.md) and the SHA-256 that chains them.
#pragma once

#include <string>
#include <string_view>

#include "ledger/ledger.hpp"

namespace backstop {

Digest sha256(std::string_view bytes);

// The canonical encoding of an entry, everything but its own hash.
std::string encode_entry_body(const JournalEntry& entry);
// The stored record: the body followed by the 32-byte hash.
std::string encode_entry_record(const JournalEntry& entry);
// Sets the entry's hash to the SHA-256 of its body and returns its record, encoding the body
// once for both.
std::string seal_entry(JournalEntry& entry);
// Decodes a stored record; checks the stored hash against the body's SHA-256.
Result<JournalEntry> decode_entry_record(std::string_view record);

// The digest of what a command asks for, without its key and time (which a retry may change).
Digest command_payload_digest(const Command& command);

// The ledger's committed state, for checkpoints (snapshot_encoding.cpp). Decoding refuses
// anything malformed, and any account whose balance breaks its floor.
std::string encode_ledger_snapshot(const LedgerSnapshot& snapshot);
Result<LedgerSnapshot> decode_ledger_snapshot(std::string_view bytes);

// Fixed-width big-endian sequence numbers, so that keys sort in journal order.
std::string encode_sequence_key(std::uint64_t sequence);
std::optional<std::uint64_t> decode_sequence_key(std::string_view key);

}  // namespace backstop
