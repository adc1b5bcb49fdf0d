#include "ledger/encoding.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "ledger/bytes.hpp"

namespace backstop {
namespace {

constexpr std::uint8_t format_version = 1;

void write_metadata(ByteWriter& writer, const Metadata& metadata) {
  writer.str(metadata.actor);
  writer.str(metadata.reason);
  writer.u32(metadata.fund_year);
  writer.u32(static_cast<std::uint32_t>(metadata.references.size()));
  for (const auto& reference : metadata.references) writer.str(reference);
}

Metadata read_metadata(ByteReader& reader) {
  Metadata metadata;
  metadata.actor = reader.str();
  metadata.reason = reader.str();
  metadata.fund_year = reader.u32();
  const std::uint32_t n = reader.count();
  for (std::uint32_t i = 0; i < n; ++i) metadata.references.push_back(reader.str());
  return metadata;
}

void write_account(ByteWriter& writer, const Account& account) {
  writer.str(account.id);
  writer.u8(static_cast<std::uint8_t>(account.type));
  writer.str(account.owner);
  writer.u8(account.floor.has_value() ? 1 : 0);
  if (account.floor) writer.money(*account.floor);
}

Account read_account(ByteReader& reader) {
  Account account;
  account.id = reader.str();
  const std::uint8_t type = reader.u8();
  if (type < 1 || type > 5) throw DecodeError("bad account type");
  account.type = static_cast<AccountType>(type);
  account.owner = reader.str();
  if (reader.u8() != 0) account.floor = reader.money();
  return account;
}

void write_postings(ByteWriter& writer, const std::vector<Posting>& postings) {
  writer.u32(static_cast<std::uint32_t>(postings.size()));
  for (const auto& posting : postings) {
    writer.str(posting.account);
    writer.money(posting.amount);
  }
}

// One SHA-256 context per thread, reused for every hash: a fresh context per hash, and the
// algorithm looked up by name each time, cost more than hashing a journal entry does.
class Sha256 {
 public:
  Sha256()
      : algorithm_(EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_free),
        context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {}

