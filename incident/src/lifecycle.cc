// SPDX-License-Identifier: Apache-2.0
// §1.9-§1.11: transitions and their guards, edit permissions, kind rules.
#include "sendguard/incident/lifecycle.h"

#include <algorithm>

#include "sendguard/incident/recommendations.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;
using S = IncidentStatus;
using K = IncidentKind;

bool Present(const json& doc, const char* field) {
  if (!doc.is_object() || !doc.contains(field)) return false;
  const json& v = doc.at(field);
  if (v.is_null()) return false;
  if (v.is_string() || v.is_array() || v.is_object()) return !v.empty();
  return true;
}

bool IsIg(const Actor& a) { return a.role == Role::kIgOfficer || a.role == Role::kDpo; }

// A transition's guard refused (named apart from service_outcomes.h's Refuse<T>, which the unity
// batch sees beside this file: an overload of one name could take a call meant for the other).
Status RefuseGuard(const std::string& guard) { return InvalidArgument(guard); }

bool ActionPlanDone(const json& doc) {
  if (!Present(doc, "action_plan")) return true;
  for (const auto& item : doc["action_plan"]) {
    if (!item.contains("completed_at") && !item.contains("waived_reason")) return false;
  }
  return true;
}

std::optional<Instant> InitialAt(const Incident& in, const IcoSubmission** sub) {
  for (const auto& s : in.ico_submissions) {
    if (s.type == SubmissionType::kInitial) {
      *sub = &s;
      return s.submitted_at;
    }
  }
  return std::nullopt;
}

Status PrimaryInputsComplete(const json& doc, const Incident& in, const CoreConfig& config) {
  if (config.primary_method == PrimaryMethod::kNhsGrid) {
    if (!in.nhs_likelihood) return RefuseGuard("guard 4: nhs_likelihood is required (NHS grid is the primary method)");
    if (!in.nhs_impact) return RefuseGuard("guard 4: nhs_impact is required (NHS grid is the primary method)");
    if (!Present(doc, "nhs_rationale")) return RefuseGuard("guard 4: nhs_rationale is required");
    return Status::Ok();
  }
  if (in.enisa_dpc_rows.empty()) return RefuseGuard("guard 4: at least one enisa_dpc_rows row is required (ENISA is primary)");
  if (!in.enisa_ei) return RefuseGuard("guard 4: enisa_ei is required");
  if (!in.enisa_cb_confidentiality || !in.enisa_cb_integrity || !in.enisa_cb_availability || !in.enisa_cb_malicious) {
    return RefuseGuard("guard 4: all four enisa_cb_* inputs are required");
  }
  if (config.volume_additions_enabled && !in.s7_individuals_affected) {
    return RefuseGuard("guard 4: s7_individuals_affected is required for the volume addition");
  }
  return Status::Ok();
}

}  // namespace

std::vector<std::string> MissingFormFields(const json& doc, const Incident& in) {
  std::vector<std::string> missing;
  auto need = [&](const char* f) {
    if (!Present(doc, f)) missing.push_back(f);
  };
  for (const char* f : {"s1_name", "s1_email", "s1_aware_local", "s1_how_found_out"}) need(f);
  const bool actor_known = !(doc.contains("s2_not_applicable") && doc["s2_not_applicable"] == true);
  if (actor_known) {
    for (const char* f : {"s2_name", "s2_email"}) need(f);
    if (in.s2_gdpr_training_last_year == YesNoUnknown::kUnknown) missing.push_back("s2_gdpr_training_last_year");
  }
  for (const char* f : {"s2_directorate", "s2_service_area", "s3_head_of_service_name", "s3_head_of_service_email",
                        "s4_types", "s5_what_happened", "s9_measures_in_place", "s9_actions_taken_or_proposed"}) {
    need(f);
  }
  if (Present(doc, "s3_line_manager_name")) need("s3_line_manager_email");
  if (in.s4_types.Has(IncidentType::kOther)) need("s4_other_text");
  if (in.s4_cyber_related == YesNoUnknown::kUnknown) missing.push_back("s4_cyber_related");
  if (!Present(doc, "s5_happened_before") || doc["s5_happened_before"] == "UNKNOWN") missing.push_back("s5_happened_before");
  else if (doc["s5_happened_before"] == "YES") need("s5_previous_details");
  if (in.kind == K::kBreach) {
    for (const char* f : {"s6_data_categories", "s7_subject_categories", "s7_individuals_affected",
                          "s8_potential_consequences", "s8_actual_harm", "s8_likelihood", "s8_likelihood_justification"}) {
      need(f);
    }
    if (in.s6_data_categories.Has(DataCategory::kOther)) need("s6_other_text");
    if (in.s7_subject_categories.Has(SubjectCategory::kOther)) need("s7_other_text");
  }
  if (in.s4_types.Has(IncidentType::kIncorrectRecipient) && !in.disclosure_channel) missing.push_back("disclosure_channel");
  return missing;
}

