// Receipts as JSON: what backstopd answers to a write, what the CLI saves with
// --receipts-out, and what `ledger verify --receipts` and `member check-receipts` read back
// (docs/journal-format.md, "Receipts"). A receipt names its entry (sequence and hash) and
// the signed head of the commit group that made it durable.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string_view>

#include "fund/fund.hpp"

namespace backstop {

// {"sequence", "hash", "signature", "key_id"}, hex.
boost::json::object to_json(const SignedHead& head);
Result<SignedHead> signed_head_from_json(const boost::json::value& value);

// {"sequence", "hash", "replayed", "result", "head"?}: the body of a write's response.
boost::json::object receipt_to_json(const FundReceipt& receipt);

// What a held receipt claims: its entry, and a signed head at or after it.
struct HeldReceipt {
  std::uint64_t sequence = 0;
  Digest hash{};
  SignedHead head;
};
// Reads the fields above from a receipt object (others are ignored); invalid_argument
// naming the field if one is missing or malformed, or if the entry lies beyond the head.
Result<HeldReceipt> held_receipt_from_json(const boost::json::value& value);

// 64 hex digits, as to_hex writes them.
std::optional<Digest> digest_from_hex(std::string_view hex);

}  // namespace backstop
