// SPDX-License-Identifier: Apache-2.0
// The letter to the people affected, in English and Welsh (see letters.h): the fixed wording
// of both languages lives here, the IG team's words come from `letter_draft`.
#include "sendguard/incident/letters.h"

#include <algorithm>

#include "sendguard/common/text.h"
#include "sendguard/incident/enums.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

struct Words {
  const char* title;
  const char* reference;
  const char* dear;
  const char* intro_person;
  const char* intro_representative;  // {role} {person}
  const char* parent;
  const char* guardian;
  const char* attorney;
  const char* deputy;
  const char* headings[5];  // kLetterParts' headings
  const char* contact_heading;
  const char* contact;      // {dpo} {how} {ref}
  const char* email_word;
  const char* phone_word;
  const char* complain_heading;
  const char* complain;
  const char* sign_off;
  const char* subject;
};

const Words kEnglish{
    "Your personal information: a data breach",
    "Our reference",
    "Dear",
    "We are writing to tell you about a data breach that involves your personal information. We are sorry that this "
    "has happened, and this letter explains what happened, what it could mean for you and what we have done about it.",
    "We are writing to you as {role} {person}, to tell you about a data breach that involves their personal "
    "information. We are sorry that this has happened, and this letter explains what happened, what it could mean and "
    "what we have done about it.",
    "the parent of",
    "the guardian of",
    "the attorney (under a lasting power of attorney) for",
    "the deputy appointed by the Court of Protection for",
    {"What happened", "What information was involved", "What this could mean", "What we have done",
     "What you can do"},
    "Who to contact",
    "Our Data Protection Officer, {dpo}, can answer your questions: {how}. Please quote our reference {ref}.",
    "email",
    "telephone",
    "Your right to complain",
    "If you are unhappy with how we have handled your information, you have the right to complain to the Information "
    "Commissioner's Office (ICO), the UK's independent regulator for data protection: ico.org.uk/make-a-complaint or "
    "0303\u00a0123\u00a01113.",
    "Yours sincerely",
    "Your personal information: a data breach"};

const Words kWelsh{
    "Eich gwybodaeth bersonol: tor data personol",
    "Ein cyfeirnod",
    "Annwyl",
    "Rydym yn ysgrifennu atoch i roi gwybod i chi am dor data sy'n ymwneud â'ch gwybodaeth bersonol. Mae'n ddrwg gennym "
    "fod hyn wedi digwydd. Mae'r llythyr hwn yn egluro beth ddigwyddodd, beth allai ei olygu i chi a beth rydym wedi'i "
    "wneud yn ei gylch.",
    "Rydym yn ysgrifennu atoch fel {role} {person}, i roi gwybod i chi am dor data sy'n ymwneud â'u gwybodaeth "
    "bersonol. Mae'n ddrwg gennym fod hyn wedi digwydd. Mae'r llythyr hwn yn egluro beth ddigwyddodd, beth allai ei "
    "olygu a beth rydym wedi'i wneud yn ei gylch.",
    "rhiant",
    "gwarcheidwad",
    "atwrnai (dan atwrneiaeth arhosol) ar gyfer",
    "dirprwy a benodwyd gan y Llys Gwarchod ar gyfer",
    {"Beth ddigwyddodd", "Pa wybodaeth oedd dan sylw", "Beth allai hyn ei olygu", "Beth rydym wedi'i wneud",
     "Beth allwch chi ei wneud"},
    "Gyda phwy i gysylltu",
    "Gall ein Swyddog Diogelu Data, {dpo}, ateb eich cwestiynau: {how}. Nodwch ein cyfeirnod {ref}.",
    "e-bost",
    "ffôn",
    "Eich hawl i gwyno",
    "Os ydych yn anhapus â'r ffordd rydym wedi trin eich gwybodaeth, mae gennych hawl i gwyno i Swyddfa'r Comisiynydd "
    "Gwybodaeth (ICO), rheoleiddiwr annibynnol y DU ar gyfer diogelu data: ico.org.uk/make-a-complaint neu "
    "0303\u00a0123\u00a01113.",
    "Yn gywir",
    "Eich gwybodaeth bersonol: tor data personol"};

const Words& WordsFor(const std::string& language) { return language == "cy" ? kWelsh : kEnglish; }

std::string Reference(const json& incident) {
  const std::string number = incident.value("incident_number", "");
  return number.empty() ? incident.value("incident_id", "").substr(0, 8) : number;
}

