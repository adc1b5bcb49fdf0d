// Online backup and restore, end to end: a real backstopd over mutual TLS backs up its RocksDB
// store while a client keeps writing; the backup restores into a new directory, verifies in
// full, and is a prefix of the live journal; a restored store serves the same reads in
// backstopd; a damaged backup, or a directory that is not empty, is refused on restore.
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ledger/store.hpp"
#include "tests/daemon_fixture.hpp"

using namespace backstop;
using namespace backstop::testing;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr int year = 2026;  // open now (the daemon stamps the real time)
int next_key = 0;
std::string key() { return "b-" + std::to_string(++next_key); }

void admin(const Daemon& daemon, const json::object& command) {
  auto result =
      daemon.curl("admin-alice", "POST", "/v1/admin/commands", json::serialize(command), key());
  INFO(json::serialize(command) << " -> " << result.body);
  REQUIRE(result.status == 201);
}

void register_member(const Daemon& daemon, const std::string& member) {
  admin(daemon,
        {{"type", "register_member"}, {"member", member}, {"name", member}, {"population", 1000}});
}

// A member with an allocation in an open year, so that there is a statement and a report.
void set_up_fund(const Daemon& daemon) {
  register_member(daemon, "05A");
  admin(daemon,
        {{"type", "create_year"}, {"year", year}, {"parameters", {{"review_sample", "0"}}}});
  admin(daemon, {{"type", "set_allocation"},
                 {"year", year},
                 {"member", "05A"},
                 {"allocation", "300000000.00"}});
  admin(daemon, {{"type", "open_year"}, {"year", year}});
}

json::object get_object(const Daemon& daemon, const std::string& path) {
  auto result = daemon.curl("admin-alice", "GET", path);
  INFO(path << " -> " << result.body);
  REQUIRE(result.status == 200);
  return json::parse(result.body).as_object();
}

std::uint64_t sequence_of(const json::object& object) {
  return object.at("sequence").to_number<std::uint64_t>();
}

json::object make_backup(const Daemon& daemon) {
  auto result = daemon.curl("admin-alice", "POST", "/v1/admin/backups");
  INFO(result.body);
  REQUIRE(result.status == 201);
  return json::parse(result.body).at("backup").as_object();
}

std::string connection(const Daemon& daemon) {
  return "--port " + std::to_string(daemon.port) + " --pki " + daemon.pki + " --as admin-alice";
}

// Request lines for `admin run`, each registering a new member: batch `batch` of `count`.
std::string write_member_lines(const Daemon& daemon, int batch, int count) {
  const std::string file = daemon.directory.path() + "/writes-" + std::to_string(batch) + ".jsonl";
  std::ofstream out(file);
  for (int i = 0; i < count; ++i) {
    const std::string member = "W" + std::to_string(batch * count + i);
    out << json::serialize(json::object{{"key", "w-" + member},
                                        {"command",
                                         {{"type", "register_member"},
                                          {"member", member},
                                          {"name", member},
                                          {"population", 1000}}}})
        << "\n";
  }
  return file;
}

// A client writing batches of new members until told to stop (or after 100 batches).
class Writer {
 public:
  explicit Writer(const Daemon& daemon)
      : thread_([this, &daemon] {
          for (int batch = 0; batch < 100 && !stop_; ++batch) {
            const auto file = write_member_lines(daemon, batch, 100);
            auto run = Daemon::cli("admin run --file " + file + " " + connection(daemon));
            if (run.exit_status != 0) {
              failure_ = run.output;
              return;
            }
          }
        }) {}
  // Stops and joins; returns what went wrong, if anything.
  std::string stop() {
    stop_ = true;
    thread_.join();
    return failure_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::string failure_;
  std::thread thread_;
};

// The hash of the live store's entry at `sequence`, and its last sequence (daemon stopped).
std::pair<std::string, std::uint64_t> live_entry(const std::string& data, std::uint64_t sequence) {
  auto store = RocksStore::open(data, {.read_only = true});
  REQUIRE(store.is_ok());
  auto entry = store.value()->read_entry(sequence);
  REQUIRE(entry.is_ok());
  auto caches = store.value()->read_caches();
  REQUIRE(caches.is_ok());
  REQUIRE(caches.value().head);
  return {to_hex(entry.value().hash), caches.value().head->first};
}

}  // namespace

