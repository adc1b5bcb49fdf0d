#include "fund/sequencer.hpp"

#include <algorithm>
#include <cassert>

namespace backstop {

Sequencer::Sequencer(Store& store, Fund& fund, std::uint64_t last_checkpoint,
                     std::uint64_t checkpoint_every)
    : store_(store),
      fund_(fund),
      checkpoint_every_(checkpoint_every),
      checkpointed_(last_checkpoint) {}

Result<std::vector<Result<FundReceipt>>> Sequencer::run(std::vector<FundRequest> group,
                                                        Options options) {
  assert(fund_.ledger().pending().empty());
  std::vector<Result<FundReceipt>> outcomes;
  outcomes.reserve(group.size());
  for (auto& request : group) {
    const Ledger& ledger = fund_.ledger();
    if (options.clamp_time && ledger.last_sequence() > 0)
      request.time_unix_s = std::max(request.time_unix_s, ledger.last_time_unix_s());
    outcomes.push_back(fund_.execute(request));
    const auto& outcome = outcomes.back();
    if (outcome.is_ok() && !outcome.value().replayed)
      year_closed_ = year_closed_ || std::holds_alternative<CloseYear>(request.command);
    if (options.stop_at_refusal && !outcome.is_ok()) break;
  }
  if (Status committed = fund_.commit(store_); !committed.is_ok()) return committed;
  return outcomes;
}

bool Sequencer::checkpoint_due() const {
  // The interval grows with the journal (at least checkpoint_every, at most the journal so
  // far), so that writing checkpoints costs no more than a constant share of the work.
  const std::uint64_t since = fund_.ledger().last_sequence() - checkpointed_;
  return year_closed_ ||
         (checkpoint_every_ > 0 && since >= std::max(checkpoint_every_, checkpointed_));
}

Status Sequencer::checkpoint() {
  if (!fund_.ledger().pending().empty())
    return Status::error(ErrorCode::io_error, "no checkpoint of entries not yet committed");
  if (fund_.ledger().last_sequence() == checkpointed_) return Status::ok();
  if (Status written = fund_.write_checkpoint(store_); !written.is_ok()) return written;
  checkpointed_ = fund_.ledger().last_sequence();
  year_closed_ = false;
  return Status::ok();
}

}  // namespace backstop
