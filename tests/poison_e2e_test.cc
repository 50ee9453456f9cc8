// SPDX-License-Identifier: Apache-2.0
// A poison message through a real Postfix: the test build of the milter (sendguard-milter-faults)
// dies whenever it begins to scan one marked message, and a supervisor restarts it, as
// systemd's Restart= does. Clients retry every 4xx, as mail clients and MTAs do. The marked
// message is answered per fail_modes.poison_message (default quarantine: Postfix's hold queue)
// once the milter has died milter.poison_after_crashes (2) times on it, without a third scan;
// every other message of the run, sent before, during and after the crashes, is delivered
// exactly once, two of them after an exception thrown in the header and body callbacks (over
// the unix socket, where those steps have no reply). Nothing is lost.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <sstream>

#include "e2e/postfix_harness.h"

namespace sendguard {
namespace {

using testing::MilterDaemon;
using testing::PostfixInstance;

const char* kOrg = "organisation:\n  name: {en: the council}\n  internal_domains: [council.example.gov.uk]\n";

std::string Message(const std::string& marker, const std::string& to, const std::string& body) {
  return "From: Sam Okafor <s.okafor@council.example.gov.uk>\r\nTo: " + to + "\r\nSubject: figures\r\nMessage-ID: <" + marker +
         "@council.example.gov.uk>\r\nX-Test-Id: " + marker + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + body +
         "Sam\r\n";
}

// Sends until the server takes or refuses the message (a client's retries after 4xx), at most
// `tries` times a second apart; returns the last answer and counts the tries.
PostfixInstance::Sent SendAsAClientWould(PostfixInstance& postfix, const std::string& to, const std::string& message,
                                         int* tries) {
  PostfixInstance::Sent sent;
  for (*tries = 1; *tries <= 90; ++*tries) {
    sent = postfix.Send("s.okafor@council.example.gov.uk", {to}, message);
    if (!sent.deferred && (sent.queued || sent.rejected)) return sent;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return sent;
}

// The queue as `postqueue -j` lists it: one JSON object a message.
std::vector<nlohmann::json> Queue(const PostfixInstance& postfix) {
  std::string out;
  testing::Shell("postqueue -c " + postfix.ConfigDir().string() + " -j", &out);
  std::vector<nlohmann::json> queue;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) queue.push_back(j);
  }
  return queue;
}

// Retries deferred mail until only held messages are left in the queue (or `seconds`).
bool FlushAllButHeld(const PostfixInstance& postfix, int seconds) {
  for (int i = 0; i < seconds * 4; ++i) {
    bool only_held = true;
    for (const auto& m : Queue(postfix)) only_held &= m.value("queue_name", "") == "hold";
    if (only_held) return true;
    if (i % 8 == 0) testing::Shell("postqueue -c " + postfix.ConfigDir().string() + " -f");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

TEST(PoisonE2eTest, APoisonMessageIsQuarantinedAfterTwoCrashesAndNothingElseIsLost) {
  if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
  const std::string run = std::to_string(::getpid());
  const std::string poison_marker = "poison-" + run + "-end";
  testing::Launch launch;
  launch.program = SENDGUARD_MILTER_FAULTS_BIN;
  const auto fault_file = std::filesystem::temp_directory_path() / ("sendguard-fault-" + run);
  launch.env = {"SENDGUARD_FAULT_CRASH_MARKER=" + poison_marker, "SENDGUARD_FAULT_FILE=" + fault_file.string()};
  launch.supervise = true;
  MilterDaemon milter("poison-e2e", kOrg, "", testing::MilterSocket::kUnix, launch);
  PostfixInstance postfix(milter.PostfixSpec());

  struct Item {
    std::string marker, to;
    std::future<PostfixInstance::Sent> sent;
    int tries = 0;
  };
  std::vector<Item> items;
  for (int i = 0; i < 16; ++i) {
    items.push_back({"clean-" + run + "-" + std::to_string(i) + "-end",
                     i % 2 ? "friend@example.org" : "colleague@council.example.gov.uk", {}, 0});
  }
  // The poison goes out after a few clean messages; the rest follow while the milter crashes,
  // restarts and crashes again, so some are in flight at each crash.
  int poison_tries = 0;
  std::future<PostfixInstance::Sent> poison;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i == 1) std::ofstream(fault_file) << "header\n";  // whichever message comes next
    if (i == 12) std::ofstream(fault_file) << "body\n";
    if (i == 4) {
      poison = std::async(std::launch::async, [&] {
        // To a colleague: inside the organisation, so the hold carries sendguard's full headers.
        const std::string to = "colleague@council.example.gov.uk";
        return SendAsAClientWould(postfix, to, Message(poison_marker, to, "The figures. " + poison_marker + "\r\n"), &poison_tries);
      });
    }
    Item& it = items[i];
    it.sent = std::async(std::launch::async, [&postfix, &it] {
      return SendAsAClientWould(postfix, it.to, Message(it.marker, it.to, "See you at the meeting.\r\n"), &it.tries);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const PostfixInstance::Sent poisoned = poison.get();
  int retried = 0;
  for (auto& it : items) {
    const PostfixInstance::Sent s = it.sent.get();
    EXPECT_TRUE(s.queued) << it.marker << ": " << s.transcript;
    retried += it.tries > 1;
  }

  // The poison: taken (250) into Postfix's hold queue after two crashes, by the fail mode.
  EXPECT_TRUE(poisoned.queued) << poisoned.transcript << milter.Log();
  EXPECT_GE(poison_tries, 3) << "two tries crashed the milter, the next was answered";
  const std::vector<int> exits = milter.Exits();
  ASSERT_EQ(exits.size(), 2u) << "the milter died twice, on the poison only: " << milter.Log();
  for (int status : exits) EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) << status;
  ASSERT_TRUE(FlushAllButHeld(postfix, 60)) << postfix.Log();
  const auto queue = Queue(postfix);
  ASSERT_EQ(queue.size(), 1u) << "only the poison is held";
  EXPECT_EQ(queue[0].value("queue_name", ""), "hold");
  std::string held;
  testing::Shell("postcat -c " + postfix.ConfigDir().string() + " -bh -q " + queue[0].value("queue_id", "x"), &held);
  EXPECT_NE(held.find("X-Test-Id: " + poison_marker), std::string::npos) << held;
  EXPECT_NE(held.find("X-Sendguard-Scan: incomplete; reason=poison_message"), std::string::npos) << held;
  EXPECT_TRUE(postfix.Delivered(poison_marker).empty());

  // Every other message: delivered exactly once, whatever the crashes did to its first try.
  for (const auto& it : items) EXPECT_EQ(postfix.Delivered(it.marker).size(), 1u) << it.marker;
  EXPECT_GT(retried, 0) << "some clean messages were caught by a crash and retried";

  const std::string log = milter.Log();
  EXPECT_TRUE(std::regex_search(log, std::regex("fail_mode=poison_message action=quarantine digest=[0-9a-f]{12} crashes=2\n")))
      << log;
  EXPECT_NE(log.find("scanned alone: in flight when the milter died before"), std::string::npos) << log;
  EXPECT_NE(milter.Metrics().find("sendguard_fail_mode_total{reason=\"poison_message\",action=\"quarantine\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(log.find(poison_marker), std::string::npos) << "no content in the log";
  EXPECT_NE(log.find("fault in header: std::runtime_error"), std::string::npos) << log;
  EXPECT_NE(log.find("fault in body: std::runtime_error"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(fault_file));
  EXPECT_NE(postfix.Log().find("milter-hold: END-OF-MESSAGE"), std::string::npos) << "Postfix logs the hold";
}

}  // namespace
}  // namespace sendguard
