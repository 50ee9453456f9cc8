// SPDX-License-Identifier: Apache-2.0
// `sendguard replay`: runs the rules and policies over an existing mail store (an export of
// Sent Items, a Maildir, an mbox) and prints what would have happened: counts by verdict,
// by policy, by signal, and the policies that decided most often. Nothing is sent or changed.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <unistd.h>

#include "commands.h"
#include "mail_store.h"
#include "sendguard/milter/policy_setup.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/scanner/scanner.h"

namespace sendguard::cli {

namespace fs = std::filesystem;

namespace {

struct Tally {
  uint64_t messages = 0;
  uint64_t incomplete = 0;
  std::map<std::string, uint64_t> by_action, by_monitored, by_policy, by_signal, deciding;
  std::vector<std::string> unreadable;

  void Add(const milter::Decision& d) {
    ++messages;
    if (!d.scan.complete) ++incomplete;
    ++by_action[rules::ActionName(d.verdict.action)];
    ++by_monitored[rules::ActionName(d.verdict.monitored)];
    for (const auto& m : d.verdict.matches) ++by_policy[m.policy->id];
    std::map<std::string, bool> seen;
    for (const auto& s : d.verdict.signals) {
      if (!seen[s.type]) ++by_signal[s.type];
      seen[s.type] = true;
    }
    if (const auto* m = d.verdict.Deciding()) ++deciding[m->policy->id];
  }
};

// Actions in order, so the report reads allow .. block.
std::vector<std::pair<std::string, uint64_t>> InActionOrder(const std::map<std::string, uint64_t>& counts) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (auto a : {rules::Action::kAllow, rules::Action::kTag, rules::Action::kWarn, rules::Action::kQuarantine,
                 rules::Action::kBlock}) {
    auto it = counts.find(rules::ActionName(a));
    out.emplace_back(rules::ActionName(a), it == counts.end() ? 0 : it->second);
  }
  return out;
}

std::vector<std::pair<std::string, uint64_t>> MostFirst(const std::map<std::string, uint64_t>& counts, size_t top) {
  std::vector<std::pair<std::string, uint64_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > top) out.resize(top);
  return out;
}

std::string Description(const rules::PolicyEngine& engine, const std::string& id) {
  for (const auto& p : engine.policies().policies) {
    if (p.id == id) return p.description;
  }
  return "";
}

void PrintText(const Tally& t, const rules::PolicyEngine& engine, double seconds, size_t top) {
  std::printf("replayed %llu messages in %.1f s (%.0f messages/s)\n", static_cast<unsigned long long>(t.messages),
              seconds, seconds > 0 ? static_cast<double>(t.messages) / seconds : 0.0);
  auto line = [&](const char* title, const std::vector<std::pair<std::string, uint64_t>>& rows) {
    std::printf("%s\n", title);
    if (rows.empty()) std::printf("  (none)\n");
    for (const auto& [k, n] : rows) {
      double pct = t.messages ? 100.0 * static_cast<double>(n) / static_cast<double>(t.messages) : 0.0;
      std::printf("  %-40s %8llu  %5.1f%%\n", k.c_str(), static_cast<unsigned long long>(n), pct);
    }
  };
  line("by verdict (enforced policies):", InActionOrder(t.by_action));
  line("by verdict if monitor-mode policies were enforced:", InActionOrder(t.by_monitored));
  line("by policy (messages matched):", MostFirst(t.by_policy, 1000));
  line("by signal (messages with it):", MostFirst(t.by_signal, 1000));
  std::printf("top reasons (the policy that decided):\n");
  auto reasons = MostFirst(t.deciding, top);
  if (reasons.empty()) std::printf("  (none)\n");
  for (const auto& [id, n] : reasons) {
    std::printf("  %6llu  %s: %s\n", static_cast<unsigned long long>(n), id.c_str(), Description(engine, id).c_str());
  }
  std::printf("incomplete scans: %llu\n", static_cast<unsigned long long>(t.incomplete));
  for (const auto& u : t.unreadable) std::printf("unreadable: %s\n", u.c_str());
}

void PrintJson(const Tally& t, const rules::PolicyEngine& engine, double seconds, size_t top) {
  nlohmann::ordered_json j;
  j["messages"] = t.messages;
  j["seconds"] = seconds;
  j["by_verdict"] = nlohmann::ordered_json::object();
  for (const auto& [k, n] : InActionOrder(t.by_action)) j["by_verdict"][k] = n;
  j["by_monitored_verdict"] = nlohmann::ordered_json::object();
  for (const auto& [k, n] : InActionOrder(t.by_monitored)) j["by_monitored_verdict"][k] = n;
  j["by_policy"] = t.by_policy;
  j["by_signal"] = t.by_signal;
  j["top_reasons"] = nlohmann::ordered_json::array();
  for (const auto& [id, n] : MostFirst(t.deciding, top)) {
    j["top_reasons"].push_back({{"policy", id}, {"messages", n}, {"description", Description(engine, id)}});
  }
  j["incomplete"] = t.incomplete;
  j["unreadable"] = t.unreadable;
  std::printf("%s\n", j.dump().c_str());
}

}  // namespace

int RunReplay(const EngineFlags& flags, const ReplayFlags& replay) {
  auto setup = LoadSetup(flags);
  if (!setup.ok()) {
    std::fprintf(stderr, "sendguard: cannot load rules, policies or config:\n%s\n", setup.status().message().c_str());
    return 2;
  }
  common::KeyedHasher hasher(setup->secret);
  // History lives in a private copy: replay never writes to a real state database.
  fs::path copy;
  std::string db_path = ":memory:";
  if (!replay.history_db.empty()) {
    copy = fs::temp_directory_path() / ("sendguard-replay-" + std::to_string(::getpid()) + ".db");
    std::error_code ec;
    fs::copy_file(replay.history_db, copy, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      std::fprintf(stderr, "sendguard: cannot read %s: %s\n", replay.history_db.c_str(), ec.message().c_str());
      return 2;
    }
    db_path = copy.string();
  }
  auto db = milter::OpenStateDb(db_path);
  if (!db.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", db.status().message().c_str());
    return 2;
  }
  milter::RecipientHistory history(**db, hasher);
  const bool use_history = replay.learn || !replay.history_db.empty();
  scanner::ScanOptions options;
  options.ocr = setup->config.ocr;  // pictures read as the milter reads them
  scanner::Scanner scanner(setup->rules, hasher, options);
  Tally tally;
  auto start = std::chrono::steady_clock::now();
  int rc = 0;
  for (const auto& path : replay.paths) {
    Status st = ForEachMessage(
        path,
        [&](const std::string&, const std::string& raw) {
          milter::Decision d = milter::DecideMessage(scanner, *setup->policy, use_history ? &history : nullptr, raw, {});
          tally.Add(d);
          if (replay.learn && !d.facts.sender.empty()) {
            std::vector<rules::MailAddress> to = d.facts.visible;
            for (const auto& r : d.facts.recipients) to.push_back({"", r});
            history.Record(d.facts.sender, to, std::time(nullptr));
          }
        },
        &tally.unreadable);
    if (!st.ok()) {
      std::fprintf(stderr, "sendguard: %s\n", st.message().c_str());
      rc = 1;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (replay.json) PrintJson(tally, *setup->policy, seconds, static_cast<size_t>(replay.top));
  else PrintText(tally, *setup->policy, seconds, static_cast<size_t>(replay.top));
  db->reset();
  if (!copy.empty()) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(copy.string() + suffix, ec);
  }
  if (!tally.unreadable.empty()) rc = 1;
  return rc;
}

}  // namespace sendguard::cli
