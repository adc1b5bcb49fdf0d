// FundService's degraded mode: what happens when the store stops taking writes (a full disk,
// above all), and how writes come back by themselves (docs/operations.md, "A full disk").
#include <boost/json.hpp>
#include <iostream>

#include "daemon/fund_service.hpp"

namespace backstop::daemon {
namespace {

std::string quoted(const std::string& text) {
  return boost::json::serialize(boost::json::string(text));
}

// What a refused write is told: the cause's code (507 for a full disk), and what to do.
Status refusal_for(const Status& cause) {
  if (cause.code() == ErrorCode::insufficient_storage) {
    return Status::error(ErrorCode::insufficient_storage,
                         "writes are suspended: the disk holding the store is full; reads go on, "
                         "and writes resume by themselves once there is room (retry later)");
  }
  return Status::error(ErrorCode::io_error,
                       "writes are suspended: the store failed a write (" + cause.message() +
                           "); reads go on, and writes resume by themselves once it takes one");
}

}  // namespace

std::optional<Status> FundService::writes_suspended() const {
  std::lock_guard lock(suspended_mutex_);
  return suspended_;
}

void FundService::refuse(std::vector<Pending>& group, const Status& why) {
  writes_refused_ += group.size();
  for (auto& pending : group) pending.reply(why);
}

void FundService::suspend_writes(const Status& cause) {
  {
    std::lock_guard lock(suspended_mutex_);
    suspended_ = refusal_for(cause);
  }
  degraded_ = true;
  next_probe_ = std::chrono::steady_clock::now() + probe_interval;
  std::cerr << "{\"level\":\"error\",\"message\":\"writes suspended, reads go on\",\"code\":\""
            << error_code_name(cause.code()) << "\",\"why\":" << quoted(cause.message()) << "}"
            << std::endl;
}

// REQUIRES: state_lock_ held exclusively. The fund holds the failed group, which the store
// does not: load it afresh from the store (its checkpoint and the journal after it), writing
// nothing, and give the sequencer the reloaded fund.
Status FundService::reload_durable_state() {
  LoadReport report;
  auto fund = load_fund(*store_, {}, &report);
  if (!fund.is_ok()) return fund.status();
  sequencer_.reset();
  fund_ = std::move(fund).value();
  sequencer_.emplace(*store_, fund_, report.checkpoint_sequence);
  return Status::ok();
}

// On the sequencer thread, at most once per probe_interval while degraded: the one writer
// of the store is the one that probes it.
void FundService::probe_store() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_probe_) return;
  next_probe_ = now + probe_interval;
  const Status probed = store_read_only_ ? reopen_writable() : store_->probe_writable();
  if (!probed.is_ok()) return;
  {
    std::lock_guard lock(suspended_mutex_);
    suspended_.reset();
  }
  degraded_ = false;
  std::cerr << "{\"level\":\"info\",\"message\":\"writes resumed\"}" << std::endl;
}

// A start on a full disk served the fund from a read-only open; once a read-write open (and
// the writes of open_fund) get through, the fund is reloaded from it and replaces both.
Status FundService::reopen_writable() {
  auto store = RocksStore::open(data_directory_, store_options_);
  if (!store.is_ok()) return store.status();
  LoadReport report;
  auto fund = open_fund(*store.value(), &report);
  if (!fund.is_ok()) return fund.status();
  if (Status probed = store.value()->probe_writable(); !probed.is_ok()) return probed;
  std::unique_ptr<RocksStore> read_only = std::move(store).value();
  {
    std::unique_lock lock(state_lock_);
    sequencer_.reset();
    fund_ = std::move(fund).value();
    store_.swap(read_only);
    sequencer_.emplace(*store_, fund_, report.checkpoint_sequence);
    store_read_only_ = false;
  }
  std::cerr << "{\"level\":\"info\",\"message\":\"store reopened for writing\"}" << std::endl;
  return Status::ok();  // `read_only` now holds the read-only store, closed here
}

}  // namespace backstop::daemon