Status CheckTransition(const json& doc, const Incident& in, IncidentStatus to, const Actor& actor,
                       const CoreConfig& config, Instant now, const std::string& reason) {
  const S from = in.status;
  const std::string move = std::string(Name(from)) + " -> " + std::string(Name(to));
  auto need_ig = [&](int row) -> Status {
    if (!IsIg(actor)) return PermissionDenied("guard " + std::to_string(row) + ": only IG_OFFICER or DPO may move " + move);
    return Status::Ok();
  };
  auto need_dpo = [&](int row) -> Status {
    if (actor.role != Role::kDpo) return PermissionDenied("guard " + std::to_string(row) + ": only the DPO may move " + move);
    return Status::Ok();
  };
  auto need_reason = [&](int row) -> Status {
    if (reason.empty()) return RefuseGuard("guard " + std::to_string(row) + ": a reason is required for " + move);
    return Status::Ok();
  };
#define SENDGUARD_CHECK(expr)      \
  do {                             \
    Status st_ = (expr);           \
    if (!st_.ok()) return st_;     \
  } while (false)

  if (from == S::kDraft && to == S::kUnderInvestigation) {
    SENDGUARD_CHECK(need_ig(1));
    if (!Present(doc, "incident_number")) return RefuseGuard("guard 1: incident_number is required");
    if (!Present(doc, "investigating_officer")) return RefuseGuard("guard 1: investigating_officer is required");
    if (in.kind == K::kNotABreach) return RefuseGuard("guard 1: kind NOT_A_BREACH is closed, not investigated");
    if (in.source == IncidentSource::kHumanReport) {
      for (const char* f : {"s1_name", "s1_email", "s1_aware_local"}) {
        if (!Present(doc, f)) return RefuseGuard(std::string("guard 1: ") + f + " is required for a human report");
      }
    }
    return Status::Ok();
  }
  if (from == S::kDraft && to == S::kAssessed) {
    SENDGUARD_CHECK(need_ig(2));
    if (in.kind != K::kNearMiss) return RefuseGuard("guard 2: only a NEAR_MISS goes straight from DRAFT to ASSESSED");
    if (!Present(doc, "incident_number")) return RefuseGuard("guard 2: incident_number is required");
    if (!in.root_cause) return RefuseGuard("guard 2: root_cause is required");
    if (!Present(doc, "s5_what_happened")) return RefuseGuard("guard 2: s5_what_happened is required");
    return Status::Ok();
  }
  if ((from == S::kDraft || from == S::kUnderInvestigation) && to == S::kClosed) {
    SENDGUARD_CHECK(need_ig(3));
    if (in.kind != K::kNotABreach) return RefuseGuard("guard 3: only NOT_A_BREACH closes from " + std::string(Name(from)));
    if (!Present(doc, "not_breach_reason")) return RefuseGuard("guard 3: not_breach_reason is required");
    if (doc["not_breach_reason"] == "DUPLICATE" && !Present(doc, "duplicate_of")) {
      return RefuseGuard("guard 3: duplicate_of is required for DUPLICATE");
    }
    return Status::Ok();
  }
  if (from == S::kUnderInvestigation && to == S::kAssessed) {
    SENDGUARD_CHECK(need_ig(4));
    if (in.kind != K::kBreach && in.kind != K::kNearMiss) return RefuseGuard("guard 4: kind must be BREACH or NEAR_MISS");
    if (!in.root_cause) return RefuseGuard("guard 4: root_cause is required");
    if (in.kind == K::kNearMiss) {
      if (!Present(doc, "s5_what_happened")) return RefuseGuard("guard 4: s5_what_happened is required");
      return Status::Ok();
    }
    auto missing = MissingFormFields(doc, in);
    if (!missing.empty()) return RefuseGuard("guard 4: " + missing.front() + " is required for a BREACH");
    if (!in.cia_set) return RefuseGuard("guard 4: cia_categories is required");
    SENDGUARD_CHECK(PrimaryInputsComplete(doc, in, config));
    if (!AwareAt(in)) return RefuseGuard("guard 4: aware_at is not set");
    return Status::Ok();
  }
  if (from == S::kAssessed && to == S::kUnderInvestigation) {
    SENDGUARD_CHECK(need_ig(5));
    return need_reason(5);
  }
  if (from == S::kAssessed && to == S::kReportedToIco) {
    SENDGUARD_CHECK(need_ig(6));
    if (in.kind != K::kBreach) return RefuseGuard("guard 6: only a BREACH is reported to the ICO");
    if (!doc.contains("dpo_ico_decision") || doc["dpo_ico_decision"] != "REPORT") {
      return RefuseGuard("guard 6: dpo_ico_decision must be REPORT");
    }
    if (!Present(doc, "office_date_discussed_with_dpo")) return RefuseGuard("guard 6: office_date_discussed_with_dpo is required");
    const IcoSubmission* initial = nullptr;
    auto at = InitialAt(in, &initial);
    if (!at) return RefuseGuard("guard 6: an INITIAL ico_submissions entry is required");
    if (*at > now) return RefuseGuard("guard 6: the INITIAL submission is in the future");
    auto clocks = ComputeClocks(in, config, now);
    if (clocks.ico.due && *at > *clocks.ico.due && initial->delay_reasons.empty()) {
      return RefuseGuard("guard 6: the INITIAL submission was after the 72-hour deadline, so delay_reasons is required");
    }
    auto derived = Derive(in, config, now);
    if (!derived.ok()) return derived.status();
    for (const auto& item : derived->ico_package_missing) {
      if (std::find(initial->to_follow.begin(), initial->to_follow.end(), item) == initial->to_follow.end()) {
        return RefuseGuard("guard 6: the ICO package lacks " + item + " and the INITIAL submission does not list it as to follow");
      }
    }
    return Status::Ok();
  }
  if (from == S::kAssessed && to == S::kNotReportable) {
    if (in.kind == K::kBreach) {
      SENDGUARD_CHECK(need_dpo(7));
      if (!doc.contains("dpo_ico_decision") || doc["dpo_ico_decision"] != "DO_NOT_REPORT") {
        return RefuseGuard("guard 7: dpo_ico_decision must be DO_NOT_REPORT");
      }
      if (!Present(doc, "dpo_ico_rationale")) return RefuseGuard("guard 7: dpo_ico_rationale is required");
      if (!Present(doc, "office_date_discussed_with_dpo")) return RefuseGuard("guard 7: office_date_discussed_with_dpo is required");
      return Status::Ok();
    }
    return need_ig(7);
  }
  if (from == S::kNotReportable && to == S::kUnderInvestigation) {
    SENDGUARD_CHECK(need_ig(8));
    return need_reason(8);
  }
  if (from == S::kReportedToIco && to == S::kClosed) {
    SENDGUARD_CHECK(need_ig(9));
    if (!in.ico_outcome || *in.ico_outcome == IcoOutcome::kAwaiting) return RefuseGuard("guard 9: ico_outcome must be set and not AWAITING");
    if (!ActionPlanDone(doc)) return RefuseGuard("guard 9: every action_plan item must be completed or waived");
    if (!in.dpo_individuals_decision) return RefuseGuard("guard 9: dpo_individuals_decision is required");
    return Status::Ok();
  }
  if (from == S::kNotReportable && to == S::kClosed) {
    SENDGUARD_CHECK(need_ig(10));
    if (!ActionPlanDone(doc)) return RefuseGuard("guard 10: every action_plan item must be completed or waived");
    if (in.kind == K::kBreach && !in.dpo_individuals_decision) return RefuseGuard("guard 10: dpo_individuals_decision is required");
    return Status::Ok();
  }
  if (from == S::kClosed && to == S::kUnderInvestigation) {
    SENDGUARD_CHECK(need_dpo(11));
    return need_reason(11);
  }
#undef SENDGUARD_CHECK
  return RefuseGuard("no transition " + move);
}

