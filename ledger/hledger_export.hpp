// Writes the journal as an hledger journal (https://hledger.org/journal.html) that
// `hledger check` accepts: every account and the commodity declared, and every posting
// carrying a balance assertion of the running balance, so hledger re-checks our sums.
#pragma once

#include <ostream>
#include <string>

#include "ledger/store.hpp"

namespace backstop {

// "assets:fund:cash" for the asset account "fund:cash": hledger infers types from the top name.
std::string hledger_account_name(const Account& account);
// `ledger` is the loaded state of `store`; the entries are read from the store in order.
Status export_hledger(const Ledger& ledger, const Store& store, std::ostream& out);

}  // namespace backstop
