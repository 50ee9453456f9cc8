// SPDX-License-Identifier: Apache-2.0
// Letters, the ICO report and the subject access search over the API (see outputs_api.h).
#include "outputs_api.h"

#include <mutex>

#include "case_scope.h"

#include "sendguard/common/http_client.h"
#include "sendguard/common/text.h"
#include "sendguard/incident/ico_report.h"
#include "sendguard/incident/letters.h"
#include "sendguard/print/printable.h"

namespace sendguard::incident {
namespace {

using common::HttpRequest;
using common::HttpResponse;
using nlohmann::json;

bool IsIgTeam(const Caller& caller) {
  return caller.scope == Caller::Scope::kFull && (caller.actor.role == Role::kIgOfficer || caller.actor.role == Role::kDpo);
}

// A document as the answer: PDF or HTML as a download named after the incident, or plain text.
HttpResponse Document(const print::Document& doc, const std::string& format, const std::string& name) {
  HttpResponse r;
  r.headers = {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}};
  if (format == "pdf") {
    auto pdf = print::ToPdf(doc);
    if (!pdf.ok()) return ApiError(500, "", pdf.status().message());
    r.content_type = "application/pdf";
    r.body = std::move(*pdf);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".pdf\"");
  } else if (format == "html") {
    r.content_type = "text/html; charset=utf-8";
    r.body = print::ToHtml(doc);
    r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".html\"");
  } else {
    r.content_type = "text/plain; charset=utf-8";
    r.body = print::ToText(doc);
  }
  return r;
}

// A safe file name from an incident reference (letters, digits, '-').
std::string FileName(const std::string& prefix, const json& incident) {
  std::string ref = incident.value("incident_number", "");
  if (ref.empty()) ref = incident.value("incident_id", "").substr(0, 8);
  std::string out = prefix;
  for (char c : ref) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return out;
}

std::string Text(const json& body, const char* key) {
  const json v = body.value(key, json());
  return v.is_string() ? v.get<std::string>() : "";
}

HttpResponse IcoReportAnswer(IncidentService& service, const ApiSettings& settings, const std::string& id, const HttpRequest& req) {
  if (req.method != "GET") return ApiError(405, "", "use GET");
  const std::string layout = req.Query("layout").empty() ? "ico" : req.Query("layout");
  if (layout != "ico" && layout != "dspt") return ApiError(400, "layout", "must be ico or dspt");
  const std::string format = req.Query("format").empty() ? "json" : req.Query("format");
  if (format != "json" && format != "html" && format != "pdf" && format != "text") return ApiError(400, "format", "must be json, html, pdf or text");
  auto shown = service.Show(id);
  if (!shown.ok()) return ApiAnswer(shown);
  const json report = IcoReport(*shown.value, settings.organisation, layout, NowUtc());
  if (format == "json") return ApiJson(200, report);
  return Document(IcoReportDocument(report), format, FileName(layout == "dspt" ? "dspt-report-" : "ico-report-", (*shown.value)["incident"]));
}

HttpResponse LetterDraftAnswer(IncidentService& service, const ApiSettings& settings, const std::string& id, const HttpRequest& req) {
  if (req.method != "GET") return ApiError(405, "", "use GET");
  const std::string language = req.Query("language").empty() ? settings.letter_language : req.Query("language");
  if (!IsLetterLanguage(language)) return ApiError(400, "language", "must be en or cy");
  auto shown = service.Show(id);
  if (!shown.ok()) return ApiAnswer(shown);
  return ApiJson(200, LetterDraft((*shown.value)["incident"], settings.organisation, language));
}

