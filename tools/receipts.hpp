// Receipt files, as `--receipts-out` writes them (one JSON receipt per line), and the checks
// that `ledger verify --receipts` (against a store) and `member check-receipts` (against a
// running daemon) share: whose key signed a receipt's head, and whether the journal still
// holds the receipted entry and the signed head with their hashes.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "fund/receipt_json.hpp"
#include "ledger/signed_head.hpp"

namespace backstop::receipts {

struct ReceiptLine {
  std::string where;  // "FILE:LINE (transaction N)", for messages
  HeldReceipt receipt;
};

// Every receipt in the files, in order; blank lines are skipped. A line that is not a
// receipt is an invalid_argument error naming it.
Result<std::vector<ReceiptLine>> read_receipt_files(const std::vector<std::string>& files);

// PEM Ed25519 public keys (the `.head.pub` files that `backstop pki issue --server` writes).
Result<std::vector<HeadPublicKey>> read_public_keys(const std::vector<std::string>& files);

// Whether the receipt's head is signed by one of `keys` (the one its key_id names):
// invalid_argument naming the receipt if not.
Status check_signature(const ReceiptLine& line, const std::vector<HeadPublicKey>& keys);

// Whether `archive`, whose chain (already verified) ends at `last_sequence`, holds the
// receipt's signed head and its receipted entry with their hashes. Corruption naming the
// receipt if the head is missing or differs (truncated, rolled back or rewritten); since the
// head's hash fixes every entry before it, a receipted hash that differs under a matching
// head means the receipt was altered (invalid_argument).
Status check_in_journal(const ReceiptLine& line, const JournalArchive& archive,
                        std::uint64_t last_sequence);

// Appends `receipt` as one line to `file` (created if need be) and flushes it.
Status append_receipt(const std::string& file, const boost::json::object& receipt);

// Prints each problem on standard error; ok if there are none, else an error whose code is
// corruption if any problem is, and whose message counts them.
Status summarise(const std::vector<Status>& problems, std::size_t checked);

}  // namespace backstop::receipts
