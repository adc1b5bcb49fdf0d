#include "ledger/journal.hpp"

namespace backstop {

std::string to_hex(const Digest& digest) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (auto byte : digest) {
    out += digits[byte >> 4];
    out += digits[byte & 0x0f];
  }
  return out;
}

const char* account_type_name(AccountType type) {
  switch (type) {
    case AccountType::asset:
      return "asset";
    case AccountType::liability:
      return "liability";
    case AccountType::equity:
      return "equity";
    case AccountType::income:
      return "income";
    case AccountType::expense:
      return "expense";
  }
  return "unknown";
}

std::optional<AccountType> parse_account_type(std::string_view name) {
  for (auto type : {AccountType::asset, AccountType::liability, AccountType::equity,
                    AccountType::income, AccountType::expense}) {
    if (name == account_type_name(type)) return type;
  }
  return std::nullopt;
}

bool is_debit_normal(AccountType type) {
  return type == AccountType::asset || type == AccountType::expense;
}

}  // namespace backstop
