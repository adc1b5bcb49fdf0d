// Big-endian fixed-width bytes: the primitives of the journal's encoding
// (docs/journal-format.md) and of the fund's checkpoint encoding (fund/state_codec.hpp).
// ByteWriter cannot fail. ByteReader throws DecodeError at the first short read or bad value,
// so that a decoder reads straight-line code and catches once, at its boundary, turning the
// error into a Status; no DecodeError is meant to cross a module's interface.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "ledger/journal.hpp"

namespace backstop {

// Whatever ByteReader (or a decoder built on it) finds malformed.
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ByteWriter {
 public:
  void u8(std::uint8_t value) { bytes_.push_back(static_cast<char>(value)); }
  void boolean(bool value) { u8(value ? 1 : 0); }
  void u32(std::uint32_t value) { fixed(value, 4); }
  void u64(std::uint64_t value) { fixed(value, 8); }
  void i32(std::int32_t value) { u32(static_cast<std::uint32_t>(value)); }
  void i64(std::int64_t value) { fixed(static_cast<std::uint64_t>(value), 8); }
  void size(std::size_t value) { u64(static_cast<std::uint64_t>(value)); }
  // How many items follow; ByteReader::count bounds it on the way back.
  void count(std::size_t n) { u32(static_cast<std::uint32_t>(n)); }
  void str(std::string_view value) {
    u32(static_cast<std::uint32_t>(value.size()));
    bytes_.append(value);
  }
  void digest(const Digest& value) {
    bytes_.append(reinterpret_cast<const char*>(value.data()), value.size());
  }
  // The journal's form: the pence as a decimal string. It holds up to 36 digits
  // (Money::from_pence_string), which is every amount the ledger lets arise.
  void money(const Money& value) { str(value.pence_string()); }
  // Every Int128 value, however large: a sign byte (0 or 1) then the magnitude's 16 bytes.
  void money_exact(const Money& value) {
    const Int128 magnitude = value.is_negative() ? Int128(-value.pence()) : value.pence();
    const Int128 low_mask(std::numeric_limits<std::uint64_t>::max());
    boolean(value.is_negative());
    u64(static_cast<std::uint64_t>(magnitude >> 64));
    u64(static_cast<std::uint64_t>(magnitude & low_mask));
  }
  // A presence flag, then the value through `write` when there is one.
  template <typename T, typename Write>
  void optional(const std::optional<T>& value, Write&& write) {
    boolean(value.has_value());
    if (value) write(*value);
  }
  // Room for `n` bytes in all: a writer that knows roughly how much it will write grows its
  // buffer once.
  void reserve(std::size_t n) { bytes_.reserve(n); }
  std::string take() { return std::move(bytes_); }

 private:
  void fixed(std::uint64_t value, int width) {
    char bytes[8];  // appended at once: a journal entry is mostly fixed-width fields
    for (int i = width - 1; i >= 0; --i, value >>= 8) bytes[i] = static_cast<char>(value & 0xff);
    bytes_.append(bytes, static_cast<std::size_t>(width));
  }
  std::string bytes_;
};

// Bounds on what one read may claim, so that a corrupt length is refused before anything is
// allocated for it. The defaults are the journal's.
struct ByteLimits {
  std::uint32_t string_bytes = 1u << 20;
  std::uint32_t items = 1u << 20;
};

// Reads what ByteWriter wrote. Each method throws DecodeError rather than return a bad value.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes, ByteLimits limits = {})
      : bytes_(bytes), limits_(limits) {}
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(bytes_[position_++]);
  }
  // Strictly 0 or 1, so that each value has one encoding.
  bool boolean() {
    const std::uint8_t value = u8();
    if (value > 1) throw DecodeError("flag neither 0 nor 1");
    return value == 1;
  }
  std::uint32_t u32() { return static_cast<std::uint32_t>(fixed(4)); }
  std::uint64_t u64() { return fixed(8); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() { return static_cast<std::int64_t>(fixed(8)); }
  std::size_t size() {
    const std::uint64_t value = u64();
    if (value > std::numeric_limits<std::size_t>::max()) throw DecodeError("size too large");
    return static_cast<std::size_t>(value);
  }
  std::string str() {
    const std::uint32_t size = u32();
    if (size > limits_.string_bytes) throw DecodeError("string too long");
    need(size);
    std::string out(bytes_.substr(position_, size));
    position_ += size;
    return out;
  }
  Digest digest() {
    need(32);
    Digest out;
    for (auto& byte : out) byte = static_cast<std::uint8_t>(bytes_[position_++]);
    return out;
  }
  Money money() {
    auto value = Money::from_pence_string(str());
    if (!value) throw DecodeError("bad amount");
    return *value;
  }
  Money money_exact() {
    const bool negative = boolean();
    Int128 magnitude(u64());
    magnitude <<= 64;
    magnitude |= Int128(u64());
    if (negative && magnitude == 0) throw DecodeError("negative zero amount");
    return Money::from_pence(negative ? Int128(-magnitude) : magnitude);
  }
  template <typename Read>
  auto optional(Read&& read) -> std::optional<decltype(read())> {
    if (!boolean()) return std::nullopt;
    return read();
  }
  // An item count. Every item takes at least one byte, so a count beyond what is left is
  // refused here rather than after a long loop.
  std::uint32_t count() {
    const std::uint32_t n = u32();
    if (n > limits_.items) throw DecodeError("count too large");
    if (n > remaining()) throw DecodeError("count beyond the bytes left");
    return n;
  }
  std::size_t position() const { return position_; }
  std::size_t remaining() const { return bytes_.size() - position_; }
  bool at_end() const { return position_ == bytes_.size(); }

 private:
  void need(std::size_t n) const {
    if (remaining() < n) throw DecodeError("record truncated");
  }
  std::uint64_t fixed(int width) {
    need(static_cast<std::size_t>(width));
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i)
      value = (value << 8) | static_cast<std::uint8_t>(bytes_[position_++]);
    return value;
  }
  std::string_view bytes_;
  ByteLimits limits_;
  std::size_t position_ = 0;
};

}  // namespace backstop
