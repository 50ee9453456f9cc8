// SPDX-License-Identifier: Apache-2.0
// The assessment spec's enumerations (../shared/spec/assessment.md §1), with their names
// exactly as the spec spells them: the API, the store and `sendguard incidents score` all
// read and write these strings, so one table per enum serves every boundary.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sendguard::incident {

// EnumNames<E>::kNames lists the spec names in declaration order.
template <typename E>
struct EnumNames;

#define SENDGUARD_ENUM_NAMES(E, ...)                                      \
  template <>                                                             \
  struct EnumNames<E> {                                                   \
    static constexpr std::string_view kType = #E;                         \
    static constexpr auto kNames = std::to_array<std::string_view>({__VA_ARGS__}); \
  }

template <typename E>
std::string_view Name(E e) {
  return EnumNames<E>::kNames[static_cast<size_t>(e)];
}
template <typename E>
std::optional<E> Parse(std::string_view text) {
  const auto& names = EnumNames<E>::kNames;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}
// "A, B or C": for error messages that say what was allowed.
template <typename E>
std::string AllowedNames() {
  std::string out;
  const auto& names = EnumNames<E>::kNames;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// A set of enumerators (the form's tick-lists), as a bitset.
template <typename E>
class EnumSet {
 public:
  EnumSet() = default;
  EnumSet(std::initializer_list<E> items) {
    for (E e : items) Add(e);
  }
  void Add(E e) { bits_ |= Bit(e); }
  bool Has(E e) const { return (bits_ & Bit(e)) != 0; }
  bool HasAny(std::initializer_list<E> items) const {
    for (E e : items) {
      if (Has(e)) return true;
    }
    return false;
  }
  bool empty() const { return bits_ == 0; }
  size_t size() const { return static_cast<size_t>(__builtin_popcountll(bits_)); }
  template <typename F>
  void ForEach(F f) const {
    for (size_t i = 0; i < EnumNames<E>::kNames.size(); ++i) {
      if (bits_ & (uint64_t{1} << i)) f(static_cast<E>(i));
    }
  }
  bool operator==(const EnumSet&) const = default;

 private:
  static uint64_t Bit(E e) { return uint64_t{1} << static_cast<unsigned>(e); }
  uint64_t bits_ = 0;
};

enum class YesNo { kYes, kNo };
SENDGUARD_ENUM_NAMES(YesNo, "YES", "NO");
enum class YesNoUnknown { kYes, kNo, kUnknown };
SENDGUARD_ENUM_NAMES(YesNoUnknown, "YES", "NO", "UNKNOWN");

enum class IncidentSource { kHumanReport, kMailFilter, kProcessorNotification, kMemberOfPublic, kOther };
SENDGUARD_ENUM_NAMES(IncidentSource, "HUMAN_REPORT", "MAIL_FILTER", "PROCESSOR_NOTIFICATION", "MEMBER_OF_PUBLIC",
                     "OTHER");

enum class IncidentKind { kUndetermined, kNearMiss, kBreach, kNotABreach };
SENDGUARD_ENUM_NAMES(IncidentKind, "UNDETERMINED", "NEAR_MISS", "BREACH", "NOT_A_BREACH");

enum class IncidentStatus { kDraft, kUnderInvestigation, kAssessed, kReportedToIco, kNotReportable, kClosed };
SENDGUARD_ENUM_NAMES(IncidentStatus, "DRAFT", "UNDER_INVESTIGATION", "ASSESSED", "REPORTED_TO_ICO", "NOT_REPORTABLE",
                     "CLOSED");

// §1.5.1, T01..T16.
enum class IncidentType {
  kIncorrectRecipient, kDataCorruption, kDataDeletedOrAmended, kLackOfChecksBeforeDisclosure, kLostInformation,
  kSystemMisuseDisruption, kUnauthorisedAccess, kInappropriateDataHeld, kSystemConfigurationError, kPasswordSharing,
  kCyberIncident, kDataNotUpdated, kInsecureLocation, kDisclosedOnline, kMisuseOfData, kOther
};
SENDGUARD_ENUM_NAMES(IncidentType, "INCORRECT_RECIPIENT", "DATA_CORRUPTION", "DATA_DELETED_OR_AMENDED",
                     "LACK_OF_CHECKS_BEFORE_DISCLOSURE", "LOST_INFORMATION", "SYSTEM_MISUSE_DISRUPTION",
                     "UNAUTHORISED_ACCESS", "INAPPROPRIATE_DATA_HELD", "SYSTEM_CONFIGURATION_ERROR", "PASSWORD_SHARING",
                     "CYBER_INCIDENT", "DATA_NOT_UPDATED", "INSECURE_LOCATION", "DISCLOSED_ONLINE", "MISUSE_OF_DATA",
                     "OTHER");

// §1.5.2, D01..D16.
enum class DataCategory {
  kRacialEthnicOrigin, kPoliticalOpinions, kReligiousPhilosophicalBeliefs, kTradeUnionMembership, kSexLife,
  kSexualOrientation, kGenderReassignment, kHealth, kBasicIdentifiers, kIdentificationData, kEconomicFinancial,
  kOfficialDocuments, kLocation, kGeneticBiometric, kCriminalConvictions, kOther
};
SENDGUARD_ENUM_NAMES(DataCategory, "RACIAL_ETHNIC_ORIGIN", "POLITICAL_OPINIONS", "RELIGIOUS_PHILOSOPHICAL_BELIEFS",
                     "TRADE_UNION_MEMBERSHIP", "SEX_LIFE", "SEXUAL_ORIENTATION", "GENDER_REASSIGNMENT", "HEALTH",
                     "BASIC_IDENTIFIERS", "IDENTIFICATION_DATA", "ECONOMIC_FINANCIAL", "OFFICIAL_DOCUMENTS", "LOCATION",
                     "GENETIC_BIOMETRIC", "CRIMINAL_CONVICTIONS", "OTHER");

// §1.5.3, S01..S09.
enum class SubjectCategory {
  kEmployees, kUsers, kSubscribers, kPupilsStudents, kCustomers, kPatients, kChildren, kVulnerableAdults, kOther
};
SENDGUARD_ENUM_NAMES(SubjectCategory, "EMPLOYEES", "USERS", "SUBSCRIBERS", "PUPILS_STUDENTS", "CUSTOMERS", "PATIENTS",
                     "CHILDREN", "VULNERABLE_ADULTS", "OTHER");

enum class Containment { kRecoveredOrDestroyedConfirmed, kRecoveredFromTrustedPartner, kEffectNullified,
                         kRestoredFromBackup };
SENDGUARD_ENUM_NAMES(Containment, "RECOVERED_OR_DESTROYED_CONFIRMED", "RECOVERED_FROM_TRUSTED_PARTNER",
                     "EFFECT_NULLIFIED", "RESTORED_FROM_BACKUP");

// §3.2-3.4.
enum class EnisaCategory { kSimple, kBehavioural, kFinancial, kSensitive };
SENDGUARD_ENUM_NAMES(EnisaCategory, "SIMPLE", "BEHAVIOURAL", "FINANCIAL", "SENSITIVE");
enum class EiLevel { kNegligible, kLimited, kSignificant, kMaximum };
SENDGUARD_ENUM_NAMES(EiLevel, "NEGLIGIBLE", "LIMITED", "SIGNIFICANT", "MAXIMUM");
enum class CbConfidentiality { kNoneEvidenced, kKnownRecipients, kUnknownRecipients };
SENDGUARD_ENUM_NAMES(CbConfidentiality, "NONE_EVIDENCED", "KNOWN_RECIPIENTS", "UNKNOWN_RECIPIENTS");
enum class CbIntegrity { kNoneEvidenced, kRecoverable, kNotRecoverable };
SENDGUARD_ENUM_NAMES(CbIntegrity, "NONE_EVIDENCED", "RECOVERABLE", "NOT_RECOVERABLE");
enum class CbAvailability { kRecoverableWithoutDifficulty, kTemporary, kPermanent };
SENDGUARD_ENUM_NAMES(CbAvailability, "RECOVERABLE_WITHOUT_DIFFICULTY", "TEMPORARY", "PERMANENT");
enum class SeverityBand { kLow, kMedium, kHigh, kVeryHigh };
SENDGUARD_ENUM_NAMES(SeverityBand, "LOW", "MEDIUM", "HIGH", "VERY_HIGH");

// §2.5.
enum class NhsRegion { kNoImpactOccurred, kImpactUnlikely, kReportableIco, kReportableIcoDhsc };
SENDGUARD_ENUM_NAMES(NhsRegion, "NO_IMPACT_OCCURRED", "IMPACT_UNLIKELY", "REPORTABLE_ICO", "REPORTABLE_ICO_DHSC");

// §3.9-3.10.
enum class Recommendation { kReport, kDpoReviewExemption, kDpoReview, kNotReportable };
SENDGUARD_ENUM_NAMES(Recommendation, "REPORT", "DPO_REVIEW_EXEMPTION", "DPO_REVIEW", "NOT_REPORTABLE");
enum class PrimaryMethod { kNhsGrid, kEnisaStroud };
SENDGUARD_ENUM_NAMES(PrimaryMethod, "NHS_GRID", "ENISA_STROUD");

// §5.
enum class IndividualsDecision { kCommunicateDirectly, kPublicCommunication, kNotRequiredNoHighRisk,
                                 kNotRequiredExceptionA, kNotRequiredExceptionB, kNotInformedOtherGrounds };
SENDGUARD_ENUM_NAMES(IndividualsDecision, "COMMUNICATE_DIRECTLY", "PUBLIC_COMMUNICATION", "NOT_REQUIRED_NO_HIGH_RISK",
                     "NOT_REQUIRED_EXCEPTION_A", "NOT_REQUIRED_EXCEPTION_B", "NOT_INFORMED_OTHER_GROUNDS");
enum class Art34Recommendation { kCommunicateDirectly, kPublicCommunication, kExemptTechnicalMeasures,
                                 kExemptSubsequentMeasures, kDpoDecisionRequired, kNotRequired };
SENDGUARD_ENUM_NAMES(Art34Recommendation, "COMMUNICATE_DIRECTLY", "PUBLIC_COMMUNICATION", "EXEMPT_TECHNICAL_MEASURES",
                     "EXEMPT_SUBSEQUENT_MEASURES", "DPO_DECISION_REQUIRED", "NOT_REQUIRED");
enum class HighRisk { kHighRisk, kPossible, kNo };
SENDGUARD_ENUM_NAMES(HighRisk, "HIGH_RISK", "POSSIBLE", "NO");

// §1.6.
enum class RootCause { kHumanError, kNonComplianceWithPolicy, kUnauthorisedAccess, kTechnicalOrSystemFailure,
                       kCyberAttack, kTheft, kOther };
SENDGUARD_ENUM_NAMES(RootCause, "HUMAN_ERROR", "NON_COMPLIANCE_WITH_POLICY", "UNAUTHORISED_ACCESS",
                     "TECHNICAL_OR_SYSTEM_FAILURE", "CYBER_ATTACK", "THEFT", "OTHER");
enum class Channel { kEmail, kPost, kVerbal, kOnlinePublication, kSystemShare, kOther };
SENDGUARD_ENUM_NAMES(Channel, "EMAIL", "POST", "VERBAL", "ONLINE_PUBLICATION", "SYSTEM_SHARE", "OTHER");
enum class ActorType { kCouncilEmployee, kSecondedOrTemporaryStaff, kCouncillor, kVolunteer, kContractorOrProcessor,
                       kExternalThirdParty, kUnknown };
SENDGUARD_ENUM_NAMES(ActorType, "COUNCIL_EMPLOYEE", "SECONDED_OR_TEMPORARY_STAFF", "COUNCILLOR", "VOLUNTEER",
                     "CONTRACTOR_OR_PROCESSOR", "EXTERNAL_THIRD_PARTY", "UNKNOWN");
enum class Behaviour { kAccidental, kReckless, kDeliberate, kUnknown };
SENDGUARD_ENUM_NAMES(Behaviour, "ACCIDENTAL", "RECKLESS", "DELIBERATE", "UNKNOWN");
enum class IcoDecision { kReport, kDoNotReport };
SENDGUARD_ENUM_NAMES(IcoDecision, "REPORT", "DO_NOT_REPORT");
enum class SubmissionType { kInitial, kFollowUp };
SENDGUARD_ENUM_NAMES(SubmissionType, "INITIAL", "FOLLOW_UP");
enum class IcoOutcome { kAwaiting, kNoFurtherAction, kAdviceOrRecommendations, kReprimand, kEnforcementNotice,
                        kMonetaryPenalty, kOther };
SENDGUARD_ENUM_NAMES(IcoOutcome, "AWAITING", "NO_FURTHER_ACTION", "ADVICE_OR_RECOMMENDATIONS", "REPRIMAND",
                     "ENFORCEMENT_NOTICE", "MONETARY_PENALTY", "OTHER");
enum class MailFilterAction { kBlocked, kWarnedUserCancelled, kWarnedUserOverrode, kAuditOnly };
SENDGUARD_ENUM_NAMES(MailFilterAction, "BLOCKED", "WARNED_USER_CANCELLED", "WARNED_USER_OVERRODE", "AUDIT_ONLY");

// §4.2.
enum class ClockState { kNotStarted, kRunning, kDueSoon, kOverdue, kMet, kMissed, kClosedNotReported };
SENDGUARD_ENUM_NAMES(ClockState, "NOT_STARTED", "RUNNING", "DUE_SOON", "OVERDUE", "MET", "MISSED",
                     "CLOSED_NOT_REPORTED");

// An enum name in words: "UNKNOWN_RECIPIENTS" -> "Unknown recipients".
std::string Readable(std::string_view name);

}  // namespace sendguard::incident
