// The fund's one writer: applies requests in order and makes each group durable in one
// store commit before any of its outcomes is released (group commit). The daemon's
// sequencer thread and the CLI's `fund run` both write through it, so a receipt is never
// shown for an entry that a crash could still lose.
#pragma once

#include <vector>

#include "fund/fund.hpp"
#include "ledger/store.hpp"

namespace backstop {

class Sequencer {
 public:
  struct Options {
    // Stamp a request never earlier than the journal's last entry (a server's clock);
    // otherwise a request's own time must not go back, or it is refused.
    bool clamp_time = false;
    // Execute nothing after the first refusal (its outcome is the group's last).
    bool stop_at_refusal = false;
  };

  // Entries between checkpoints: at least this many, and as many as were checkpointed
  // before (so their cost stays a fixed share of the work). A year's close and a clean
  // stop also write one.
  static constexpr std::uint64_t checkpoint_every_default = 100'000;

  // `fund` was loaded from `store` (from a checkpoint at `last_checkpoint`, 0 if none) and has
  // nothing uncommitted.
  Sequencer(Store& store, Fund& fund, std::uint64_t last_checkpoint,
            std::uint64_t checkpoint_every = checkpoint_every_default);

  // Executes the group in order, commits what it wrote in one durable write, and only then
  // returns the outcomes, in the group's order. A failed commit is returned as an error:
  // the fund is then ahead of the store: drop it, or reload it (with a new Sequencer).
  Result<std::vector<Result<FundReceipt>>> run(std::vector<FundRequest> group, Options options);

  std::uint64_t committed() const { return fund_.ledger().last_sequence(); }

  // Whether a checkpoint is due: a year closed, or checkpoint_every entries, since the last.
  bool checkpoint_due() const;
  // Writes a checkpoint now if anything was committed since the last (e.g. at shutdown). It
  // only reads the fund, so a caller may let readers in meanwhile. A failure loses nothing:
  // the journal is durable, and the next start replays more of it.
  Status checkpoint();

 private:
  Store& store_;
  Fund& fund_;
  const std::uint64_t checkpoint_every_;
  std::uint64_t checkpointed_;  // the sequence of the last checkpoint written or loaded
  bool year_closed_ = false;    // since the last checkpoint
};

}  // namespace backstop
