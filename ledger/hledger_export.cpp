#include "ledger/hledger_export.hpp"

#include <chrono>
#include <map>

namespace backstop {
namespace {

std::string iso_date(std::int64_t time_unix_s) {
  const auto days = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_seconds(std::chrono::seconds(time_unix_s)));
  const std::chrono::year_month_day date(days);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

// hledger descriptions and comments end at a newline; ours hold none, but a ';' would start a
// comment.
std::string sanitise(std::string text) {
  for (char& c : text) {
    if (c == ';' || c == '\n' || c == '|') c = ',';
  }
  return text;
}

const char* hledger_top_name(AccountType type) {
  switch (type) {
    case AccountType::asset:
      return "assets";
    case AccountType::liability:
      return "liabilities";
    case AccountType::equity:
      return "equity";
    case AccountType::income:
      return "revenues";
    case AccountType::expense:
      return "expenses";
  }
  return "unknown";
}

}  // namespace

std::string hledger_account_name(const Account& account) {
  return std::string(hledger_top_name(account.type)) + ":" + account.id;
}

Status export_hledger(const Ledger& ledger, const Store& store, std::ostream& out) {
  out << "; Backstop ledger export: " << ledger.last_sequence() << " entries, chain head "
      << to_hex(ledger.chain_head()) << "\n\n";
  out << "commodity £1,000.00\n\n";
  for (const auto& [id, state] : ledger.accounts())
    out << "account " << hledger_account_name(state.account) << "\n";
  out << "\n";

  std::map<std::string, Money> running;
  return replay_journal(store, [&](const JournalEntry& entry) {
    if (entry.postings.empty()) return Status::ok();
    out << iso_date(entry.time_unix_s) << " (" << entry.sequence << ") "
        << (entry.kind == EntryKind::event ? entry.event_type + ": " : std::string())
        << sanitise(entry.metadata.reason) << "\n";
    out << "    ; actor: " << sanitise(entry.metadata.actor)
        << ", key: " << sanitise(entry.idempotency_key);
    if (entry.metadata.fund_year != 0) out << ", fund_year: " << entry.metadata.fund_year;
    if (entry.reverses) out << ", reverses: " << *entry.reverses;
    for (const auto& reference : entry.metadata.references) out << ", ref: " << sanitise(reference);
    out << "\n";
    for (const auto& posting : entry.postings) {
      Money& balance = running[posting.account];
      balance += posting.amount;
      const auto& account = ledger.find_account(posting.account)->account;
      out << "    " << hledger_account_name(account) << "  " << posting.amount.to_display() << " = "
          << balance.to_display() << "\n";
    }
    out << "\n";
    return Status::ok();
  });
}

}  // namespace backstop
