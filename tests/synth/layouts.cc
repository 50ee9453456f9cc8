// SPDX-License-Identifier: Apache-2.0
// Named real-world layouts (see layouts.h). Each function writes one message the way the
// document or mail client in its name does; none of them looks at the scanner's rules.
#include "sendguard/synth/layouts.h"

#include "sendguard/common/text.h"

#include <cstdio>
#include <functional>
#include <utility>

#include "sendguard/synth/attachments.h"

namespace sendguard::synth {

namespace {

const std::vector<std::string> kSurnames = {"Okafor", "Patel", "Hughes", "Begum", "Davies", "Clarke", "Nowak",
                                            "Murphy", "Khan", "Evans", "Thompson", "Ahmed", "Wright", "Kowalski"};
const std::vector<std::string> kForenames = {"Amira", "Tom", "Megan", "Jordan", "Ruth", "Owen", "Priya", "Sam",
                                             "Fatima", "Chris", "Leah", "Daniel", "Grace", "Ibrahim"};
const std::vector<std::string> kStreets = {"Bolton Road", "Market Street", "Walmersley Road", "Rochdale Old Road",
                                           "Manchester Road", "Bell Lane", "Tottington Road"};

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

std::string Two(int n) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", n);
  return b;
}

std::string Dob(Rng& r) { return Two(r.Between(1, 28)) + "/" + Two(r.Between(1, 12)) + "/" + std::to_string(r.Between(1935, 2008)); }

std::string Phone(Rng& r) { return (r.Chance(0.5) ? "0161 496 0" : "07700 900") + r.Digits(3); }

std::string Sort(const std::string& s, bool dashed) { return dashed ? Grouped(s, {2, 2, 2}, '-') : s; }

std::string Nhs334(const std::string& v, char sep = ' ') { return Grouped(v, {3, 3, 4}, sep); }

std::string Header(const std::string& subject, const std::string& type, const std::string& cte) {
  return "From: staff@council.example.gov.uk\r\nTo: someone@example.org\r\nSubject: " + subject +
         "\r\nMIME-Version: 1.0\r\nContent-Type: " + type + (cte.empty() ? "" : "\r\nContent-Transfer-Encoding: " + cte) +
         "\r\n\r\n";
}

std::string Crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += "\r\n";
    else out.push_back(c);
  }
  return out;
}

// A UTF-8 code point.
std::string Cp(uint32_t cp) {
  std::string out;
  common::AppendUtf8(out, cp);
  return out;
}

using Make = std::function<LayoutMessage(Rng&)>;

// --- Banking and payroll ----------------------------------------------------------

// BACS Standard 18 as bureau software exports it to CSV: no header row; sort code, account
// number, account name, amount in pence, reference, transaction code.
LayoutMessage BacsStandard18(Rng& r) {
  LayoutMessage m;
  std::string csv;
  for (int i = r.Between(20, 200); i > 0; --i) {
    std::string s = SortCode(r), a = AccountNumber(r);
    m.planted.push_back({"uk.bank_account", s + ":" + a});
    csv += s + "," + a + "," + Upper(r.Pick(kForenames).substr(0, 1) + " " + r.Pick(kSurnames)) + "," +
           std::to_string(r.Between(20000, 450000)) + ",SALARY NOV,99\r\n";
  }
  m.raw = MessageWithAttachments("Hi, the BACS file for the 28/11 pay run is attached. Please upload it before 3pm.",
                                 {{"BACS_281126.csv", "text/csv", csv}});
  m.reader_text = csv;
  return m;
}

// A payroll system's export for a pension provider: header row, NI number, bank details.
std::string PayrollRows(Rng& r, LayoutMessage& m, char sep) {
  std::string s(1, sep);
  std::string out = "Employee ID" + s + "Surname" + s + "Forename" + s + "NI Number" + s + "Tax Code" + s +
                    "Sort Code" + s + "Account No" + s + "Net Pay\r\n";
  for (int i = r.Between(50, 400); i > 0; --i) {
    std::string nino = Nino(r), sort = SortCode(r), acct = AccountNumber(r);
    m.planted.push_back({"uk.nino", nino});
    m.planted.push_back({"uk.bank_account", sort + ":" + acct});
    out += std::to_string(r.Between(100000, 999999)) + s + r.Pick(kSurnames) + s + r.Pick(kForenames) + s + nino + s +
           "1257L" + s + Sort(sort, r.Chance(0.5)) + s + acct + s + std::to_string(r.Between(900, 4200)) + "." +
           Two(r.Between(0, 99)) + "\r\n";
  }
  return out;
}

