// SPDX-License-Identifier: Apache-2.0
// Council-like synthetic emails carrying planted identifiers and hard negatives (see synth.h).
#include <cstdio>
#include <functional>

#include "sendguard/synth/synth.h"

namespace sendguard::synth {

namespace {

const std::vector<std::string> kNames = {"Alex Morgan", "Sam Okafor", "Priya Shah", "Tom Hughes", "Megan Price",
                                         "Jordan Lee", "Chris Evans", "Fatima Begum", "Owen Davies", "Ruth Clarke"};
const std::vector<std::string> kFiller = {
    "Thanks for your time on the call this morning.",
    "Please see the notes from Tuesday's team meeting below.",
    "The panel meets again on the 14th in committee room 2.",
    "Could you confirm whether the budget line has been approved?",
    "The contractor will be on site between 9am and 4pm.",
    "I have attached the draft agenda for review.",
    "Let me know if anything here needs changing before Friday.",
    "The service review is due at the end of the quarter.",
    "Parking permits for the new depot will be issued next week.",
    "Kind regards, and thanks again for your help."};

struct Context {
  std::string type;
  std::function<std::pair<std::string, std::string>(Rng&)> make;  // (text, normalised)
};

// Every way a value of each type is written in the corpus: with a keyword, or in its
// distinctive layout. Each yields a finding at medium or above.
std::vector<Context> Contexts() {
  return {
      {"uk.nhs_number", [](Rng& r) { auto v = NhsNumber(r); return std::pair{"NHS number: " + Grouped(v, {3, 3, 4}, ' '), v}; }},
      {"uk.nhs_number", [](Rng& r) { auto v = NhsNumber(r); return std::pair{"the patient (NHS No " + v + ") was discharged", v}; }},
      {"uk.nhs_number", [](Rng& r) { auto v = NhsNumber(r); return std::pair{"Please update the record for " + Grouped(v, {3, 3, 4}, '-') + " today.", v}; }},
      {"uk.chi_number", [](Rng& r) { auto v = ChiNumber(r); return std::pair{"CHI number " + v + " (Scotland)", v}; }},
      {"uk.nino", [](Rng& r) { auto v = Nino(r); return std::pair{"National Insurance number " + v.substr(0, 2) + " " + Grouped(v.substr(2, 6), {2, 2, 2}, ' ') + " " + v.substr(8), v}; }},
      {"uk.nino", [](Rng& r) { auto v = Nino(r); return std::pair{"NI number: " + v, v}; }},
      {"pci.card", [](Rng& r) {
         auto v = CardNumber(r);
         std::string shown = v.size() == 15 ? Grouped(v, {4, 6, 5}, ' ') : Grouped(v, {4, 4, 4, 4}, ' ');
         return std::pair{"Card used for the deposit: " + shown + ", expiry 09/29", v}; }},
      {"pci.card", [](Rng& r) { auto v = CardNumber(r); return std::pair{"visa/mastercard long number " + v, v}; }},
      {"iban", [](Rng& r) { auto v = GbIban(r); return std::pair{"Refund to IBAN " + Grouped(v, {4, 4, 4, 4, 4, 2}, ' '), v}; }},
      {"iban", [](Rng& r) { auto v = GbIban(r); return std::pair{"Payee " + v + " confirmed", v}; }},
      {"uk.bank_account", [](Rng& r) {
         auto s = SortCode(r), a = AccountNumber(r);
         return std::pair{"Bank details: sort code " + Grouped(s, {2, 2, 2}, '-') + ", account number " + a, s + ":" + a}; }},
      {"uk.passport", [](Rng& r) { auto v = Passport(r); return std::pair{"Passport number " + v + " was seen at the interview", v}; }},
      {"uk.driving_licence", [](Rng& r) { auto v = DrivingLicence(r); return std::pair{"Driving licence " + v, v}; }},
      {"uk.upn", [](Rng& r) { auto v = Upn(r); return std::pair{"Pupil UPN " + v + " moved school in September", v}; }},
  };
}

// Sentences with hard negatives: numbers that must not be reported at medium or above.
std::string HardNegative(Rng& r) {
  switch (r.Between(0, 7)) {
    case 0: return "Tel: " + UkPhone(r) + " (reception)";
    case 1: return "Order no. " + OrderNumber(r) + " was dispatched.";
    case 2: return "Meeting on " + std::to_string(r.Between(1, 28)) + "/" + std::to_string(r.Between(1, 12)) + "/2024 at 10:00.";
    case 3: return "Ticket " + NhsFailingMod11(r) + " is closed.";
    case 4: return "Ref " + Grouped(CardFailingLuhn(r), {4, 4, 4, 4}, ' ') + " in the finance system.";
    case 5: return "Document id " + Uuid(r) + " in SharePoint.";
    case 6: return "See https://intranet.example.gov.uk/items/" + r.Digits(10) + " for details.";
    default: return "Invoice " + r.Digits(8) + " dated " + std::to_string(r.Between(1, 28)) + "-03-2024.";
  }
}

std::string Headers(Rng& r, int n, const std::string& subject) {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "From: %s <staff%d@council.example.gov.uk>\r\nTo: team%d@partner.example.org\r\n"
                "Subject: %s\r\nDate: Tue, 04 Jun 2024 10:%02d:00 +0100\r\nMessage-ID: <%s.%d@council.example.gov.uk>\r\n"
                "MIME-Version: 1.0\r\n",
                kNames[static_cast<size_t>(n) % kNames.size()].c_str(), n, n % 7, subject.c_str(), n % 60,
                r.Digits(16).c_str(), n);
  return buf;
}

}  // namespace