// POST .../letter {language, format, addressee: {name, address, email}, representative_role,
// person_name, record}: `record` "" previews (a draft may be previewed), POST or BY_HAND
// produces the final letter and records it, EMAIL sends the email version and records it.
HttpResponse LetterAnswer(IncidentService& service, const ApiSettings& settings, const Caller& caller, const std::string& id,
                          const HttpRequest& req) {
  if (req.method != "POST") return ApiError(405, "", "use POST");
  HttpResponse refusal;
  const auto parsed = ApiBody(req, &refusal);
  if (!parsed) return refusal;
  const json& body = *parsed;
  for (const auto& [key, v] : body.items()) {
    static const char* kKeys[] = {"language", "format", "addressee", "representative_role", "person_name", "record"};
    if (std::find_if(std::begin(kKeys), std::end(kKeys), [name = std::string_view(key)](const char* k) { return name == k; }) == std::end(kKeys)) {
      return ApiError(400, key, "unknown field");
    }
    if (key != "addressee" && !v.is_string()) return ApiError(400, key, "must be a string");
  }
  const std::string language = Text(body, "language").empty() ? settings.letter_language : Text(body, "language");
  if (!IsLetterLanguage(language)) return ApiError(400, "language", "must be en or cy");
  const std::string format = Text(body, "format").empty() ? "pdf" : Text(body, "format");
  if (format != "pdf" && format != "html" && format != "text") return ApiError(400, "format", "must be pdf, html or text");
  const std::string record = Text(body, "record");
  if (!record.empty() && record != "POST" && record != "BY_HAND" && record != "EMAIL") {
    return ApiError(400, "record", "must be empty (a preview), POST, BY_HAND or EMAIL");
  }
  static const json kNoAddressee = json::object();
  const json& a = body.contains("addressee") ? body["addressee"] : kNoAddressee;
  if (!a.is_object()) return ApiError(400, "addressee", "must be an object {name, address, email}");
  for (const auto& [key, v] : a.items()) {
    if (key != "name" && key != "address" && key != "email") return ApiError(400, "addressee." + key, "unknown field");
    if (!v.is_string() || v.get<std::string>().size() > 2000 || !common::IsValidUtf8(v.get<std::string>())) {
      return ApiError(400, "addressee." + key, "must be UTF-8 text of at most 2000 bytes");
    }
    // Control characters: none in a name or an email address; line breaks only between address lines.
    for (unsigned char c : v.get<std::string>()) {
      if ((c < 0x20 && !(key == "address" && (c == '\n' || c == '\r'))) || c == 0x7f) {
        return ApiError(400, "addressee." + key, "must not hold control characters");
      }
    }
  }
  Addressee to{Text(a, "name"), Text(a, "address"), common::AsciiLower(std::string(common::Trim(Text(a, "email")))),
               Text(body, "representative_role"), Text(body, "person_name")};
  if (to.person_name.size() > 2000 || !common::IsValidUtf8(to.person_name)) {
    return ApiError(400, "person_name", "must be UTF-8 text of at most 2000 bytes");
  }
  if (!IsRepresentativeRole(to.representative_role)) return ApiError(400, "representative_role", "must be PARENT, GUARDIAN, ATTORNEY, DEPUTY or empty");
  if (!to.representative_role.empty() && common::Trim(to.person_name).empty()) {
    return ApiError(400, "person_name", "a letter to a representative names the person they represent");
  }
  auto shown = service.Show(id);
  if (!shown.ok()) return ApiAnswer(shown);
  const json& incident = (*shown.value)["incident"];
  const json draft = LetterDraft(incident, settings.organisation, language);
  print::Document letter = BuildLetter(incident, settings.organisation, language, to, NowUtc());
  if (record.empty()) {
    // A preview is never the letter to send: marked as a draft, or as a preview that was not recorded.
    const bool cy = language == "cy";
    letter.title = (draft.value("final", false) ? (cy ? "RHAGOLWG (heb ei gofnodi) – " : "PREVIEW (not recorded) – ")
                                                : (cy ? "DRAFFT – " : "DRAFT – ")) + letter.title;
    return Document(letter, format, FileName("letter-", incident));
  }
  if (!draft.value("final", false)) {
    return ApiError(409, "letter_draft", std::string("the ") + (language == "cy" ? "Welsh" : "English") +
                                             " letter is not final yet: check its words and mark it final first");
  }
  // Letters follow the DPO's decision to tell the people affected directly (spec §5).
  if (incident.value("dpo_individuals_decision", "") != "COMMUNICATE_DIRECTLY") {
    return ApiError(409, "dpo_individuals_decision",
                    "the DPO has not decided to tell the people affected directly: a letter can be previewed, not sent");
  }
  if (!settings.hasher) return ApiError(503, "", "no deployment secret: whom a letter went to cannot be recorded");
  if (record == "POST" && (common::Trim(to.name).empty() || common::Trim(to.address).empty())) {
    return ApiError(400, "addressee", "a letter to post needs the name and the postal address");
  }
  if (record == "BY_HAND" && common::Trim(to.name).empty()) return ApiError(400, "addressee.name", "a letter handed over needs the name");
  if (record == "EMAIL") {
    if (to.email.empty()) return ApiError(400, "addressee.email", "the email version needs the person's email address");
    if (!settings.email || settings.email->smtp_url.empty()) return ApiError(503, "", "no email is configured (notifications.email.smtp_url)");
  }
  // One letter at a time in this process: the email goes, then it is recorded (the record
  // retries its own write if the case changed meanwhile, so what was sent is on the case).
  static std::mutex sending;
  std::lock_guard lock(sending);
  if (record == "EMAIL") {
    const Status sent = SendPlainEmail(*settings.email, to.email, LetterEmailSubject(incident, language), print::ToText(letter), NowUtc());
    if (!sent.ok()) {
      return ApiError(sent.code() == StatusCode::kInvalidArgument ? 400 : 502, "addressee.email", "the email was not sent: " + sent.message());
    }
  }
  const json entry{{"language", language},
                   {"channel", record},
                   {"representative_role", to.representative_role},
                   // Whom it went to, as sent: the email address for the email version, else the
                   // postal address (or, handed over with none, the name).
                   {"addressee_hash", AddresseeHash(*settings.hasher, record == "EMAIL" ? to.email : "",
                                                    common::Trim(to.address).empty() ? to.name : to.address)}};
  const std::string how = record == "EMAIL" ? "emailed" : record == "POST" ? "posted" : "handed over";
  auto saved = service.RecordLetter(id, entry, caller.actor, "letter " + how);
  if (!saved.ok() || record == "EMAIL") return ApiAnswer(saved);
  const json& recorded = (*saved.value)["incident"]["letters_sent"];
  const std::string ref = recorded.empty() ? "" : recorded.back().value("ref", "");
  HttpResponse r = Document(letter, format, FileName("letter-", incident) + "-" + ref);
  r.headers.emplace_back("X-Sendguard-Letter", ref);
  return r;
}

}  // namespace