LayoutMessage PayrollCsv(Rng& r) {
  LayoutMessage m;
  std::string csv = PayrollRows(r, m, ',');
  m.raw = MessageWithAttachments("Payroll export for November as requested.", {{"payroll_nov.csv", "text/csv", csv}});
  m.reader_text = csv;
  return m;
}

LayoutMessage PayrollXlsx(Rng& r) {
  LayoutMessage m;
  std::string tsv = PayrollRows(r, m, '\t');
  std::vector<std::string> rows;
  for (size_t p = 0, e; (e = tsv.find("\r\n", p)) != std::string::npos; p = e + 2) rows.push_back(tsv.substr(p, e - p));
  m.raw = MessageWithAttachments(
      "Starters and leavers attached.",
      {{"payroll.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Xlsx(rows)}});
  m.reader_text = tsv;
  return m;
}

// A letter or email changing bank details: one field per line, in either order.
LayoutMessage BankDetailsLetter(Rng& r) {
  LayoutMessage m;
  std::string s = SortCode(r), a = AccountNumber(r);
  m.planted.push_back({"uk.bank_account", s + ":" + a});
  std::string name = r.Pick(kForenames) + " " + r.Pick(kSurnames);
  std::string sort_line = (r.Chance(0.5) ? "Sort code: " : "Sort Code ") + Sort(s, r.Chance(0.5));
  std::string acct_line = (r.Chance(0.5) ? "Account number: " : "Account No. ") + a;
  std::string text = "Hi,\n\nPlease update the supplier record for " + name + " with the new bank details below.\n\n"
                     "Account name: " + name + "\n" + (r.Chance(0.5) ? sort_line + "\n" + acct_line : acct_line + "\n" + sort_line) +
                     "\n\nInvoice " + r.Digits(6) + " is due on the 14th. Call me on " + Phone(r) + ".\n\nThanks\n";
  if (r.Chance(0.5)) {  // written as a sentence instead
    text = "Hi, her account number is " + a + ", sort code " + Sort(s, r.Chance(0.5)) + ". Tel " + Phone(r) + ".\n";
  }
  m.raw = Header("New bank details", "text/plain; charset=utf-8", "") + Crlf(text);
  m.reader_text = text;
  return m;
}

// A German IBAN (bank code 8 digits, account 10) with the given check digits, or the
// right ones when `check` is empty.
std::string DeIban(const std::string& bban, std::string check = "") {
  if (check.empty()) {
    int rem = 0;
    for (char c : bban + "131400") rem = (rem * 10 + (c - '0')) % 97;  // "DE00": D=13, E=14
    check = Two(98 - rem);
  }
  return "DE" + check + bban;
}

// A remittance advice for foreign suppliers: IBANs in groups of four, and one the bank
// rejected (a typo, so its check digits fail) whose middle sixteen digits pass Luhn with a
// card's prefix: they are part of an IBAN, not a card.
LayoutMessage SupplierRemittance(Rng& r) {
  LayoutMessage m;
  std::string text = "Remittance advice - SEPA payments run " + Two(r.Between(1, 28)) + "/11/2026\n\n";
  for (int i = r.Between(2, 6); i > 0; --i) {
    std::string iban = r.Chance(0.5) ? DeIban(r.Digits(18)) : GbIban(r);
    m.planted.push_back({"iban", iban});
    text += r.Pick(kSurnames) + " GmbH   IBAN " + Grouped(iban, {4, 4, 4, 4, 4, 4}, ' ') + "   EUR " +
            std::to_string(r.Between(100, 9000)) + ".00\n";
  }
  std::string bban;
  do bban = "4" + r.Digits(17);
  while (!LuhnValid(bban.substr(0, 16)));
  std::string right = DeIban(bban).substr(2, 2);
  std::string wrong = Two((std::stoi(right) + r.Between(1, 9)) % 97 + 2);
  if (wrong == right) wrong = right == "02" ? "03" : "02";
  text += "\nThe payment to " + r.Pick(kSurnames) + " GmbH was returned: IBAN " +
          Grouped(DeIban(bban, wrong), {4, 4, 4, 4, 4, 4}, ' ') + " is not valid. Please check with the supplier.\n";
  m.raw = Header("Remittance", "text/plain; charset=utf-8", "") + Crlf(text);
  m.reader_text = text;
  return m;
}

// An order confirmation forwarded to finance: no personal identifiers, but numbers that
// pass the checks next to the words that say what they are (order, invoice, tracking,
// ticket, phone). Nothing is planted: anything reported at medium is a false positive.
LayoutMessage OrderConfirmation(Rng& r) {
  LayoutMessage m;
  auto luhn16 = [&r]() {
    std::string v;
    do v = "4" + r.Digits(15);
    while (!LuhnValid(v));
    return v;
  };
  auto mod11 = [&r]() {
    std::string v;
    do v = std::to_string(r.Between(1, 8)) + r.Digits(9);
    while (!NhsValid(v));
    return v;
  };
  std::string text = "Hi finance,\n\nForwarding the confirmation below for the depot chairs.\n\n"
                     "Order no. " + luhn16() + "\nInvoice " + mod11() + " dated " + Two(r.Between(1, 28)) + "/10/2026\n"
                     "Tracking number: " + luhn16() + "\nTicket " + Grouped(mod11(), {3, 3, 4}, ' ') +
                     " (facilities helpdesk)\nSupplier phone: " + Phone(r) + "\nPO number " + r.Digits(8) +
                     "\n\nThanks\n";
  m.raw = Header("Order confirmation", "text/plain; charset=utf-8", "") + Crlf(text);
  m.reader_text = text;
  return m;
}

// --- Passports -------------------------------------------------------------------

int MrzCheck(const std::string& s) {
  static const int kW[3] = {7, 3, 1};
  int sum = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    int v = c >= '0' && c <= '9' ? c - '0' : (c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 0);
    sum += v * kW[i % 3];
  }
  return sum % 10;
}

}  // namespace

std::string MrzLine2(const std::string& number, const std::string& dob, char sex, const std::string& expiry) {
  std::string l = number + std::to_string(MrzCheck(number)) + "GBR" + dob + std::to_string(MrzCheck(dob)) + sex + expiry +
                  std::to_string(MrzCheck(expiry)) + std::string(14, '<') + "0";
  return l + std::to_string(MrzCheck(l.substr(0, 10) + l.substr(13, 7) + l.substr(21, 22)));
}

namespace {

// The data page of a UK passport as OCR gives it: the visual zone (sometimes) and the two
// 44-character lines of the TD3 machine-readable zone (ICAO 9303 part 4).
LayoutMessage HmpoPassportMrz(Rng& r) {
  LayoutMessage m;
  std::string number = Passport(r), surname = Upper(r.Pick(kSurnames)), forename = Upper(r.Pick(kForenames));
  m.planted.push_back({"uk.passport", number});
  std::string dob = Two(r.Between(40, 99)) + Two(r.Between(1, 12)) + Two(r.Between(1, 28));
  std::string expiry = Two(r.Between(27, 35)) + Two(r.Between(1, 12)) + Two(r.Between(1, 28));
  std::string line1 = "P<GBR" + surname + "<<" + forename;
  line1 += std::string(44 - line1.size(), '<');
  const std::string line2 = MrzLine2(number, dob, r.Chance(0.5) ? 'F' : 'M', expiry);
  std::string text = "Right to work check for a new starter: text of the passport scan below.\n\n";
  if (r.Chance(0.5)) {
    text += "PASSPORT  PASSEPORT\nUNITED KINGDOM OF GREAT BRITAIN AND NORTHERN IRELAND\nType/Type P   Code/Code GBR\n"
            "Surname/Nom (1) " + surname + "\nGiven names/Prenoms (2) " + forename + "\nNationality (3) BRITISH CITIZEN\n\n";
  }
  text += line1 + "\n" + line2 + "\n";
  m.raw = Header("RTW check", "text/plain; charset=utf-8", "") + Crlf(text);
  m.reader_text = text;
  return m;
}

// --- Health ------------------------------------------------------------------------

// A GP or hospital referral letter as the clinical system prints it.
LayoutMessage NhsReferralLetter(Rng& r) {
  LayoutMessage m;
  std::string nhs = NhsNumber(r);
  m.planted.push_back({"uk.nhs_number", nhs});
  static const std::vector<std::string> kLabels = {"NHS No: ", "NHS Number: ", "NHS no. ", "NHS number "};
  std::string name = r.Pick(kForenames) + " " + r.Pick(kSurnames);
  std::string text = "Dear Dr " + r.Pick(kSurnames) + ",\n\nRe: " + name + "  DOB: " + Dob(r) + "\n" + r.Pick(kLabels) +
                     Nhs334(nhs, r.Chance(0.8) ? ' ' : '-') + "\nAddress: " + std::to_string(r.Between(1, 200)) + " " +
                     r.Pick(kStreets) + ", Bury BL9 " + std::to_string(r.Between(0, 9)) + "AA\nHospital No: M" +
                     r.Digits(7) + "\n\nThank you for seeing this patient, who was discharged on " + Two(r.Between(1, 28)) +
                     "/" + Two(r.Between(1, 12)) + "/2026 following a fall at home. Medication review attached.\n\n"
                     "Yours sincerely\n\nDr " + r.Pick(kSurnames) + "\nTel: " + Phone(r) + "\n";
  m.raw = Header("Referral", "text/plain; charset=utf-8", "quoted-printable") + QuotedPrintable(Crlf(text));
  m.reader_text = text;
  return m;
}

// An NHS patient list exported by Excel with a UK locale's "CSV (semicolon)" and quotes.
LayoutMessage CsvExportSemicolon(Rng& r) {
  LayoutMessage m;
  std::string csv = "\"NHS Number\";\"Surname\";\"Forename\";\"Date of Birth\";\"Postcode\"\r\n";
  for (int i = r.Between(50, 500); i > 0; --i) {
    std::string nhs = NhsNumber(r);
    m.planted.push_back({"uk.nhs_number", nhs});
    csv += "\"" + nhs + "\";\"" + r.Pick(kSurnames) + "\";\"" + r.Pick(kForenames) + "\";\"" + Dob(r) + "\";\"BL9 " +
           std::to_string(r.Between(0, 9)) + "AA\"\r\n";
  }
  m.raw = MessageWithAttachments("The caseload list is attached.", {{"caseload.csv", "text/csv", csv}});
  m.reader_text = csv;
  return m;
}

// --- Education ---------------------------------------------------------------------

// A school census return extract: header row, UPN first, ISO dates.
LayoutMessage SchoolCensusCsv(Rng& r) {
  LayoutMessage m;
  std::string csv = "UPN,Surname,Forename,DOB,Gender,NCyearActual,SENprovision,FSMeligible\r\n";
  for (int i = r.Between(30, 200); i > 0; --i) {
    std::string upn = Upn(r);
    m.planted.push_back({"uk.upn", upn});
    csv += upn + "," + r.Pick(kSurnames) + "," + r.Pick(kForenames) + "," + std::to_string(r.Between(2010, 2020)) + "-" +
           Two(r.Between(1, 12)) + "-" + Two(r.Between(1, 28)) + "," + (r.Chance(0.5) ? "F" : "M") + "," +
           std::to_string(r.Between(1, 11)) + "," + (r.Chance(0.2) ? "K" : "N") + "," + (r.Chance(0.2) ? "true" : "false") + "\r\n";
  }
  m.raw = MessageWithAttachments("Autumn census extract attached.", {{"census_autumn.csv", "text/csv", csv}});
  m.reader_text = csv;
  return m;
}

// --- Staff records -----------------------------------------------------------------

LayoutMessage NinoXlsx(Rng& r) {
  LayoutMessage m;
  std::vector<std::string> rows = {"Name\tNational Insurance No\tStart date\tRole"};
  std::string reader = rows[0] + "\n";
  for (int i = r.Between(10, 120); i > 0; --i) {
    std::string nino = Nino(r);
    m.planted.push_back({"uk.nino", nino});
    rows.push_back(r.Pick(kForenames) + " " + r.Pick(kSurnames) + "\t" + nino + "\t" + Dob(r) + "\tCare worker");
    reader += rows.back() + "\n";
  }
  m.raw = MessageWithAttachments(
      "New starters.", {{"starters.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Xlsx(rows)}});
  m.reader_text = reader;
  return m;
}

LayoutMessage NinoCsv(Rng& r) {
  LayoutMessage m;
  std::string csv = "Staff ID,Name,NINo,DOB\n";
  for (int i = r.Between(3, 60); i > 0; --i) {
    std::string nino = Nino(r);
    m.planted.push_back({"uk.nino", nino});
    csv += std::to_string(r.Between(1000, 9999)) + ",\"" + r.Pick(kSurnames) + ", " + r.Pick(kForenames) + "\"," + nino +
           "," + Dob(r) + "\n";
  }
  m.raw = MessageWithAttachments("Agency staff list.", {{"agency.csv", "text/csv", csv}});
  m.reader_text = csv;
  return m;
}

// --- Mail clients' HTML -------------------------------------------------------------

// Outlook's HTML: MsoNormal paragraphs, spans with styles, <o:p>, &nbsp; between groups,
// quoted-printable.
LayoutMessage OutlookHtml(Rng& r) {
  LayoutMessage m;
  std::string nhs = NhsNumber(r), nino = Nino(r), s = SortCode(r), a = AccountNumber(r);
  m.planted = {{"uk.nhs_number", nhs}, {"uk.nino", nino}, {"uk.bank_account", s + ":" + a}};
  const std::string span = "<span style='font-size:11.0pt;font-family:\"Calibri\",sans-serif;color:#1F497D'>";
  std::string html =
      "<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head><meta http-equiv=Content-Type "
      "content=\"text/html; charset=utf-8\"><style><!-- p.MsoNormal {margin:0cm;font-size:11.0pt;} --></style></head>"
      "<body lang=EN-GB link=\"#0563C1\"><div class=WordSection1><p class=MsoNormal>Hi " + r.Pick(kForenames) +
      ",<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Details for the panel:<o:p></o:p></p>"
      "<p class=MsoNormal><b>NHS number:</b> " + span + nhs.substr(0, 3) + "</span>&nbsp;" + nhs.substr(3, 3) + "&nbsp;" +
      nhs.substr(6) + "<o:p></o:p></p><p class=MsoNormal>NI no. " + span + nino.substr(0, 2) + "</span>&nbsp;" +
      Grouped(nino.substr(2, 6), {2, 2, 2}, ' ') + "&nbsp;" + nino.substr(8) + "<o:p></o:p></p>"
      "<p class=MsoNormal>Bank details: sort code " + span + Sort(s, r.Chance(0.5)) + "</span>, account number " + span +
      a + "</span><o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Many thanks,<o:p></o:p></p>"
      "<p class=MsoNormal>" + r.Pick(kForenames) + "<o:p></o:p></p><p class=MsoNormal>Tel: " + Phone(r) +
      "<o:p></o:p></p></div></body></html>";
  m.raw = Header("Panel", "text/html; charset=\"utf-8\"", "quoted-printable") + QuotedPrintable(Crlf(html));
  m.reader_text = "NHS number: " + Nhs334(nhs) + "\nNI no. " + nino + "\nsort code " + s + ", account number " + a + "\n";
  return m;
}

// Gmail's HTML: a div per line, inline spans and bold inside numbers, a card read out.
LayoutMessage GmailHtml(Rng& r) {
  LayoutMessage m;
  std::string nhs = NhsNumber(r), card = CardNumber(r);
  m.planted = {{"uk.nhs_number", nhs}, {"pci.card", card}};
  std::string shown_card = card.size() == 15 ? Grouped(card, {4, 6, 5}, ' ') : Grouped(card, {4, 4, 4, 4}, ' ');
  if (r.Chance(0.5)) shown_card = card;
  std::string html = "<div dir=\"ltr\"><div>Hi " + r.Pick(kForenames) + ",</div><div><br></div><div>Her NHS no. is <span "
                     "class=\"gmail-il\">" + nhs.substr(0, 3) + "</span> <b>" + nhs.substr(3, 3) + "</b> " + nhs.substr(6) +
                     ".</div><div>She asked us to take the deposit on " + shown_card + " and read it out over the phone.</div>"
                     "<div><br></div><div>Thanks,</div><div>" + r.Pick(kForenames) + "</div></div>";
  m.raw = Header("Deposit", "text/html; charset=\"UTF-8\"", "quoted-printable") + QuotedPrintable(html);
  m.reader_text = "Her NHS no. is " + Nhs334(nhs) + ". take the deposit on " + shown_card + "\n";
  return m;
}

// A range pasted from Google Sheets into Gmail: a styled table, header row first.
LayoutMessage GmailSheetTable(Rng& r) {
  LayoutMessage m;
  const std::string td = "<td style=\"overflow:hidden;padding:2px 3px;vertical-align:bottom\">";
  std::string html = "<div dir=\"ltr\"><table cellspacing=\"0\" cellpadding=\"0\" dir=\"ltr\" border=\"1\" "
                     "style=\"table-layout:fixed;font-size:10pt;font-family:Arial;border-collapse:collapse\"><colgroup>"
                     "<col width=\"100\"><col width=\"100\"><col width=\"100\"></colgroup><tbody><tr style=\"height:21px\">" +
                     td + "NHS Number</td>" + td + "Surname</td>" + td + "Ward</td></tr>";
  std::string reader = "NHS Number\tSurname\tWard\n";
  for (int i = r.Between(20, 150); i > 0; --i) {
    std::string nhs = NhsNumber(r);
    m.planted.push_back({"uk.nhs_number", nhs});
    std::string surname = r.Pick(kSurnames), ward = "Ward " + std::to_string(r.Between(1, 30));
    html += "<tr style=\"height:21px\"><td style=\"overflow:hidden;padding:2px 3px;vertical-align:bottom;"
            "text-align:right\">" + nhs + "</td>" + td + surname + "</td>" + td + ward + "</td></tr>";
    reader += nhs + "\t" + surname + "\t" + ward + "\n";
  }
  html += "</tbody></table></div>";
  m.raw = Header("Ward list", "text/html; charset=\"UTF-8\"", "quoted-printable") + QuotedPrintable(html);
  m.reader_text = reader;
  return m;
}

// A note about a card payment taken over the phone, quoted-printable so the number may be
// split by a soft line break.
LayoutMessage CardPhoneNote(Rng& r) {
  LayoutMessage m;
  std::string card = CardNumber(r);
  m.planted.push_back({"pci.card", card});
  std::string text = std::string(static_cast<size_t>(r.Between(0, 60)), ' ') + r.Pick(kForenames) + " " +
                     r.Pick(kSurnames) + " rang about the room booking for the 14th; could you take the deposit of GBP " +
                     std::to_string(r.Between(20, 300)) + " on " + card + " please, she read it out over the phone. " +
                     "Booking ref " + r.Digits(6) + ", call back on " + Phone(r) + ".\n";
  m.raw = Header("Deposit", "text/plain; charset=utf-8", "quoted-printable") + QuotedPrintable(Crlf(text));
  m.reader_text = text;
  return m;
}

// --- Evasions: an NHS number in a sentence, disguised one way each -----------------

LayoutMessage Evasion(Rng& r, const std::string& kind) {
  LayoutMessage m;
  std::string nhs = NhsNumber(r);
  m.planted.push_back({"uk.nhs_number", nhs});
  auto between = [&](const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < nhs.size(); ++i) out += (i ? sep : "") + nhs.substr(i, 1);
    return out;
  };
  auto script = [&](uint32_t zero) {
    std::string out;
    for (char d : nhs) out += Cp(zero + static_cast<uint32_t>(d - '0'));
    return out;
  };
  std::string value, type = "text/plain; charset=utf-8", body;
  if (kind == "zero_width_space") value = between(Cp(0x200B));
  if (kind == "zero_width_joiner") value = between(Cp(0x200D));
  if (kind == "word_joiner") value = between(Cp(0x2060));
  if (kind == "byte_order_mark") value = between(Cp(0xFEFF));
  if (kind == "soft_hyphen") value = between(Cp(0x00AD));
  if (kind == "fullwidth_digits") value = script(0xFF10);
  if (kind == "arabic_indic_digits") value = script(0x0660);
  std::string sentence = "The patient's NHS number is ";
  if (!value.empty()) {
    body = sentence + value + ", please update the record.\n";
    m.raw = Header("Record", type, "") + Crlf(body);
    m.reader_text = body;
  } else if (kind == "html_entities") {
    std::string ent;
    for (char d : nhs) ent += "&#" + std::to_string(static_cast<int>(d)) + ";";
    m.raw = Header("Record", "text/html; charset=utf-8", "") + "<p>" + sentence + ent + "</p>\r\n";
    m.reader_text = sentence + nhs;
  } else if (kind == "utf7") {
    static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string enc;
    for (char d : nhs) {
      unsigned v = static_cast<unsigned char>(d);  // UTF-16 0x00 0x3N in modified base64: 3 sextets
      enc += std::string("+") + kB64[0] + kB64[(v >> 4) & 63] + kB64[(v << 2) & 63] + "-";
    }
    m.raw = Header("Record", "text/plain; charset=utf-7", "") + sentence + enc + "\r\n";
    m.reader_text = sentence + enc;
  } else if (kind == "utf16le_csv_no_bom") {
    std::string csv = "NHS Number,Surname\r\n" + nhs + "," + r.Pick(kSurnames) + "\r\n";
    for (int i = 0; i < 3; ++i) {
      std::string more = NhsNumber(r);
      m.planted.push_back({"uk.nhs_number", more});
      csv += more + "," + r.Pick(kSurnames) + "\r\n";
    }
    std::string utf16;
    for (char c : csv) utf16 += std::string{c, '\0'};
    m.raw = MessageWithAttachments("List attached.", {{"list.csv", "application/octet-stream", utf16}});
    m.reader_text = "";  // the naive oracle reads no UTF-16
  }
  return m;
}

const std::vector<std::string> kEvasions = {"zero_width_space",    "zero_width_joiner", "word_joiner",
                                            "byte_order_mark",     "soft_hyphen",       "fullwidth_digits",
                                            "arabic_indic_digits", "html_entities",     "utf7",
                                            "utf16le_csv_no_bom"};

std::vector<std::pair<std::string, Make>> Layouts() {
  std::vector<std::pair<std::string, Make>> out = {
      {"bacs_standard18_csv", BacsStandard18},  {"payroll_export_csv", PayrollCsv},
      {"payroll_export_xlsx", PayrollXlsx},     {"bank_details_letter", BankDetailsLetter},
      {"hmpo_passport_mrz", HmpoPassportMrz},   {"nhs_referral_letter", NhsReferralLetter},
      {"nhs_caseload_csv_semicolon", CsvExportSemicolon}, {"school_census_csv", SchoolCensusCsv},
      {"staff_nino_xlsx", NinoXlsx},            {"agency_nino_csv", NinoCsv},
      {"outlook_html", OutlookHtml},            {"gmail_html", GmailHtml},
      {"gmail_sheet_table", GmailSheetTable},   {"card_phone_note_qp", CardPhoneNote},
      {"supplier_remittance_iban", SupplierRemittance},
      {"order_confirmation_negatives", OrderConfirmation},
  };
  for (const auto& kind : kEvasions) {
    out.emplace_back("evasion_" + kind, [kind](Rng& r) { return Evasion(r, kind); });
  }
  return out;
}

}  // namespace

std::string QuotedPrintable(const std::string& text) {
  std::string out, line;
  auto flush_soft = [&]() {
    out += line + "=\r\n";
    line.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out += line + "\r\n";
      line.clear();
      ++i;
      continue;
    }
    std::string piece;
    if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
      piece = std::string(1, static_cast<char>(c));
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "=%02X", c);
      piece = b;
    }
    if (line.size() + piece.size() > 75) flush_soft();
    line += piece;
  }
  return out + line;
}

std::vector<std::string> LayoutNames() {
  std::vector<std::string> names;
  for (const auto& [name, make] : Layouts()) names.push_back(name);
  return names;
}

std::vector<LayoutMessage> MakeLayoutCorpus(uint64_t seed, int per_layout) {
  Rng r(seed);
  std::vector<LayoutMessage> out;
  for (const auto& [name, make] : Layouts()) {
    for (int i = 0; i < per_layout; ++i) {
      LayoutMessage m = make(r);
      m.layout = name;
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace sendguard::synth
