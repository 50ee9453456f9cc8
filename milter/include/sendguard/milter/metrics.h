// SPDX-License-Identifier: Apache-2.0
// The milter's counters and latency histogram, rendered as Prometheus text. Labels carry
// verdicts, directions, types and reasons only: never addresses or values. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sendguard::milter {

class Metrics {
 public:
  // Every family starts with its known series at zero, so an alert on increase() sees the
  // first event (fail modes by reason and action, reloads, hand-overs, the basic verdicts).
  Metrics();
  void CountMessage(const std::string& direction, const std::string& verdict, const std::string& outcome);
  void CountFinding(const std::string& type, uint64_t n);
  void CountIncomplete(const std::string& reason);
  void CountFailMode(const std::string& reason, const std::string& action);
  void CountReload(bool ok);
  // An exception caught at a protocol step (`callback`: negotiate, connect, ... close).
  void CountCallbackFault(const std::string& callback);
  // Incident hand-over attempts by result: delivered, retry, refused.
  void CountHandover(const std::string& result);
  // What a message's incident step did: the draft's mf_action (BLOCKED, AUDIT_ONLY, ...),
  // HELD, audit_below_threshold (monitor mode, not filed) or unavailable.
  void CountIncident(const std::string& outcome);
  void ObserveScanSeconds(double seconds);
  // Pictures of one message by what OCR did: read (recognised), cached (read from the cache),
  // tiny (skipped by the size rule), not_read (a bound, the mode or a broken file).
  void CountOcr(uint64_t read, uint64_t cached, uint64_t tiny, uint64_t not_read);
  void SetRulesInfo(const std::string& version, uint64_t generation);
  // The rule set's information types, each at zero in sendguard_findings_total.
  void PrimeTypes(const std::vector<std::string>& types);

  // The MTA connections, as the protocol engine counts them (read at each Render).
  struct Connections {
    int64_t open = 0;
    uint64_t accepted = 0;
    uint64_t protocol_errors = 0;  // closed for a malformed or oversized packet
    uint64_t idle = 0;             // closed after 10 minutes of silence, or a packet begun and not finished
    uint64_t refused = 0;          // over the connection limit, or no descriptor left
  };
  void SetConnectionSource(std::function<Connections()> source);

  std::string Render() const;  // Prometheus text exposition format

 private:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,   0.25,   0.5,   1.0,  2.5,   10.0};
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, uint64_t> messages_, findings_, incomplete_, fail_modes_, reloads_, handovers_,
      incidents_, callback_faults_, ocr_;
  std::array<uint64_t, kBuckets.size() + 1> buckets_{};
  double latency_sum_ = 0;
  uint64_t latency_count_ = 0;
  std::string rules_version_;
  uint64_t generation_ = 0;
  int64_t rules_loaded_at_ = 0;  // unix seconds of the last successful load
  std::function<Connections()> connections_;
};

}  // namespace sendguard::milter