std::string LetterListed(const json& incident, const char* set, const char* other) {
  std::string out;
  for (const auto& v : incident.value(set, json::array())) {
    if (!v.is_string()) continue;
    const std::string item = v == "OTHER" ? incident.value(other, std::string("Other")) : Readable(v.get<std::string>());
    out += (out.empty() ? "" : "\n") + std::string("- ") + item;
  }
  return out;
}

json Prefill(const json& incident) {
  return {{"nature", incident.value("s5_what_happened", "")},
          {"data", LetterListed(incident, "s6_data_categories", "s6_other_text")},
          {"consequences", incident.value("s8_potential_consequences", "")},
          {"measures", incident.value("s9_actions_taken_or_proposed", "")},
          {"advice", ""}};
}

std::string RoleWords(const Words& w, const std::string& role) {
  if (role == "PARENT") return w.parent;
  if (role == "GUARDIAN") return w.guardian;
  if (role == "ATTORNEY") return w.attorney;
  return w.deputy;
}

}  // namespace

bool IsLetterLanguage(const std::string& language) { return language == "en" || language == "cy"; }

bool IsRepresentativeRole(const std::string& role) {
  return role.empty() || role == "PARENT" || role == "GUARDIAN" || role == "ATTORNEY" || role == "DEPUTY";
}

std::string LetterDate(Date d, const std::string& language) {
  static const char* kEn[] = {"January", "February", "March",     "April",   "May",      "June",
                              "July",    "August",   "September", "October", "November", "December"};
  static const char* kCy[] = {"Ionawr",     "Chwefror", "Mawrth", "Ebrill", "Mai",   "Mehefin",
                              "Gorffennaf", "Awst",     "Medi",   "Hydref", "Tachwedd", "Rhagfyr"};
  const unsigned month = static_cast<unsigned>(d.month()) - 1;
  return std::to_string(static_cast<unsigned>(d.day())) + " " + (language == "cy" ? kCy : kEn)[month] + " " +
         std::to_string(static_cast<int>(d.year()));
}

json LetterDraft(const json& incident, const Organisation& org, const std::string& language) {
  const json stored = incident.value("letter_draft", json::object()).value(language, json());
  json draft = Prefill(incident);
  draft["final"] = false;
  draft["saved"] = stored.is_object();
  if (stored.is_object()) {
    for (const char* part : kLetterParts) draft[part] = stored.value(part, "");
    draft["final"] = stored.value("final", false);
  }
  draft["language"] = language;
  json gaps = json::array();
  const bool cy = language == "cy";
  if (common::Trim(draft.value("nature", "")).empty()) gaps.push_back("Art 34(2): the nature of the breach (what happened) is empty");
  if (common::Trim(draft.value("consequences", "")).empty()) gaps.push_back("Art 34(2)(c): the likely consequences are empty");
  if (common::Trim(draft.value("measures", "")).empty()) gaps.push_back("Art 34(2)(d): the measures taken or proposed are empty");
  if (org.dpo_name.empty() || (org.dpo_email.empty() && org.dpo_phone.empty())) {
    gaps.push_back("Art 34(2)(b): the DPO's name and contact are not configured (dpo_contact in core.yaml)");
  }
  // The Welsh words start as the form's (English): saved unchanged, they are still English.
  if (cy) {
    const json english = Prefill(incident);
    bool copied = !stored.is_object();
    for (const char* part : kLetterParts) {
      const std::string text(common::Trim(draft.value(part, "")));
      if (!text.empty() && text == common::Trim(english.value(part, ""))) copied = true;
    }
    if (copied) gaps.push_back("the Welsh letter still holds the English words from the form: write them in Welsh and save");
  }
  draft["gaps"] = gaps;
  return draft;
}

