// Writes the journal as an hledger journal (https://hledger.org/journal.html) that
// `hledger check` accepts: every account and the commodity declared, and every posting
// carrying a balance assertion of the running balance, so hledger re-checks our sums.
#pragma once

#include <ostream>
#include <string>

#include "ledger/ledger.hpp"

namespace backstop {

// "assets:fund:cash" for the asset account "fund:cash": hledger infers types from the top name.
std::string hledger_account_name(const Account& account);
void export_hledger(const Ledger& ledger, std::ostream& out);

}  // namespace backstop
