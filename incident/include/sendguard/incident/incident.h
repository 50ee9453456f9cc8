// SPDX-License-Identifier: Apache-2.0
// The typed view of an incident that the derivations read (spec §1.2-§1.7), and the
// per-council configuration keys they depend on (§0.6). The full record, free text included,
// is a flat JSON document validated by fields.h; this struct holds what scoring, clocks and
// recommendations need.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/incident/enums.h"
#include "sendguard/incident/london_time.h"

namespace sendguard::incident {

struct CoreConfig {
  PrimaryMethod primary_method = PrimaryMethod::kNhsGrid;
  bool volume_additions_enabled = true;
  bool dspt_participant = false;
  bool autofile_near_miss_on_block = true;
  int triage_window_hours = 24;
  int ico_due_soon_hours = 24;
  int form_due_soon_hours = 4;
  bool dpo_contact_set = false;  // dpo_contact configured (Art 33(3)(b), §4.5)
  int report_percent_decimals = 0;
};

struct DpcRow {
  EnisaCategory category = EnisaCategory::kSimple;
  int adjustment = 0;
  std::string reason;
  bool credentials = false;  // the row scores data that leaked credentials open (§3.2, D10)
};

struct IcoSubmission {
  SubmissionType type = SubmissionType::kInitial;
  Instant submitted_at;
  std::string ico_reference;
  std::string delay_reasons;
  std::vector<std::string> to_follow;  // ico_package_missing items sent later (phased, §4.4)
};

struct Incident {
  // Header (§1.2).
  IncidentSource source = IncidentSource::kHumanReport;
  IncidentKind kind = IncidentKind::kUndetermined;
  IncidentStatus status = IncidentStatus::kDraft;
  std::optional<Instant> detected_at;
  std::optional<Instant> processor_notified_council_at;
  // When `kind` last left UNDETERMINED (from the audit log); stops the triage clock.
  std::optional<Instant> kind_set_at;

  // Breach form (§1.3) fields the derivations read.
  std::optional<LocalDateTime> s1_aware_local;
  std::optional<Date> s2_date_of_breach;
  std::string s2_directorate;
  std::string s2_service_area;
  YesNoUnknown s2_gdpr_training_last_year = YesNoUnknown::kUnknown;
  EnumSet<IncidentType> s4_types;
  std::string s4_other_text;
  YesNoUnknown s4_cyber_related = YesNoUnknown::kUnknown;
  std::string s5_what_happened;
  EnumSet<DataCategory> s6_data_categories;
  EnumSet<SubjectCategory> s7_subject_categories;
  std::optional<long long> s7_individuals_affected;
  std::string s8_potential_consequences;
  YesNoUnknown s8_actual_harm_occurred = YesNoUnknown::kUnknown;
  std::string s9_actions_taken_or_proposed;
  std::optional<Instant> form_completed_at;

  // IG assessment (§1.6).
  std::optional<RootCause> root_cause;
  std::optional<Channel> disclosure_channel;
  std::optional<IcoOutcome> ico_outcome;
  bool cia_set = false;  // cia_categories non-empty
  bool sf_vulnerable_children = false;
  bool sf_vulnerable_adults = false;
  bool sf_equality_act_characteristic = false;
  bool unintelligible_applies = false;
  YesNoUnknown key_compromised = YesNoUnknown::kUnknown;
  EnumSet<Containment> containment;
  std::optional<long long> records_affected;
  YesNoUnknown ict_asset_involved = YesNoUnknown::kUnknown;
  YesNoUnknown media_interest = YesNoUnknown::kUnknown;
  std::optional<int> nhs_likelihood;
  std::optional<int> nhs_impact;
  std::vector<DpcRow> enisa_dpc_rows;
  std::optional<EiLevel> enisa_ei;
  std::optional<CbConfidentiality> enisa_cb_confidentiality;
  std::optional<CbIntegrity> enisa_cb_integrity;
  std::optional<CbAvailability> enisa_cb_availability;
  std::optional<bool> enisa_cb_malicious;
  std::optional<Instant> aware_at;  // explicit; otherwise derived (§4.1)
  std::vector<IcoSubmission> ico_submissions;
  std::optional<IndividualsDecision> dpo_individuals_decision;
  std::optional<Instant> dpo_individuals_decided_at;
  bool ico_required_communication = false;
  bool exception_b_confirmed = false;
  bool exception_c_confirmed = false;
  std::optional<Instant> individuals_communicated_at;

  // Mail-filter evidence (§1.7) the suggestions read.
  std::optional<MailFilterAction> mf_action;
  std::map<std::string, uint64_t> mf_identifier_distinct;  // IdentifierType -> distinct count
  std::vector<std::string> mf_recipient_classes;           // INTERNAL, TRUSTED_PARTNER, EXTERNAL, ...
  bool mf_distribution_list_used = false;
  std::string mf_content_protection;
  std::optional<long long> mf_estimated_individuals;
  EnumSet<DataCategory> mf_data_categories;                // extension: what the findings imply
  EnumSet<SubjectCategory> mf_subject_categories;
};

}  // namespace sendguard::incident
