// A binary, versioned encoding of the fund's in-memory state and of command results, for
// checkpoints: a state written here and read back equals the one written, so that opening a
// store need not replay the whole journal to rebuild it.
//
// Layout: the format version (one byte), what follows (one byte: a state or a result), then
// the fields in declaration order, through ledger/bytes.hpp: integers big-endian at their
// own width, a flag as 0 or 1, an enum as its underlying value in one byte, an amount as a
// sign byte and a 16-byte magnitude (every Int128 amount), a string, vector or map as a
// 32-bit count and its items, a map's keys strictly ascending, an optional as a flag and the
// value, a result as its variant index and its fields.
//
// The encoding is canonical: each value has exactly one encoding, and decoding accepts
// nothing else (no out-of-range enum or rate, no flag other than 0 or 1, no negative zero,
// no unordered or repeated key, no trailing byte). So a checkpoint's bytes can be hashed and
// compared, and whatever decodes re-encodes to the bytes it came from.
//
// Decoding never throws; every refusal is ErrorCode::corruption.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fund/state.hpp"

namespace backstop {

// The version this build writes and the only one it reads. Raise it on any change to the
// layout or to a struct's fields, so that a checkpoint written before is refused, never misread.
inline constexpr std::uint8_t state_format_version = 1;

std::string encode_state(const FundState& state);
Result<FundState> decode_state(std::string_view bytes);

std::string encode_result(const CommandResult& result);
Result<CommandResult> decode_result(std::string_view bytes);

}  // namespace backstop
