#include "daemon/journal_stream.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "ledger/encoding.hpp"

namespace backstop::daemon {
namespace json = boost::json;
namespace {

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::optional<std::string> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * (text.size() / 4), '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (written < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '=' && padding < 2; ++it) ++padding;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

// The hash a record ends with, in hex. REQUIRES: at least 32 bytes.
std::string record_hash_hex(std::string_view record) {
  Digest hash{};
  std::copy(record.end() - static_cast<std::ptrdiff_t>(hash.size()), record.end(), hash.begin());
  return to_hex(hash);
}

// A record's sequence: the body's second field (after the format version).
std::optional<std::uint64_t> record_sequence(std::string_view record) {
  if (record.size() < 1 + 8 + 32) return std::nullopt;
  return decode_sequence_key(record.substr(1, 8));
}

Status malformed(const std::string& what) {
  return Status::error(ErrorCode::invalid_argument, "journal page: " + what);
}

}  // namespace

Result<JournalPage> read_journal_page(const Store& store, std::uint64_t head,
                                      const Digest& head_hash, std::uint64_t after,
                                      std::size_t limit) {
  JournalPage page{after, "", head, head == 0 ? "" : to_hex(head_hash), {}};
  if (after > head) return page;
  std::size_t bytes = 0;
  bool full = false;
  std::uint64_t next = after == 0 ? 1 : after;  // entry `after` itself, for its hash
  const Status read = store.for_each_record(
      [&](std::uint64_t sequence, std::string_view record) {
        if (sequence != next++ || record.size() < 1 + 8 + 32)
          return Status::error(ErrorCode::corruption,
                               "the journal has no readable entry " + std::to_string(next - 1));
        if (sequence == after) {
          page.after_hash = record_hash_hex(record);
          full = sequence == head;  // nothing committed after it yet
          return full ? Status::error(ErrorCode::not_found, "page full") : Status::ok();
        }
        page.records.emplace_back(record);
        bytes += record.size();
        full = sequence == head || page.records.size() >= limit || bytes >= journal_page_bytes_max;
        return full ? Status::error(ErrorCode::not_found, "page full") : Status::ok();
      },
      next);
  if (!read.is_ok() && !full) return read;
  if (after != 0 && page.after_hash.empty())
    return Status::error(ErrorCode::corruption,
                         "the journal has no entry " + std::to_string(after));
  return page;
}

json::object page_json(const JournalPage& page) {
  json::array entries;
  entries.reserve(page.records.size());
  for (std::size_t i = 0; i < page.records.size(); ++i) {
    entries.push_back(json::object{{"sequence", page.after + 1 + i},
                                   {"hash", record_hash_hex(page.records[i])},
                                   {"record", base64(page.records[i])}});
  }
  const std::uint64_t last = page.after + page.records.size();
  return json::object{
      {"after", page.after},
      {"after_hash", page.after_hash.empty() ? json::value(nullptr) : json::value(page.after_hash)},
      {"head", json::object{{"sequence", page.head},
                            {"chain_head",
                             page.head == 0 ? json::value(nullptr) : json::value(page.head_hash)}}},
      {"entries", std::move(entries)},
      {"more", last < page.head}};
}

Result<JournalPage> journal_page_from_json(std::string_view body) {
  json::error_code error;
  const json::value parsed = json::parse(body, error);
  const json::object* object = error ? nullptr : parsed.if_object();
  if (object == nullptr) return malformed("not a JSON object");
  JournalPage page;
  try {
    page.after = json::value_to<std::uint64_t>(object->at("after"));
    if (const auto& hash = object->at("after_hash"); hash.is_string())
      page.after_hash = std::string(hash.as_string());
    const auto& head = object->at("head").as_object();
    page.head = json::value_to<std::uint64_t>(head.at("sequence"));
    if (const auto& hash = head.at("chain_head"); hash.is_string())
      page.head_hash = std::string(hash.as_string());
    for (const auto& item : object->at("entries").as_array()) {
      const auto& entry = item.as_object();
      const std::uint64_t sequence = page.after + page.records.size() + 1;
      auto record = from_base64(entry.at("record").as_string());
      if (!record || json::value_to<std::uint64_t>(entry.at("sequence")) != sequence ||
          record_sequence(*record) != sequence || sequence > page.head ||
          entry.at("hash").as_string() != record_hash_hex(*record) ||
          to_hex(sha256(std::string_view(*record).substr(0, record->size() - 32))) !=
              record_hash_hex(*record))
        return malformed("entry " + std::to_string(sequence) + " is not in order or not whole");
      page.records.push_back(std::move(*record));
    }
  } catch (const std::exception& thrown) {
    return malformed(std::string("missing or mistyped field: ") + thrown.what());
  }
  return page;
}

}  // namespace backstop::daemon
