#include "ledger/account_table.hpp"

#include <stdexcept>
#include <utility>

namespace backstop {

AccountTable::AccountTable(std::map<std::string, AccountState> accounts)
    : by_id_(std::move(accounts)) {
  index_.reserve(by_id_.size());
  for (auto& [id, state] : by_id_) index_.emplace(id, Slot{&state});
}

AccountTable::AccountTable(const AccountTable& other) : AccountTable(other.by_id_) {
  generation_ = other.generation_;
  for (const AccountState* state : other.changed_) mark_changed(index_.at(state->account.id));
}

const AccountState* AccountTable::find(std::string_view id) const {
  auto found = index_.find(id);
  return found == index_.end() ? nullptr : found->second.state;
}

void AccountTable::open(const Account& account, ChangeOrigin origin) {
  auto [opened, added] = by_id_.try_emplace(account.id, AccountState{account, Money()});
  if (!added) return;
  try {
    Slot& slot = index_.emplace(opened->first, Slot{&opened->second}).first->second;
    if (origin == ChangeOrigin::pending) mark_changed(slot);
  } catch (...) {
    index_.erase(opened->first);  // the map and its index hold the same accounts, always
    by_id_.erase(opened);
    throw;
  }
}

void AccountTable::post(std::string_view id, const Money& amount, ChangeOrigin origin) {
  auto found = index_.find(id);
  if (found == index_.end()) throw std::out_of_range("no account '" + std::string(id) + "'");
  Slot& slot = found->second;
  slot.state->balance += amount;
  if (origin == ChangeOrigin::pending) mark_changed(slot);
}

void AccountTable::clear_changed() {
  changed_.clear();
  ++generation_;
}

void AccountTable::mark_changed(Slot& slot) {
  if (slot.changed_in == generation_) return;
  changed_.push_back(slot.state);
  slot.changed_in = generation_;
}

}  // namespace backstop
