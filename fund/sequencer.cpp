#include "fund/sequencer.hpp"

#include <algorithm>
#include <cassert>

namespace backstop {

Sequencer::Sequencer(Store& store, Fund& fund)
    : store_(store), fund_(fund), committed_(fund.ledger().journal().size()) {}

Result<std::vector<Result<FundReceipt>>> Sequencer::run(std::vector<FundRequest> group,
                                                        Options options) {
  assert(committed_ == fund_.ledger().journal().size());
  std::vector<Result<FundReceipt>> outcomes;
  outcomes.reserve(group.size());
  for (auto& request : group) {
    const auto& journal = fund_.ledger().journal();
    if (options.clamp_time && !journal.empty()) {
      request.time_unix_s = std::max(request.time_unix_s, journal.back().time_unix_s);
    }
    outcomes.push_back(fund_.execute(request));
    if (options.stop_at_refusal && !outcomes.back().is_ok()) break;
  }
  auto done = commit_pending(store_, fund_.ledger(), committed_);
  if (!done.is_ok()) return done.status();
  committed_ = done.value();
  return outcomes;
}

}  // namespace backstop
