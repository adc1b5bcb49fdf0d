#include "fund/receipt_json.hpp"

#include <span>

#include "fund/codec.hpp"

namespace backstop {
namespace json = boost::json;
namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (auto byte : bytes) {
    out += digits[byte >> 4];
    out += digits[byte & 0x0f];
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_hex(std::string_view text, std::span<std::uint8_t> out) {
  if (text.size() != out.size() * 2) return false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = hex_digit(text[2 * i]);
    const int low = hex_digit(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    out[i] = static_cast<std::uint8_t>(high * 16 + low);
  }
  return true;
}

Status bad(const std::string& field, const std::string& why) {
  return Status::refusal(ErrorCode::invalid_argument, field + " " + why, field);
}

Result<std::uint64_t> sequence_field(const json::object& object, const std::string& field) {
  const json::value* value = object.if_contains(field.substr(field.rfind('.') + 1));
  if (value == nullptr) return bad(field, "is missing");
  if (value->is_uint64()) return value->as_uint64();
  if (value->is_int64() && value->as_int64() >= 0)
    return static_cast<std::uint64_t>(value->as_int64());
  return bad(field, "must be a whole number");
}

Status hex_field(const json::object& object, const std::string& field,
                 std::span<std::uint8_t> out) {
  const json::value* value = object.if_contains(field.substr(field.rfind('.') + 1));
  if (value == nullptr) return bad(field, "is missing");
  if (!value->is_string() || !parse_hex(value->as_string(), out))
    return bad(field, "must be " + std::to_string(out.size() * 2) + " hex digits");
  return Status::ok();
}

}  // namespace

std::optional<Digest> digest_from_hex(std::string_view text) {
  Digest digest{};
  if (!parse_hex(text, digest)) return std::nullopt;
  return digest;
}

json::object to_json(const SignedHead& head) {
  return json::object{{"sequence", head.sequence},
                      {"hash", to_hex(head.hash)},
                      {"signature", hex(head.signature)},
                      {"key_id", to_hex(head.key_id)}};
}

Result<SignedHead> signed_head_from_json(const json::value& value) {
  if (!value.is_object()) return bad("head", "must be an object");
  const json::object& object = value.as_object();
  SignedHead head;
  auto sequence = sequence_field(object, "head.sequence");
  if (!sequence.is_ok()) return sequence.status();
  head.sequence = sequence.value();
  for (const auto& [field, bytes] : {std::pair{"head.hash", std::span<std::uint8_t>(head.hash)},
                                     {"head.signature", std::span<std::uint8_t>(head.signature)},
                                     {"head.key_id", std::span<std::uint8_t>(head.key_id)}}) {
    if (Status read = hex_field(object, field, bytes); !read.is_ok()) return read;
  }
  return head;
}

json::object receipt_to_json(const FundReceipt& receipt) {
  json::object body{{"sequence", receipt.sequence},
                    {"hash", to_hex(receipt.hash)},
                    {"replayed", receipt.replayed},
                    {"result", to_json(receipt.result)}};
  if (receipt.head) body["head"] = to_json(*receipt.head);
  return body;
}

Result<HeldReceipt> held_receipt_from_json(const json::value& value) {
  if (!value.is_object()) return bad("receipt", "must be a JSON object");
  const json::object& object = value.as_object();
  HeldReceipt held;
  auto sequence = sequence_field(object, "sequence");
  if (!sequence.is_ok()) return sequence.status();
  held.sequence = sequence.value();
  if (Status read = hex_field(object, "hash", held.hash); !read.is_ok()) return read;
  const json::value* head = object.if_contains("head");
  if (head == nullptr) return bad("head", "is missing (an unsigned receipt proves nothing)");
  auto signed_head = signed_head_from_json(*head);
  if (!signed_head.is_ok()) return signed_head.status();
  held.head = signed_head.value();
  if (held.sequence == 0 || held.sequence > held.head.sequence)
    return bad("sequence", "must lie between 1 and the head's sequence");
  return held;
}

}  // namespace backstop
