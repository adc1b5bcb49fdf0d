// The ledger's committed state as bytes, for the fund's checkpoints.
#include "ledger/bytes.hpp"
#include "ledger/encoding.hpp"

namespace backstop {
namespace {

constexpr std::uint8_t snapshot_version = 1;
// A checkpoint may hold far more accounts than one journal entry holds items.
constexpr ByteLimits snapshot_limits{.string_bytes = 1u << 20, .items = 1u << 30};

void write_account(ByteWriter& out, const Account& account) {
  out.str(account.id);
  out.u8(static_cast<std::uint8_t>(account.type));
  out.str(account.owner);
  out.optional(account.floor, [&](const Money& floor) { out.money_exact(floor); });
}

Account read_account(ByteReader& in) {
  Account account;
  account.id = in.str();
  const std::uint8_t type = in.u8();
  if (type < 1 || type > 5) throw DecodeError("unknown account type");
  account.type = static_cast<AccountType>(type);
  account.owner = in.str();
  account.floor = in.optional([&] { return in.money_exact(); });
  return account;
}

}  // namespace

std::string encode_ledger_snapshot(const LedgerSnapshot& snapshot) {
  ByteWriter out;
  out.u8(snapshot_version);
  out.u64(snapshot.last_sequence);
  out.digest(snapshot.chain_head);
  out.i64(snapshot.last_time_unix_s);
  out.digest(snapshot.keys.value());
  out.count(snapshot.accounts.size());
  for (const auto& [id, state] : snapshot.accounts) {
    write_account(out, state.account);
    out.money_exact(state.balance);
  }
  out.count(snapshot.reversed_by.size());
  for (const auto& [reversed, by] : snapshot.reversed_by) {
    out.u64(reversed);
    out.u64(by);
  }
  return out.take();
}

Result<LedgerSnapshot> decode_ledger_snapshot(std::string_view bytes) {
  try {
    ByteReader in(bytes, snapshot_limits);
    if (in.u8() != snapshot_version) throw DecodeError("a snapshot of another format version");
    LedgerSnapshot snapshot;
    snapshot.last_sequence = in.u64();
    snapshot.chain_head = in.digest();
    snapshot.last_time_unix_s = in.i64();
    snapshot.keys = KeySetDigest::from(in.digest());
    for (std::uint32_t n = in.count(), i = 0; i < n; ++i) {
      AccountState state{read_account(in), in.money_exact()};
      if (state.account.floor && state.normal_balance() < *state.account.floor)
        throw DecodeError("account '" + state.account.id + "' is below its floor");
      const std::string id = state.account.id;
      if (!snapshot.accounts.emplace(id, std::move(state)).second)
        throw DecodeError("account '" + id + "' twice");
    }
    for (std::uint32_t n = in.count(), i = 0; i < n; ++i) {
      const std::uint64_t reversed = in.u64();
      const std::uint64_t by = in.u64();
      if (reversed >= by || by > snapshot.last_sequence ||
          !snapshot.reversed_by.emplace(reversed, by).second)
        throw DecodeError("a reversal that cannot be");
    }
    if (!in.at_end()) throw DecodeError("bytes after the snapshot");
    Money total;
    for (const auto& [id, state] : snapshot.accounts) total += state.balance;
    if (!total.is_zero()) throw DecodeError("balances that do not sum to zero");
    return snapshot;
  } catch (const DecodeError& error) {
    return Status::error(ErrorCode::corruption, std::string("ledger snapshot: ") + error.what());
  } catch (const std::overflow_error&) {
    return Status::error(ErrorCode::corruption, "ledger snapshot: amounts out of range");
  }
}

}  // namespace backstop