print::Document BuildLetter(const json& incident, const Organisation& org, const std::string& language, const Addressee& to,
                            Instant now) {
  const Words& w = WordsFor(language);
  const json draft = LetterDraft(incident, org, language);
  const std::string ref = Reference(incident);
  print::Document d;
  d.language = language;
  d.title = w.title;
  d.footer = org.NameIn(language) + "  ·  " + w.reference + ": " + ref;
  std::string head = org.NameIn(language);
  if (!org.address.empty()) head += "\n" + org.address;
  d.Lines(head);
  std::string to_lines = to.name;
  if (!to.address.empty()) to_lines += "\n" + to.address;
  if (!common::Trim(to_lines).empty()) d.Lines(to_lines);
  d.Lines(LetterDate(LondonDate(now), language) + "\n" + w.reference + ": " + ref);
  d.Paragraph(std::string(w.dear) + " " + (to.name.empty() ? std::string(language == "cy" ? "Syr neu Fadam" : "Sir or Madam") : to.name) + ",");
  if (to.representative_role.empty()) {
    d.Paragraph(w.intro_person);
  } else {
    d.Paragraph(common::FillPlaceholders(w.intro_representative, {{"role", RoleWords(w, to.representative_role)}, {"person", to.person_name}}));
  }
  for (size_t i = 0; i < std::size(kLetterParts); ++i) {
    const std::string text = draft.value(kLetterParts[i], "");
    if (common::Trim(text).empty()) continue;
    d.Heading(w.headings[i]).Paragraph(text);
  }
  std::string how;
  if (!org.dpo_email.empty()) how += std::string(w.email_word) + " " + org.dpo_email;
  // A telephone number is not broken across lines: its spaces are no-break spaces.
  std::string phone;
  for (char c : org.dpo_phone) phone += c == ' ' ? std::string("\u00a0") : std::string(1, c);
  if (!org.dpo_phone.empty()) how += (how.empty() ? "" : ", ") + std::string(w.phone_word) + " " + phone;
  d.Heading(w.contact_heading)
      .Paragraph(common::FillPlaceholders(w.contact, {{"dpo", org.dpo_name}, {"how", how}, {"ref", ref}}));
  d.Heading(w.complain_heading).Paragraph(w.complain);
  d.Lines(std::string(w.sign_off) + ",\n\n" + org.NameIn(language));
  return d;
}

std::string LetterEmailSubject(const json& incident, const std::string& language) {
  return std::string(WordsFor(language).subject) + " (" + WordsFor(language).reference + ": " + Reference(incident) + ")";
}

std::string CheckLetterDraft(const json& value) {
  if (!value.is_object()) return "must be an object of languages (en, cy) -> {nature, data, consequences, measures, advice, final}";
  for (const auto& [language, draft] : value.items()) {
    if (!IsLetterLanguage(language)) return "'" + language + "' is not a letter language (en or cy)";
    if (!draft.is_object()) return language + ": must be an object";
    for (const auto& [key, text] : draft.items()) {
      if (key == "final") {
        if (!text.is_boolean()) return language + ".final must be true or false";
        continue;
      }
      if (std::find_if(std::begin(kLetterParts), std::end(kLetterParts), [name = std::string_view(key)](const char* p) { return name == p; }) ==
          std::end(kLetterParts)) {
        return language + "." + key + ": unknown part (nature, data, consequences, measures, advice, final)";
      }
      if (!text.is_string() || text.get<std::string>().size() > 8000 || !common::IsValidUtf8(text.get<std::string>())) {
        return language + "." + key + " must be UTF-8 text of at most 8000 bytes";
      }
    }
  }
  return "";
}

std::string CheckLettersSent(const json& value) {
  if (!value.is_array()) return "must be a list of {ref, language, channel, representative_role, sent_at, by, addressee_hash}";
  static const char* kKeys[] = {"ref", "language", "channel", "representative_role", "sent_at", "by", "addressee_hash"};
  for (const auto& l : value) {
    if (!l.is_object()) return "each letter must be an object";
    for (const auto& [key, v] : l.items()) {
      if (std::find_if(std::begin(kKeys), std::end(kKeys), [name = std::string_view(key)](const char* k) { return name == k; }) == std::end(kKeys)) {
        return "unknown letter field '" + key + "'";
      }
      if (key == "by") {
        if (!v.is_object() || !v.value("id", json()).is_string() || !v.value("name", json()).is_string() || v.size() != 2) {
          return "by is {id, name}: who recorded it";
        }
      } else if (!v.is_string()) {
        return key + " must be a string";
      }
    }
    for (const char* required : {"ref", "language", "channel", "sent_at", "by", "addressee_hash"}) {
      if (!l.contains(required)) return std::string("each letter needs ") + required;
    }
    if (!IsLetterLanguage(l["language"].get<std::string>())) return "each letter's language is en or cy";
    const std::string channel = l["channel"];
    if (channel != "POST" && channel != "EMAIL" && channel != "BY_HAND") return "each letter's channel is POST, EMAIL or BY_HAND";
    if (!IsRepresentativeRole(l.value("representative_role", ""))) return "representative_role is PARENT, GUARDIAN, ATTORNEY, DEPUTY or empty";
    if (!ParseInstant(l["sent_at"].get<std::string>()).ok()) return "each letter needs sent_at (an instant)";
    const std::string hash = l["addressee_hash"];
    if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return "addressee_hash is the 64 hex digits of the keyed hash of whom it went to";
    }
  }
  return "";
}

}  // namespace sendguard::incident