TEST_CASE(
    "backup: made while a client writes, it restores, verifies and is a prefix of the "
    "live journal") {
  Daemon daemon;
  set_up_fund(daemon);
  const std::uint64_t start = sequence_of(get_object(daemon, "/v1/admin/ledger/head"));
  Writer writer(daemon);
  for (int i = 0; i < 500 && sequence_of(get_object(daemon, "/v1/admin/ledger/head")) <= start;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto before = sequence_of(get_object(daemon, "/v1/admin/ledger/head"));
  auto backed_up = Daemon::cli("admin backup " + connection(daemon));
  const auto after = sequence_of(get_object(daemon, "/v1/admin/ledger/head"));
  const std::string failure = writer.stop();
  INFO(backed_up.output << failure);
  REQUIRE(backed_up.exit_status == 0);
  REQUIRE(failure.empty());
  register_member(daemon, "LAST");  // the live journal goes on past the backup, whatever the timing
  const auto backup = json::parse(backed_up.output).at("backup").as_object();
  const auto sequence = sequence_of(backup);
  const std::string head(backup.at("chain_head").as_string());
  INFO("entries committed while the backup ran: " << after - before);
  // What the backup holds is a state the journal passed through while the request ran.
  CHECK(sequence >= before);
  CHECK(sequence <= after);

  const std::string restored = daemon.directory.path() + "/restored";
  auto restore = Daemon::cli("ledger restore --backup-dir " + daemon.directory.path() +
                             "/backups --data " + restored);
  INFO(restore.output);
  REQUIRE(restore.exit_status == 0);
  CHECK(restore.output.find("ledger verified: " + std::to_string(sequence) + " entries") !=
        std::string::npos);
  auto verify = Daemon::cli("ledger verify --json --data " + restored);
  REQUIRE(verify.exit_status == 0);
  const auto verified = json::parse(verify.output).as_object();
  CHECK(verified.at("entries").to_number<std::uint64_t>() == sequence);
  CHECK(verified.at("chain_head").as_string() == head);

  REQUIRE(WIFEXITED(daemon.stop(SIGTERM)));
  const auto [live_hash, live_last] = live_entry(daemon.directory.path() + "/store", sequence);
  CHECK(live_hash == head);  // the backup is a prefix of the live journal
  CHECK(live_last > sequence);
}

TEST_CASE(
    "backup: a restored store serves the same reads, old backups are pruned, a caller "
    "names no path") {
  Daemon daemon;
  set_up_fund(daemon);
  const auto statement = get_object(daemon, "/v1/members/05A/years/2026/statement");
  const auto report = get_object(daemon, "/v1/admin/years/2026/report");
  const auto head = get_object(daemon, "/v1/admin/ledger/head");
  const auto first = make_backup(daemon);
  CHECK(sequence_of(first) == sequence_of(head));
  CHECK(first.at("chain_head") == head.at("chain_head"));
  register_member(daemon, "07B");

  CHECK(daemon.curl("member-05A", "POST", "/v1/admin/backups").status == 403);
  CHECK(daemon.curl("admin-alice", "POST", "/v1/admin/backups", R"({"directory":"/tmp"})").status ==
        400);

  REQUIRE(WIFEXITED(daemon.stop(SIGTERM)));
  const std::string store = daemon.directory.path() + "/store";
  fs::rename(store, store + "-live");
  auto restore = Daemon::cli("ledger restore --backup-id 1 --backup-dir " +
                             daemon.directory.path() + "/backups --data " + store);
  INFO(restore.output);
  REQUIRE(restore.exit_status == 0);
  daemon.start();
  CHECK(get_object(daemon, "/v1/members/05A/years/2026/statement") == statement);
  CHECK(get_object(daemon, "/v1/admin/years/2026/report") == report);
  CHECK(get_object(daemon, "/v1/admin/ledger/head") == head);

  for (int i = 0; i < 2; ++i) make_backup(daemon);
  const auto listed = get_object(daemon, "/v1/admin/backups");
  CHECK(listed.at("keep").to_number<int>() == 2);
  const auto& backups = listed.at("backups").as_array();
  REQUIRE(backups.size() == 2);  // keep = 2 (the fixture's configuration): 1 pruned
  CHECK(backups[0].at("id").to_number<int>() == 2);
  CHECK(backups[1].at("id").to_number<int>() == 3);
  CHECK(backups[1].at("chain_head") == head.at("chain_head"));
}

TEST_CASE("backup: a damaged backup or a directory that is not empty is refused on restore") {
  TemporaryDirectory directory;
  const std::string data = directory.path() + "/store";
  const std::string backups = directory.path() + "/backups";
  REQUIRE(Daemon::cli("ledger open-account --data " + data +
                      " --key k1 --actor a --id fund:cash --type asset --owner fund")
              .exit_status == 0);
  // Relative paths, as an operator types them (RocksDB opens a backup by absolute path only).
  auto made = shell("cd " + directory.path() + " && " + BACKSTOP_CLI +
                    " ledger backup --data store --backup-dir backups");
  INFO(made.output);
  REQUIRE(made.exit_status == 0);
  auto listed = shell("cd " + directory.path() + " && " + BACKSTOP_CLI +
                      " ledger backups --json --backup-dir backups");
  REQUIRE(listed.exit_status == 0);
  CHECK(json::parse(listed.output).as_array().at(0).at("sequence").to_number<int>() == 1);

  fs::create_directories(directory.path() + "/busy/x");
  auto busy = Daemon::cli("ledger restore --backup-dir " + backups + " --data " + directory.path() +
                          "/busy");
  CHECK(busy.exit_status == 1);
  CHECK(fs::exists(directory.path() + "/busy/x"));

  // Flip one byte in the middle of the largest table file the backup holds (the journal's).
  fs::path largest;
  for (const auto& entry : fs::recursive_directory_iterator(backups)) {
    if (entry.is_regular_file() && entry.path().extension() == ".sst" &&
        (largest.empty() || entry.file_size() > fs::file_size(largest)))
      largest = entry.path();
  }
  REQUIRE(!largest.empty());
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    const auto middle = static_cast<std::streamoff>(fs::file_size(largest) / 2);
    file.seekg(middle);
    const char byte = static_cast<char>(file.get() ^ 0x5a);
    file.seekp(middle);
    file.put(byte);
  }
  const std::string target = directory.path() + "/restored";
  auto restore = Daemon::cli("ledger restore --backup-dir " + backups + " --data " + target);
  INFO(largest << "\n" << restore.output);
  CHECK(restore.exit_status == 3);
  CHECK(restore.output.find("damaged") != std::string::npos);
  CHECK((!fs::exists(target) || fs::is_empty(target)));
}
