// A full disk is a degraded mode, not a crash. A real backstopd keeps its store on a small
// ext4 filesystem on a loop device; a filler file fills it under load. Writes must then be
// refused with 507 (never a 500, never a crash), reads served, /readyz not ready; writes must
// resume by themselves once the filler is gone; a start on a full disk must serve reads; and
// every acknowledged write must be in the store at the end, which `ledger verify` accepts.
// Mounting needs root and loop devices: where they are missing the test exits 77 (CTest
// reports it skipped).
#define CATCH_CONFIG_RUNNER
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>

#include "tests/daemon_fixture.hpp"
#include "tools/api_client.hpp"

using namespace backstop;
using namespace backstop::testing;
namespace json = boost::json;

namespace {

constexpr int skipped = 77;

int run_quietly(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

// A fresh ext4 filesystem of `megabytes` on a loop device, mounted at `directory`/mnt (no
// blocks reserved for root: the daemon runs as root in the test). Without extents, so that
// fallocate is not supported: RocksDB otherwise reserves the log's first 1.1 x
// write_buffer_size (about 70 MB) at its first write, and filling that reservation takes
// minutes; so the filler leaves no room for the log's next block. Unmounted and removed
// whatever happens, the daemon using it having been stopped first (declare it after this).
class LoopFilesystem {
 public:
  LoopFilesystem(const std::string& directory, int megabytes)
      : image_(directory + "/fs.img"), path_(directory + "/mnt") {
    std::filesystem::create_directories(path_);
    if (run_quietly("truncate -s " + std::to_string(megabytes) + "M " + image_) != 0 ||
        run_quietly("mkfs.ext4 -q -F -m 0 -O ^extents,^64bit " + image_) != 0) {
      why_not_ = "cannot make an ext4 image (truncate, mkfs.ext4)";
    } else if (run_quietly("mount -o loop " + image_ + " " + path_) != 0) {
      why_not_ = "cannot mount a loop device (needs root and /dev/loop*)";
    } else {
      mounted_ = true;
    }
  }
  ~LoopFilesystem() {
    if (mounted_ && run_quietly("umount " + path_) != 0) run_quietly("umount -l " + path_);
    std::filesystem::remove(image_);
  }
  LoopFilesystem(const LoopFilesystem&) = delete;
  LoopFilesystem& operator=(const LoopFilesystem&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }
  const std::string& path() const { return path_; }

  // Takes every free block (the filler is `name` on the filesystem).
  void fill(const std::string& name) const {
    run_quietly("dd if=/dev/zero of=" + path_ + "/" + name + " bs=64k");
    run_quietly("sync");
  }
  void free(const std::string& name) const {
    std::filesystem::remove(path_ + "/" + name);
    run_quietly("sync");
  }

 private:
  std::string image_;
  std::string path_;
  bool mounted_ = false;
  std::string why_not_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Registers members over one kept-alive connection, remembering every write acknowledged.
class Writer {
 public:
  // `prefix` starts the names of the members it registers (one per writer).
  Writer(const Daemon& daemon, std::string prefix)
      : prefix_(std::move(prefix)),
        log_(daemon.directory.path() + "/daemon.log"),
        client_(ClientOptions{"127.0.0.1", daemon.port, daemon.pki + "/admin-alice.pem",
                              daemon.pki + "/admin-alice.key", daemon.pki + "/ca.pem"}) {}

  struct Reply {
    unsigned status = 0;  // 0: no HTTP reply at all
    json::value body;
  };

  // One new write; a long name (at most 200 bytes) so that the store grows quickly.
  Reply write() {
    const std::string member = prefix_ + std::to_string(next_++);
    const std::string key = "fill-" + member;
    const json::object command{{"type", "register_member"},
                               {"member", member},
                               {"name", member + std::string(180, '.')},
                               {"population", 1000}};
    Reply reply = send("POST", "/v1/admin/commands", json::serialize(command), key);
    if (reply.status == 201)
      acknowledged_.emplace_back(key, json::serialize(command),
                                 reply.body.at("sequence").to_number<std::uint64_t>());
    return reply;
  }

  Reply send(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& key = "") {
    auto reply = client_.request(method, target, body, key);
    if (!reply.is_ok()) return {};
    json::error_code error;
    json::value parsed = json::parse(reply.value().body, error);
    return {reply.value().status, error ? json::value(reply.value().body) : parsed};
  }

  // Writes until one is refused (at most `limit`); every reply must be 201 or 507.
  Reply write_until_refused(int limit) {
    for (int i = 0; i < limit; ++i) {
      Reply reply = write();
      INFO("write " << i << ": " << reply.status << " " << json::serialize(reply.body));
      if (reply.status == 0) FAIL("no reply; the daemon's log:\n" << slurp(log_));
      REQUIRE((reply.status == 201 || reply.status == 507));
      if (reply.status == 507) return reply;
    }
    FAIL("the disk never filled");
    return {};
  }

  // Tries a write every 100 ms until one is acknowledged (at most `tries`); 507 meanwhile.
  bool write_once_resumed(int tries) {
    for (int i = 0; i < tries; ++i) {
      Reply reply = write();
      INFO(reply.status << " " << json::serialize(reply.body));
      if (reply.status == 0) FAIL("no reply; the daemon's log:\n" << slurp(log_));
      REQUIRE((reply.status == 201 || reply.status == 507));
      if (reply.status == 201) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  struct Acknowledged {
    std::string key, body;
    std::uint64_t sequence;
  };
  const std::vector<Acknowledged>& acknowledged() const { return acknowledged_; }

 private:
  std::string prefix_;
  std::string log_;
  ApiClient client_;
  int next_ = 1;
  std::vector<Acknowledged> acknowledged_;
};

// The value of a metric line "name value" in /metrics.
std::optional<double> metric(const std::string& text, const std::string& name) {
  std::smatch found;
  if (!std::regex_search(text, found, std::regex("\n" + name + " ([0-9.e+]+)\n"))) return {};
  return std::stod(found[1]);
}

// What a daemon whose disk is full must show: writes refused with 507 in the API's error
// shape, reads served and exact, not ready, degraded in the metrics.
void check_degraded(const Daemon& daemon, Writer& writer) {
  auto refused = writer.write();
  REQUIRE(refused.status == 507);
  CHECK(refused.body.at("error").at("code").as_string() == "insufficient_storage");
  auto head = writer.send("GET", "/v1/admin/ledger/head");
  REQUIRE(head.status == 200);
  // Nothing refused is in the state: the journal holds exactly the acknowledged writes.
  CHECK(head.body.at("sequence").to_number<std::uint64_t>() == writer.acknowledged().size());
  CHECK(writer.send("GET", "/healthz").status == 200);
  auto ready = writer.send("GET", "/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body.at("reason").at("code").as_string() == "insufficient_storage");
  auto metrics = writer.send("GET", "/metrics");
  const std::string text = metrics.body.is_string() ? std::string(metrics.body.as_string()) : "";
  CHECK(metric(text, "backstop_writes_degraded") == 1.0);
  CHECK(metric(text, "backstop_writes_refused_degraded_total").value_or(0) >= 1.0);
  CHECK_THAT(slurp(daemon.directory.path() + "/daemon.log"), Catch::Contains("writes suspended"));
}

void check_writable(Writer& writer) {
  CHECK(writer.send("GET", "/readyz").status == 200);
  auto metrics = writer.send("GET", "/metrics");
  const std::string text = metrics.body.is_string() ? std::string(metrics.body.as_string()) : "";
  CHECK(metric(text, "backstop_writes_degraded") == 0.0);
}

// A retry of each acknowledged write (same key, same body) is a replay of its entry, and the
// journal holds nothing else.
void check_every_write_present(Writer& client, const std::vector<Writer::Acknowledged>& all) {
  std::set<std::uint64_t> sequences;
  for (const auto& entry : all) {
    auto retry = client.send("POST", "/v1/admin/commands", entry.body, entry.key);
    INFO(entry.key << " -> " << json::serialize(retry.body));
    REQUIRE(retry.status == 200);
    CHECK(retry.body.at("replayed").as_bool());
    CHECK(retry.body.at("sequence").to_number<std::uint64_t>() == entry.sequence);
    sequences.insert(entry.sequence);
  }
  CHECK(sequences.size() == all.size());
  auto head = client.send("GET", "/v1/admin/ledger/head");
  CHECK(head.body.at("sequence").to_number<std::uint64_t>() == all.size());
}

}  // namespace

TEST_CASE("daemon: a full disk refuses writes with 507, keeps reads, and loses nothing") {
  TemporaryDirectory scratch;
  std::size_t total = 0;
  LoopFilesystem filesystem(scratch.path(), 64);
  REQUIRE(filesystem.mounted());
  // A reserve of 4 MiB of the 64: below it, writes are suspended.
  Daemon daemon("requests_per_second_per_principal = 100000\n", filesystem.path() + "/store",
                "reserve_mb = 4\n");
  {
    Writer writer(daemon, "M");
    for (int i = 0; i < 20; ++i) {
      auto reply = writer.write();
      INFO(json::serialize(reply.body));
      REQUIRE(reply.status == 201);
    }

    // Full under load: refused, never a crash; reads go on.
    filesystem.fill("filler");
    writer.write_until_refused(5'000);
    check_degraded(daemon, writer);
    std::size_t acknowledged = writer.acknowledged().size();

    // Room again: writes resume by themselves.
    filesystem.free("filler");
    REQUIRE(writer.write_once_resumed(300));
    check_writable(writer);
    CHECK_THAT(slurp(daemon.directory.path() + "/daemon.log"), Catch::Contains("writes resumed"));
    CHECK(writer.acknowledged().size() == acknowledged + 1);

    // Full again, then a stop and a start on the full disk: it serves reads.
    filesystem.fill("filler");
    writer.write_until_refused(5'000);
    const int status = daemon.stop(SIGTERM);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    filesystem.fill("filler-2");  // whatever the stop gave back
    daemon.start();
    Writer restarted(daemon, "R");
    // (the journal so far is the first writer's)
    auto head = restarted.send("GET", "/v1/admin/ledger/head");
    REQUIRE(head.status == 200);
    CHECK(head.body.at("sequence").to_number<std::uint64_t>() == writer.acknowledged().size());
    CHECK(restarted.write().status == 507);
    CHECK(restarted.send("GET", "/readyz").status == 503);
    CHECK(restarted.send("GET", "/healthz").status == 200);
    CHECK_THAT(slurp(daemon.directory.path() + "/daemon.log"),
               Catch::Contains("store opened read-only"));

    // Room again: the restarted daemon takes writes by itself.
    filesystem.free("filler");
    filesystem.free("filler-2");
    REQUIRE(restarted.write_once_resumed(300));
    check_writable(restarted);
    CHECK_THAT(slurp(daemon.directory.path() + "/daemon.log"),
               Catch::Contains("store reopened for writing"));

    // Every acknowledged write is there: a retry of each is a replay of the same entry.
    std::vector<Writer::Acknowledged> all = writer.acknowledged();
    for (const auto& entry : restarted.acknowledged()) all.push_back(entry);
    check_every_write_present(restarted, all);
    total = all.size();
  }
  CHECK(daemon.stop(SIGTERM) == 0);
  auto verified = Daemon::cli("ledger verify --data " + daemon.store);
  INFO(verified.output);
  CHECK(verified.exit_status == 0);
  CHECK_THAT(verified.output, Catch::Contains("verified: " + std::to_string(total) + " entries"));
  std::printf("%zu writes acknowledged, all present and verified\n", total);
}

int main(int argc, char** argv) {
  if (geteuid() != 0) {
    std::puts("SKIP: mounting a loop filesystem needs root");
    return skipped;
  }
  {
    TemporaryDirectory probe;
    LoopFilesystem filesystem(probe.path(), 8);
    if (!filesystem.mounted()) {
      std::printf("SKIP: %s\n", filesystem.why_not().c_str());
      return skipped;
    }
  }
  return Catch::Session().run(argc, argv);
}
