// SPDX-License-Identifier: Apache-2.0
// The four clocks of spec §4: awareness, the 24-hour form, the 72-hour ICO clock, triage,
// and the elapsed-only individuals clock. Elapsed calendar hours on UTC instants.
#pragma once

#include <optional>
#include <string>

#include "sendguard/incident/incident.h"

namespace sendguard::incident {

struct Clock {
  std::string name;  // FORM_24H, ICO_72H, TRIAGE, INDIVIDUALS
  ClockState state = ClockState::kNotStarted;
  std::optional<Instant> start;
  std::optional<Instant> due;
  std::optional<Instant> stopped_at;
  long long minutes_remaining = 0;  // >0 while running
  long long minutes_overdue = 0;    // >0 when overdue, or missed by
  long long minutes_elapsed = 0;    // INDIVIDUALS only
};

struct Clocks {
  std::optional<Instant> aware_at;
  Clock form;
  Clock ico;
  Clock triage;
  Clock individuals;
};

// §4.1: when the council became aware (absent for undetermined mail-filter drafts).
std::optional<Instant> AwareAt(const Incident& incident);
Clocks ComputeClocks(const Incident& incident, const CoreConfig& config, Instant now);

}  // namespace sendguard::incident