Status CheckFieldEdit(const std::string& field, const Actor& actor, const Incident& prev, const json& new_value,
                      const json& old_value, const std::string& reason) {
  const auto deny = [&](const std::string& why) {
    return PermissionDenied(std::string(Name(actor.role)) + " " + why);
  };
  if (field.rfind("mf_", 0) == 0 || field == "incident_id" || field == "created_at" || field == "source" ||
      field == "detected_at" || field == "form_completed_at" || field == "kind_set_at" || field == "status" ||
      field == "office_logged" || field == "office_ico_reporting_needed" || field == "office_date_reported_to_ico" ||
      field == "letters_sent" ||
      field.find("_decided_at") != std::string::npos || field.find("_decided_by") != std::string::npos) {
    return InvalidArgument("set by the system, read-only");
  }
  if (field == "dpo_ico_decision" || field == "dpo_ico_rationale" || field == "dpo_individuals_decision" ||
      field == "dpo_individuals_rationale" || field == "exception_b_confirmed" || field == "exception_c_confirmed") {
    return actor.role == Role::kDpo ? Status::Ok() : deny("may not set it: only the DPO decides");
  }
  if (field == "ico_submissions") {
    return IsIg(actor) ? Status::Ok() : deny("may not record an ICO submission");
  }
  if (field == "kind") {
    if (!IsIg(actor)) return deny("may not change kind");
    if (prev.status == S::kReportedToIco || prev.status == S::kClosed) {
      return PermissionDenied("nobody may change kind once the incident is " + std::string(Name(prev.status)));
    }
    return Status::Ok();
  }
  if (field == "aware_at") {
    if (!IsIg(actor)) return deny("may not change aware_at");
    if (reason.empty()) return InvalidArgument("a reason is required to change aware_at");
    if (old_value.is_string() && new_value.is_string()) {
      auto o = ParseInstant(old_value.get<std::string>()), n = ParseInstant(new_value.get<std::string>());
      if (o.ok() && n.ok() && *n > *o && actor.role != Role::kDpo) return deny("may not move aware_at later: only the DPO may");
    }
    return Status::Ok();
  }
  // The action plan is the IG team's (they agree it and follow it up, §1.3 note): an
  // investigating officer proposes actions in section 9, and nobody else may waive them.
  if (field == "action_plan") return IsIg(actor) ? Status::Ok() : deny("may not change the action plan: the IG team keeps it");
  // A final letter's words stay as they are until it is reopened: reopening (final: false)
  // keeps the words; they change in a later edit. A final letter is not removed.
  if (field == "letter_draft" && old_value.is_object()) {
    for (const auto& [language, before] : old_value.items()) {
      if (!before.is_object() || !before.value("final", false)) continue;
      const std::string name = language == "cy" ? "Welsh" : "English";
      const json after = new_value.is_object() ? new_value.value(language, json()) : json();
      if (!after.is_object()) return InvalidArgument("the " + name + " letter is final: reopen it before removing it");
      json a = before, b = after;
      a.erase("final");
      b.erase("final");
      if (a != b) {
        return InvalidArgument("the " + name + " letter is final: reopen it (final: false, words unchanged), then change its words");
      }
    }
  }
  const bool form_field = field.size() > 2 && field[0] == 's' && field[1] >= '1' && field[1] <= '9' && field[2] == '_';
  if (form_field || field == "title") {
    switch (actor.role) {
      case Role::kIgOfficer:
      case Role::kDpo: return Status::Ok();
      case Role::kInvestigatingOfficer:
        return prev.status == S::kDraft || prev.status == S::kUnderInvestigation ? Status::Ok()
                                                                                  : deny("may edit the form only until ASSESSED");
      case Role::kReporter:
        return prev.status == S::kDraft ? Status::Ok() : deny("may edit only their own draft");
      default: return deny("may not edit the form");
    }
  }
  // Everything else is the IG assessment (§1.6) and the office-use block.
  if (IsIg(actor)) return Status::Ok();
  if (actor.role == Role::kInvestigatingOfficer && (field == "nhs_likelihood" || field == "nhs_impact" || field == "nhs_rationale")) {
    return Status::Ok();
  }
  return deny("may not edit the IG assessment");
}

void ApplyTransitionEffects(json* doc, IncidentStatus from, IncidentStatus to) {
  if (from == S::kAssessed && to == S::kUnderInvestigation) {
    doc->erase("dpo_ico_decision");
    doc->erase("dpo_ico_rationale");
  }
  (*doc)["status"] = std::string(Name(to));
}

}  // namespace sendguard::incident
