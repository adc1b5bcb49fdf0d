#include "tools/receipts.hpp"

#include <fstream>
#include <iostream>

namespace backstop::receipts {
namespace json = boost::json;
namespace {

Status invalid(const std::string& message) {
  return Status::error(ErrorCode::invalid_argument, message);
}

Status mismatch(const ReceiptLine& line, const std::string& why) {
  return Status::error(ErrorCode::corruption, "receipt " + line.where + ": " + why);
}

// Whether the journal's entry `sequence` has `hash`; `what` follows its name in messages.
Status check_entry(const ReceiptLine& line, const JournalArchive& archive,
                   std::uint64_t last_sequence, std::uint64_t sequence, const Digest& hash,
                   const std::string& what) {
  const std::string named = "transaction " + std::to_string(sequence) + what;
  if (sequence > last_sequence) {
    return mismatch(line, "the store has no " + named + " (its journal ends at " +
                              std::to_string(last_sequence) +
                              "): history was truncated or rolled back");
  }
  Result<JournalEntry> entry = archive.read_entry(sequence);
  if (!entry.is_ok()) return mismatch(line, named + ": " + entry.status().message());
  if (entry.value().hash != hash) {
    return mismatch(line, named + " has hash " + to_hex(entry.value().hash) +
                              " in the store, the receipt says " + to_hex(hash) +
                              ": history was rewritten");
  }
  return Status::ok();
}

}  // namespace

Result<std::vector<ReceiptLine>> read_receipt_files(const std::vector<std::string>& files) {
  std::vector<ReceiptLine> lines;
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) return Status::error(ErrorCode::io_error, "cannot read receipts '" + file + "'");
    std::size_t number = 0;
    for (std::string text; std::getline(in, text);) {
      ++number;
      if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = file + ":" + std::to_string(number);
      json::error_code error;
      const json::value parsed = json::parse(text, error);
      if (error) return invalid("receipt " + where + ": not JSON: " + error.message());
      auto held = held_receipt_from_json(parsed);
      if (!held.is_ok()) return invalid("receipt " + where + ": " + held.status().message());
      lines.push_back(ReceiptLine{
          where + " (transaction " + std::to_string(held.value().sequence) + ")", held.value()});
    }
  }
  return lines;
}

Result<std::vector<HeadPublicKey>> read_public_keys(const std::vector<std::string>& files) {
  std::vector<HeadPublicKey> keys;
  for (const auto& file : files) {
    std::ifstream in(file);
    if (!in) return Status::error(ErrorCode::io_error, "cannot read public key '" + file + "'");
    const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto key = HeadPublicKey::from_pem(pem);
    if (!key.is_ok()) return invalid("'" + file + "': " + key.status().message());
    keys.push_back(key.value());
  }
  return keys;
}

Status check_signature(const ReceiptLine& line, const std::vector<HeadPublicKey>& keys) {
  const SignedHead& head = line.receipt.head;
  for (const auto& key : keys) {
    if (key.key_id() != head.key_id) continue;
    if (key.verifies(head)) return Status::ok();
    return invalid("receipt " + line.where + ": the signature of head " +
                   std::to_string(head.sequence) + " does not verify under key " +
                   to_hex(head.key_id) + ": the receipt was altered or not signed by backstopd");
  }
  return invalid("receipt " + line.where + ": its head is signed by key " + to_hex(head.key_id) +
                 ", which is not among the public keys given");
}

Status check_in_journal(const ReceiptLine& line, const JournalArchive& archive,
                        std::uint64_t last_sequence) {
  const HeldReceipt& receipt = line.receipt;
  if (Status head = check_entry(line, archive, last_sequence, receipt.head.sequence,
                                receipt.head.hash, " (the receipt's signed head)");
      !head.is_ok())
    return head;
  // The store's chain reaches the signed head, whose hash fixes every entry before it: the
  // store's entry is the one acknowledged, so a receipt that names another hash was altered.
  Result<JournalEntry> entry = archive.read_entry(receipt.sequence);
  if (!entry.is_ok()) return mismatch(line, entry.status().message());
  if (entry.value().hash != receipt.hash) {
    return invalid("receipt " + line.where + ": its hash " + to_hex(receipt.hash) +
                   " is not that of transaction " + std::to_string(receipt.sequence) +
                   " on the chain to its signed head (" + to_hex(entry.value().hash) +
                   "): the receipt was altered");
  }
  return Status::ok();
}

Status append_receipt(const std::string& file, const json::object& receipt) {
  std::ofstream out(file, std::ios::app);
  out << json::serialize(receipt) << "\n";
  out.flush();
  if (!out) return Status::error(ErrorCode::io_error, "cannot write the receipt to '" + file + "'");
  return Status::ok();
}

Status summarise(const std::vector<Status>& problems, std::size_t checked) {
  if (problems.empty()) return Status::ok();
  bool corrupt = false;
  for (const auto& problem : problems) {
    std::cerr << "backstop: " << problem.message() << "\n";
    corrupt = corrupt || problem.code() == ErrorCode::corruption;
  }
  return Status::error(
      corrupt ? ErrorCode::corruption : ErrorCode::invalid_argument,
      std::to_string(problems.size()) + " of " + std::to_string(checked) + " receipts do not hold");
}

}  // namespace backstop::receipts
