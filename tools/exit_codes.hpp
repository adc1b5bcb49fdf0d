// The CLI's exit codes, stable for scripts (docs/cli.md).
#pragma once

#include "ledger/status.hpp"

namespace backstop::exit_code {

constexpr int ok = 0;
constexpr int refused = 1;   // the request was invalid or the ledger refused it; nothing changed
constexpr int usage = 2;     // the command line itself was wrong
constexpr int corrupt = 3;   // the store failed verification
constexpr int io_error = 4;  // the store could not be read or written

inline int from_status(const Status& status) {
  if (status.is_ok()) return ok;
  switch (status.code()) {
    case ErrorCode::corruption:
      return corrupt;
    case ErrorCode::io_error:
    case ErrorCode::insufficient_storage:
      return io_error;
    default:
      return refused;
  }
}

}  // namespace backstop::exit_code
