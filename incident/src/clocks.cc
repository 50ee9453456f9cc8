// SPDX-License-Identifier: Apache-2.0
// §4.1-§4.2: awareness and clock states.
#include "sendguard/incident/clocks.h"

namespace sendguard::incident {
namespace {

using std::chrono::hours;

// A clock that started at `start`, lasts `length`, is "due soon" within `soon`, and was
// stopped at `stop` (if it was).
Clock Timed(std::string name, Instant start, hours length, hours soon, std::optional<Instant> stop, Instant now) {
  Clock c;
  c.name = std::move(name);
  c.start = start;
  c.due = start + length;
  c.stopped_at = stop;
  const Instant due = *c.due;
  if (stop) {
    c.state = *stop <= due ? ClockState::kMet : ClockState::kMissed;
    if (*stop > due) c.minutes_overdue = (*stop - due).count();
    return c;
  }
  if (now > due) {
    c.state = ClockState::kOverdue;
    c.minutes_overdue = (now - due).count();
    return c;
  }
  c.minutes_remaining = (due - now).count();
  c.state = (due - now) <= soon ? ClockState::kDueSoon : ClockState::kRunning;
  return c;
}

Clock NotStarted(std::string name) {
  Clock c;
  c.name = std::move(name);
  return c;
}

std::optional<Instant> InitialSubmission(const Incident& in) {
  for (const auto& s : in.ico_submissions) {
    if (s.type == SubmissionType::kInitial) return s.submitted_at;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Instant> AwareAt(const Incident& in) {
  if (in.source == IncidentSource::kMailFilter && in.kind == IncidentKind::kUndetermined) return std::nullopt;
  if (in.aware_at) return in.aware_at;
  if (in.s1_aware_local) return ToInstant(*in.s1_aware_local);
  if (in.source == IncidentSource::kProcessorNotification) return in.processor_notified_council_at;
  // A mail-filter draft triaged to BREACH with no earlier awareness entered: the moment of triage.
  if (in.source == IncidentSource::kMailFilter && in.kind == IncidentKind::kBreach) return in.kind_set_at;
  return std::nullopt;
}

Clocks ComputeClocks(const Incident& in, const CoreConfig& config, Instant now) {
  Clocks out;
  out.aware_at = AwareAt(in);
  const auto& aware = out.aware_at;

  if (aware && (in.kind == IncidentKind::kUndetermined || in.kind == IncidentKind::kBreach)) {
    out.form = Timed("FORM_24H", *aware, hours{24}, hours{config.form_due_soon_hours}, in.form_completed_at, now);
  } else {
    out.form = NotStarted("FORM_24H");
  }

  if (aware && in.kind == IncidentKind::kBreach) {
    auto initial = InitialSubmission(in);
    out.ico = Timed("ICO_72H", *aware, hours{72}, hours{config.ico_due_soon_hours}, initial, now);
    // Reaching NOT_REPORTABLE before any submission closes the clock with no outcome. A CLOSED
    // breach with no submission can only have come through NOT_REPORTABLE (§1.10 rows 9, 10).
    if (!initial && (in.status == IncidentStatus::kNotReportable || in.status == IncidentStatus::kClosed)) {
      out.ico.state = ClockState::kClosedNotReported;
      out.ico.minutes_remaining = 0;
      out.ico.minutes_overdue = 0;
    }
  } else {
    out.ico = NotStarted("ICO_72H");
  }

  if (in.source == IncidentSource::kMailFilter && in.detected_at &&
      (in.kind == IncidentKind::kUndetermined || in.kind_set_at)) {
    std::optional<Instant> stop = in.kind == IncidentKind::kUndetermined ? std::nullopt : in.kind_set_at;
    out.triage = Timed("TRIAGE", *in.detected_at, hours{config.triage_window_hours},
                       hours{config.form_due_soon_hours}, stop, now);
  } else {
    out.triage = NotStarted("TRIAGE");
  }

  out.individuals = NotStarted("INDIVIDUALS");
  if (in.dpo_individuals_decision && in.dpo_individuals_decided_at &&
      (*in.dpo_individuals_decision == IndividualsDecision::kCommunicateDirectly ||
       *in.dpo_individuals_decision == IndividualsDecision::kPublicCommunication)) {
    Clock& c = out.individuals;
    c.start = in.dpo_individuals_decided_at;
    c.stopped_at = in.individuals_communicated_at;
    c.state = c.stopped_at ? ClockState::kMet : ClockState::kRunning;
    c.minutes_elapsed = ((c.stopped_at ? *c.stopped_at : now) - *c.start).count();
  }
  return out;
}

}  // namespace sendguard::incident
