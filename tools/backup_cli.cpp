#include "tools/backup_cli.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>
#include <memory>

#include "ledger/rocks_backup.hpp"
#include "tools/exit_codes.hpp"
#include "tools/ledger_cli.hpp"
#include "tools/network_client.hpp"

namespace backstop {
namespace {
namespace json = boost::json;
using network::fail;

std::string describe(const BackupSummary& backup) {
  return "backup " + std::to_string(backup.id) + ": sequence " + std::to_string(backup.sequence) +
         ", chain head " + to_hex(backup.chain_head) + ", " + std::to_string(backup.size_bytes) +
         " bytes in " + std::to_string(backup.files) + " files, made at " +
         std::to_string(backup.time_unix_s) + " (Unix seconds)";
}

json::object to_json(const BackupSummary& backup) {
  return json::object{{"id", backup.id},
                      {"sequence", backup.sequence},
                      {"chain_head", to_hex(backup.chain_head)},
                      {"size_bytes", backup.size_bytes},
                      {"files", backup.files},
                      {"time", backup.time_unix_s}};
}

struct BackupOptions {
  std::string data, backup_directory;
  std::uint32_t keep = 0;  // 0: keep every backup
};

// A stopped store: RocksDB's lock refuses a store that backstopd has open.
int run_offline_backup(const BackupOptions& o) {
  if (!std::filesystem::exists(o.data + "/CURRENT"))
    return fail(Status::error(ErrorCode::not_found, "no store in '" + o.data + "'"));
  auto store = RocksStore::open(o.data);
  if (!store.is_ok()) return fail(store.status());
  auto made = create_backup(*store.value(), o.backup_directory);
  if (!made.is_ok()) return fail(made.status());
  if (o.keep > 0) {
    if (Status pruned = prune_backups(o.backup_directory, o.keep); !pruned.is_ok())
      return fail(pruned);
  }
  std::cout << describe(made.value()) << "\n";
  return exit_code::ok;
}

int run_list(const std::string& backup_directory, bool as_json) {
  auto listed = list_backups(backup_directory);
  if (!listed.is_ok()) return fail(listed.status());
  json::array rows;
  for (const auto& backup : listed.value()) {
    if (as_json)
      rows.push_back(to_json(backup));
    else
      std::cout << describe(backup) << "\n";
  }
  if (as_json) std::cout << json::serialize(rows) << "\n";
  return exit_code::ok;
}

struct RestoreOptions {
  std::string backup_directory, data;
  std::optional<std::uint32_t> id;
  bool as_json = false;
};

// Restores, then verifies the restored store in full, exactly as `ledger verify` does.
int run_restore(const RestoreOptions& o) {
  auto restored = restore_backup(o.backup_directory, o.id, o.data);
  if (!restored.is_ok()) return fail(restored.status());
  (o.as_json ? std::cerr : std::cout)
      << "restored " << describe(restored.value()) << " into '" << o.data << "'\n";
  VerifyOptions verify;
  verify.data = o.data;
  verify.as_json = o.as_json;
  return run_verify(verify);
}

}  // namespace

void add_ledger_backup_commands(CLI::App* ledger, int& exit_status) {
  auto b = std::make_shared<BackupOptions>();
  auto* backup = ledger->add_subcommand("backup", "back up a stopped store (checksummed)");
  backup->add_option("--data", b->data, "store directory")->required();
  backup->add_option("--backup-dir", b->backup_directory, "backup directory")->required();
  backup->add_option("--keep", b->keep, "then keep only the newest N backups");
  backup->callback([b, &exit_status] { exit_status = run_offline_backup(*b); });

  auto l = std::make_shared<std::pair<std::string, bool>>();
  auto* list = ledger->add_subcommand("backups", "list the backups in a backup directory");
  list->add_option("--backup-dir", l->first, "backup directory")->required();
  list->add_flag("--json", l->second, "JSON for scripts");
  list->callback([l, &exit_status] { exit_status = run_list(l->first, l->second); });

  auto r = std::make_shared<RestoreOptions>();
  auto* restore = ledger->add_subcommand(
      "restore", "restore a backup into a new directory, check its checksums, verify it in full");
  restore->add_option("--backup-dir", r->backup_directory, "backup directory")->required();
  restore->add_option("--backup-id", r->id, "which backup (default: the newest)");
  restore->add_option("--data", r->data, "a new or empty store directory")->required();
  restore->add_flag("--json", r->as_json, "print the verification as JSON");
  restore->callback([r, &exit_status] { exit_status = run_restore(*r); });
}

void add_admin_backup_commands(CLI::App* admin, int& exit_status) {
  auto c = std::make_shared<network::Connection>();
  auto* backup = admin->add_subcommand(
      "backup", "back up the live store into the server's configured backup directory");
  network::add_connection_options(*backup, *c);
  backup->callback(
      [c, &exit_status] { exit_status = network::call(*c, "POST", "/v1/admin/backups", "", ""); });

  auto lc = std::make_shared<network::Connection>();
  auto* list = admin->add_subcommand("backups", "list the server's backups");
  network::add_connection_options(*list, *lc);
  list->callback(
      [lc, &exit_status] { exit_status = network::call(*lc, "GET", "/v1/admin/backups", "", ""); });
}

}  // namespace backstop