  Digest hash(std::string_view bytes) {
    Digest out{};
    unsigned int size = 0;
    if (!algorithm_ || !context_ ||
        EVP_DigestInit_ex2(context_.get(), algorithm_.get(), nullptr) != 1 ||
        EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(context_.get(), out.data(), &size) != 1 || size != out.size()) {
      throw std::runtime_error("OpenSSL SHA-256 failed");
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> algorithm_;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

// About the size of an entry's record (amounts counted as 16 digits), so that its encoding
// grows its buffer once.
std::size_t record_size_hint(const JournalEntry& entry) {
  auto account_size = [](const Account& account) {
    return 32 + account.id.size() + account.owner.size();
  };
  std::size_t size = 160 + entry.idempotency_key.size() + entry.metadata.actor.size() +
                     entry.metadata.reason.size() + entry.event_type.size() +
                     entry.event_payload.size() + account_size(entry.account);
  for (const auto& reference : entry.metadata.references) size += 4 + reference.size();
  for (const auto& posting : entry.postings) size += 24 + posting.account.size();
  for (const auto& account : entry.event_accounts) size += account_size(account);
  return size;
}

}  // namespace

Digest sha256(std::string_view bytes) {
  thread_local Sha256 context;
  return context.hash(bytes);
}

std::string encode_entry_body(const JournalEntry& entry) {
  ByteWriter writer;
  writer.reserve(record_size_hint(entry));
  writer.u8(format_version);
  writer.u64(entry.sequence);
  writer.u8(static_cast<std::uint8_t>(entry.kind));
  writer.i64(entry.time_unix_s);
  writer.str(entry.idempotency_key);
  writer.digest(entry.payload_digest);
  write_metadata(writer, entry.metadata);
  if (entry.kind == EntryKind::open_account) {
    write_account(writer, entry.account);
  } else if (entry.kind == EntryKind::event) {
    writer.str(entry.event_type);
    writer.str(entry.event_payload);
    writer.u32(static_cast<std::uint32_t>(entry.event_accounts.size()));
    for (const auto& account : entry.event_accounts) write_account(writer, account);
    write_postings(writer, entry.postings);
  } else {
    writer.u8(entry.reverses.has_value() ? 1 : 0);
    if (entry.reverses) writer.u64(*entry.reverses);
    write_postings(writer, entry.postings);
  }
  writer.digest(entry.previous_hash);
  return writer.take();
}

std::string encode_entry_record(const JournalEntry& entry) {
  std::string record = encode_entry_body(entry);
  record.append(reinterpret_cast<const char*>(entry.hash.data()), entry.hash.size());
  return record;
}

std::string seal_entry(JournalEntry& entry) {
  std::string record = encode_entry_body(entry);
  entry.hash = sha256(record);
  record.append(reinterpret_cast<const char*>(entry.hash.data()), entry.hash.size());
  return record;
}

Result<JournalEntry> decode_entry_record(std::string_view record) {
  if (record.size() < 32)
    return Status::error(ErrorCode::corruption, "record shorter than its hash");
  const std::string_view body = record.substr(0, record.size() - 32);
  JournalEntry entry;
  try {
    ByteReader reader(body);
    if (reader.u8() != format_version) throw DecodeError("unknown format version");
    entry.sequence = reader.u64();
    const std::uint8_t kind = reader.u8();
    if (kind < 1 || kind > 3) throw DecodeError("unknown entry kind");
    entry.kind = static_cast<EntryKind>(kind);
    entry.time_unix_s = reader.i64();
    entry.idempotency_key = reader.str();
    entry.payload_digest = reader.digest();
    entry.metadata = read_metadata(reader);
    if (entry.kind == EntryKind::open_account) {
      entry.account = read_account(reader);
    } else {
      if (entry.kind == EntryKind::event) {
        entry.event_type = reader.str();
        entry.event_payload = reader.str();
        const std::uint32_t accounts = reader.count();
        for (std::uint32_t i = 0; i < accounts; ++i)
          entry.event_accounts.push_back(read_account(reader));
      } else if (reader.u8() != 0) {
        entry.reverses = reader.u64();
      }
      const std::uint32_t n = reader.count();
      for (std::uint32_t i = 0; i < n; ++i) {
        Posting posting;
        posting.account = reader.str();
        posting.amount = reader.money();
        entry.postings.push_back(std::move(posting));
      }
    }
    entry.previous_hash = reader.digest();
    if (!reader.at_end()) throw DecodeError("trailing bytes");
    ByteReader hash_reader(record.substr(body.size()));
    entry.hash = hash_reader.digest();
  } catch (const DecodeError& error) {
    return Status::error(ErrorCode::corruption, std::string("undecodable record: ") + error.what());
  }
  if (sha256(body) != entry.hash)
    return Status::error(ErrorCode::corruption, "stored hash does not match the record");
  return entry;
}

Digest command_payload_digest(const Command& command) {
  ByteWriter writer;
  writer.reserve(256);
  writer.u8(format_version);
  write_metadata(writer, command.metadata);
  if (const auto* open = std::get_if<OpenAccount>(&command.body)) {
    writer.u8(1);
    write_account(writer, open->account);
  } else if (const auto* post = std::get_if<PostTransaction>(&command.body)) {
    writer.u8(2);
    write_postings(writer, post->postings);
  } else if (const auto* reverse = std::get_if<ReverseTransaction>(&command.body)) {
    writer.u8(3);
    writer.u64(reverse->sequence);
  } else {
    // An event's postings follow from its payload and the state; only the payload is the request.
    const auto& event = std::get<RecordEvent>(command.body);
    writer.u8(4);
    writer.str(event.type);
    writer.str(event.payload);
  }
  return sha256(writer.take());
}

std::string encode_sequence_key(std::uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, sequence >>= 8)
    key[static_cast<std::size_t>(i)] = static_cast<char>(sequence & 0xff);
  return key;
}

std::optional<std::uint64_t> decode_sequence_key(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : key) value = (value << 8) | static_cast<std::uint8_t>(c);
  return value;
}

}  // namespace backstop
