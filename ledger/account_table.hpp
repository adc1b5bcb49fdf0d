// The ledger's accounts and their balances (ledger.hpp). In id order, as reports, checkpoints
// and the store's cache check read them, with a hash index beside the map: executing a
// transfer looks each of its accounts up several times, and a map compares ids at every
// level of a lookup. The table also lists the accounts that uncommitted entries changed, so
// that a commit writes their balances without searching the entries for them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/journal.hpp"

namespace backstop {

struct AccountState {
  Account account;
  Money balance;  // debits minus credits
  // The balance on the account's normal side (what its floor constrains).
  Money normal_balance() const { return is_debit_normal(account.type) ? balance : -balance; }
};

// Whether a change comes from an entry not yet committed (listed by changed()) or from one
// replayed from the store.
enum class ChangeOrigin { pending, replayed };

class AccountTable {
 public:
  AccountTable() = default;
  explicit AccountTable(std::map<std::string, AccountState> accounts);
  // The index points into the map's nodes, which stay put as the map grows and move with it;
  // a copy indexes its own.
  AccountTable(const AccountTable& other);
  AccountTable& operator=(const AccountTable& other) { return *this = AccountTable(other); }
  AccountTable(AccountTable&&) = default;
  AccountTable& operator=(AccountTable&&) = default;
  ~AccountTable() = default;

  const std::map<std::string, AccountState>& by_id() const { return by_id_; }
  const AccountState* find(std::string_view id) const;
  // Opens the account with a zero balance, unless its id is taken (then nothing changes).
  void open(const Account& account, ChangeOrigin origin);
  // Adds `amount` to the account's balance. Throws std::out_of_range if there is no such
  // account (the ledger checks first) and std::overflow_error if the sum is out of range.
  void post(std::string_view id, const Money& amount, ChangeOrigin origin);

  // The accounts that pending changes opened or posted to since the last clear_changed(),
  // each once, in the order first changed.
  const std::vector<const AccountState*>& changed() const { return changed_; }
  void clear_changed();

 private:
  struct Slot {
    AccountState* state = nullptr;
    std::uint64_t changed_in = 0;  // the generation of the last pending change
  };
  void mark_changed(Slot& slot);

  std::map<std::string, AccountState> by_id_;
  std::unordered_map<std::string_view, Slot> index_;  // keys view by_id_'s keys
  std::vector<const AccountState*> changed_;
  std::uint64_t generation_ = 1;  // advances at each clear_changed()
};

}  // namespace backstop
