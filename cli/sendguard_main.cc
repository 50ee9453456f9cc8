// `sendguard`: the gateway admin's command line. A thin shell over the modules: scan files
// offline, check and test rules, import exact-data hashes.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  using namespace sendguard::cli;
  CLI::App app{"sendguard: outbound-mail data loss prevention (admin command line)"};
  app.require_subcommand(1);
  EngineFlags flags;
  auto add_engine_flags = [&](CLI::App* cmd) {
    cmd->add_option("--rules", flags.rules_dirs, "rule directory (repeatable; later ones add types)");
    cmd->add_option("--secret", flags.secret_file, "secret file for keyed hashes (default /etc/sendguard/secret)");
    cmd->add_option("--edm", flags.edm_dir, "exact-data directory (default /var/lib/sendguard/edm)");
  };

  auto* scan = app.add_subcommand("scan", "scan .eml files and print findings (masked)");
  std::vector<std::string> files;
  bool json = false;
  scan->add_option("files", files, "messages to scan ('-' for standard input)")->required();
  scan->add_flag("--json", json, "one JSON object per file, one per line");
  add_engine_flags(scan);

  auto* rules = app.add_subcommand("rules", "check or test rule files");
  rules->require_subcommand(1);
  auto* check = rules->add_subcommand("check", "load and compile the rules; report file:line errors");
  std::vector<std::string> check_dirs;
  check->add_option("dirs", check_dirs, "rule directories (default: the configured ones)");
  add_engine_flags(check);
  auto* test = rules->add_subcommand("test", "run every rule's must_match / must_not_match examples");
  std::vector<std::string> test_dirs;
  test->add_option("dirs", test_dirs, "rule directories (default: the configured ones)");
  add_engine_flags(test);

  auto* edm = app.add_subcommand("edm", "exact data match");
  edm->require_subcommand(1);
  auto* import = edm->add_subcommand("import", "hash one column of a CSV file into the exact-data set");
  std::string type, csv;
  int column = 1;
  import->add_option("--type", type, "information type id, e.g. case_reference")->required();
  import->add_option("--column", column, "1-based CSV column holding the values")->capture_default_str();
  import->add_option("file", csv, "CSV file")->required();
  add_engine_flags(import);

  CLI11_PARSE(app, argc, argv);
  if (scan->parsed()) return RunScan(flags, files, json);
  if (check->parsed()) {
    flags.rules_dirs.insert(flags.rules_dirs.end(), check_dirs.begin(), check_dirs.end());
    return RunRulesCheck(flags);
  }
  if (test->parsed()) {
    flags.rules_dirs.insert(flags.rules_dirs.end(), test_dirs.begin(), test_dirs.end());
    return RunRulesTest(flags);
  }
  if (import->parsed()) return RunEdmImport(flags, type, csv, column);
  return 2;
}
