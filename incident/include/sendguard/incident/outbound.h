// SPDX-License-Identifier: Apache-2.0
// What the core sends beyond the IG mailbox's notices (notifier.h): each escalation flag the
// scoring raises (SIRO, Caldicott Guardian, Communications, ICT) sent once per incident to the
// addresses the organisation configures, and the digests on the admin's schedule (a weekly
// summary for the SIRO, the monthly committee report). By email and webhook; masked: numbers,
// kinds, scores, clocks and counts, never a name, an address or a found identifier; with a link
// to the incident in the pages.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sendguard/incident/incident_service.h"
#include "sendguard/incident/notifier.h"

namespace sendguard::incident {

struct Recipients {
  std::vector<std::string> emails;
  std::vector<Webhook> webhooks;
  bool empty() const { return emails.empty() && webhooks.empty(); }
};

// core.yaml `escalations`: where each flag's notice goes (empty: that flag is shown on the
// incident only).
struct EscalationRoutes {
  Recipients siro, caldicott, comms, ict;
  bool empty() const { return siro.empty() && caldicott.empty() && comms.empty() && ict.empty(); }
};

// core.yaml `digests`: one schedule, in London time.
struct DigestSchedule {
  Recipients to;
  int weekday = 1;       // siro_weekly: 0 Sunday ... 6 Saturday
  int day_of_month = 1;  // committee_monthly: 1-28
  int hour = 8, minute = 0;
  bool enabled() const { return !to.empty(); }
};

struct Outbound {
  EscalationRoutes escalations;
  DigestSchedule siro_weekly, committee_monthly;
  std::string pages_url;  // for links; "" = none
  const EmailTarget* via = nullptr;  // the SMTP server and From address (notifications.email)
};

// Sends each open incident's raised escalation flags not yet sent; returns how many went out.
Result<int> EscalationRound(IncidentStore& store, const CoreConfig& config, const Outbound& out, Instant now,
                            const std::function<void(const std::string&)>& log);

// The weekly SIRO summary as at `now` (spec §4.6): open breaches and any case with the SIRO
// flag or a HIGH total band, by deadline; new cases likely reportable in the last 7 days;
// overdue actions.
Result<std::string> SiroWeeklyDigest(IncidentStore& store, const CoreConfig& config, const std::string& pages_url, Instant now);

// The scheduled times at or before `now` that are due and not yet sent, sends them (a missed
// one is sent late only within a day of its time); returns how many digests went out.
Result<int> DigestRound(IncidentService& service, IncidentStore& store, const Outbound& out, Instant now,
                        const std::function<void(const std::string&)>& log);

// The schedule's latest time at or before `now` (London), for the job key and the catch-up rule.
Instant LatestScheduled(const DigestSchedule& schedule, bool weekly, Instant now);

}  // namespace sendguard::incident