namespace {
std::string AddresseeText(const std::string& email, const std::string& postal) {
  if (!common::Trim(email).empty()) return "addressee:" + common::AsciiLower(std::string(common::Trim(email)));
  return "addressee:" + common::FoldAddress(postal);
}
}  // namespace

std::string AddresseeHash(const common::KeyedHasher& hasher, const std::string& email, const std::string& postal) {
  return hasher.Hex(AddresseeText(email, postal));
}

std::vector<std::string> AddresseeHashes(const common::KeyedHasher& hasher, const std::string& email, const std::string& postal) {
  return hasher.HexEachKey(AddresseeText(email, postal));
}

std::optional<HttpResponse> ServeIncidentOutput(IncidentService& service, const ApiSettings& settings, const Caller& caller,
                                                const std::string& id, const std::string& action, const HttpRequest& req) {
  if (action == "ico-report") return IcoReportAnswer(service, settings, id, req);
  if (action != "letter" && action != "letter-draft") return std::nullopt;
  // Letters name people outside the council: the IG team and the DPO produce them.
  if (!IsIgTeam(caller)) return ApiError(403, "authorization", "letters to the people affected are the IG team's and the DPO's");
  if (action == "letter-draft") return LetterDraftAnswer(service, settings, id, req);
  return LetterAnswer(service, settings, caller, id, req);
}

HttpResponse SubjectAccessSearch(IncidentService& service, const ApiSettings& settings, const Caller& caller, const HttpRequest& req) {
  if (req.method != "POST") return ApiError(405, "", "use POST (the address stays out of URLs and logs)");
  if (!IsIgTeam(caller)) return ApiError(403, "authorization", "the subject access search is the IG team's and the DPO's");
  HttpResponse refusal;
  const auto body = ApiBody(req, &refusal);
  if (!body) return refusal;
  if (!body->contains("address") || !(*body)["address"].is_string()) {
    return ApiError(400, "address", "the email or postal address to search for is required");
  }
  const std::string address(common::Trim((*body)["address"].get<std::string>()));
  if (address.size() < 5 || address.size() > 2000) return ApiError(400, "address", "must be 5 to 2000 characters");
  std::vector<std::string> hashes;
  if (settings.hasher) {
    // Letters hashed under any key of the secret's ring: those sent before a rotation too.
    hashes = AddresseeHashes(*settings.hasher, address.find('@') != std::string::npos ? address : "", address);
  }
  auto found = service.SubjectAccess(address, hashes);
  if (!found.ok()) return ApiAnswer(found);
  // Need to know: an IG officer limited to some directorates searches only the cases they may see.
  json visible = json::array();
  for (const auto& item : *found.value) {
    if (LimitedToSomeCases(caller)) {
      auto shown = service.Show(item.value("incident_id", ""));
      if (!shown.ok() || !HiddenReason(caller, *shown.value).empty()) continue;
    }
    visible.push_back(item);
  }
  json answer{{"incidents", visible}, {"searched", "incident documents, their audit trails, letters sent (keyed hash)"}};
  // The mail filter's records (scan records and recipient history, kept as keyed hashes), for an
  // email address, when a mail filter is configured. Whole-organisation data: not for a caller
  // limited to some cases.
  if (address.find('@') != std::string::npos && settings.desk.enabled() && !LimitedToSomeCases(caller)) {
    common::HttpCallResult r = settings.desk.Call("POST", "/subject-access", json{{"address", address}}.dump(), 10000);
    const json mail = json::parse(r.body, nullptr, false);
    if (r.status == 200 && mail.is_object()) {
      answer["mail_filter"] = mail;
      answer["searched"] = answer["searched"].get<std::string>() + "; the mail filter's scan records and recipient history (keyed hash)";
    } else {
      answer["mail_filter_error"] = "the mail filter did not answer (" + (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error) + ")";
    }
  }
  return ApiJson(200, answer);
}

}  // namespace sendguard::incident