std::vector<SyntheticMessage> MakeCorpus(uint64_t seed, int count, double sensitive_share) {
  Rng r(seed);
  auto contexts = Contexts();
  std::vector<SyntheticMessage> corpus;
  for (int n = 0; n < count; ++n) {
    SyntheticMessage m;
    bool sensitive = r.Chance(sensitive_share);
    std::string body;
    for (int k = r.Between(1, 3); k > 0; --k) body += r.Pick(kFiller) + " " + HardNegative(r) + "\r\n";
    std::string csv;
    if (sensitive) {
      for (int k = r.Between(1, 4); k > 0; --k) {
        const Context& c = r.Pick(contexts);
        auto [text, value] = c.make(r);
        m.planted.push_back({c.type, value});
        body += r.Pick(kFiller) + " " + text + "\r\n" + HardNegative(r) + "\r\n";
      }
      if (r.Chance(0.3)) {  // a CSV export: a column of NHS numbers with no keyword near most of them
        csv = "name,nhs,ward\r\n";
        for (int k = 0; k < 5; ++k) {
          auto v = NhsNumber(r);
          m.planted.push_back({"uk.nhs_number", v});
          csv += r.Pick(kNames) + "," + v + ",Ward " + std::to_string(k + 1) + "\r\n";
        }
      }
    }
    body += r.Pick(kFiller) + "\r\n";
    std::string subject = sensitive ? "Case update" : "Team update";
    int shape = r.Between(0, 2);
    if (!csv.empty() || shape == 2) {
      std::string b = "=_sg_" + r.Digits(12);
      m.raw = Headers(r, n, subject) + "Content-Type: multipart/mixed; boundary=\"" + b + "\"\r\n\r\n" +
              "--" + b + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
              Base64(body) + "--" + b + "\r\n";
      if (!csv.empty()) {
        m.raw += "Content-Type: text/csv; name=\"export.csv\"\r\nContent-Disposition: attachment; filename=\"export.csv\"\r\n\r\n" +
                 csv + "--" + b + "\r\n";
      } else {
        m.raw += "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><table><tr><td>" + r.Digits(4) +
                 "</td><td>" + r.Digits(6) + "</td></tr></table><p>" + r.Pick(kFiller) + "</p></body></html>\r\n--" + b + "\r\n";
      }
      m.raw.resize(m.raw.size() - 2);
      m.raw += "--\r\n";
    } else if (shape == 1) {
      std::string html = "<html><body><p>" + body + "</p></body></html>";
      for (size_t p; (p = html.find("\r\n")) != std::string::npos;) html.replace(p, 2, "<br>");
      m.raw = Headers(r, n, subject) + "Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n";
    } else {
      m.raw = Headers(r, n, subject) + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body;
    }
    corpus.push_back(std::move(m));
  }
  return corpus;
}

SyntheticMessage SampleReferral() {
  Rng r(20261122);
  SyntheticMessage m;
  std::string nhs1 = NhsNumber(r), nhs2 = NhsNumber(r), nino = Nino(r);
  m.planted = {{"uk.nhs_number", nhs1}, {"uk.nhs_number", nhs2}, {"uk.nino", nino}};
  m.raw =
      "From: Sam Okafor <s.okafor@council.example.gov.uk>\r\n"
      "To: j.smith@gmial.example.com\r\n"
      "Subject: Referral - mental health assessment\r\n"
      "Date: Tue, 04 Jun 2024 10:15:00 +0100\r\n"
      "Message-ID: <sample-referral@council.example.gov.uk>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n"
      "Hi Jo,\r\n\r\n"
      "Following the safeguarding referral, two service users need a mental health assessment:\r\n\r\n"
      "  1. NHS number " + Grouped(nhs1, {3, 3, 4}, ' ') + ", diagnosis of depression, on medication.\r\n"
      "  2. NHS number " + Grouped(nhs2, {3, 3, 4}, ' ') + ", recently discharged from hospital.\r\n\r\n"
      "Her National Insurance number is " + nino.substr(0, 2) + " " + Grouped(nino.substr(2, 6), {2, 2, 2}, ' ') + " " +
      nino.substr(8) + ".\r\n\r\nCall me on 0161 496 0123 if anything is unclear.\r\n\r\nSam\r\n";
  return m;
}

}  // namespace sendguard::synth
