// SPDX-License-Identifier: Apache-2.0
// Issue 18: identifiers laid out as real documents lay them out (BACS and payroll tables,
// Outlook HTML, passport MRZ, CSV exports) and as evasions write them (format characters,
// other scripts' digits, UTF-16 files). Each asserts a finding at medium or high; the
// negatives assert nothing is reported. Every value is synthetic (synth.h).
#include <gtest/gtest.h>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/text.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/layouts.h"
#include "sendguard/synth/synth.h"
#include "test_support.h"

namespace sendguard::scanner {
namespace {

using testing::BestConfidence;
using testing::CountAtLeast;
using testing::ShippedRules;

class LayoutsTest : public ::testing::Test {
 protected:
  // True when `type` was found at medium or above with normalised value `value`.
  bool Found(const ScanResult& r, const std::string& type, const std::string& value) const {
    std::string hash = hasher_.Hex(value);
    for (const auto& f : r.findings) {
      if (f.type != type || f.confidence < Confidence::kMedium) continue;
      for (const auto& l : f.locations) {
        if (l.hash == hash) return true;
      }
    }
    return false;
  }
  static std::string HtmlMessage(const std::string& html) {
    return "From: a@example.org\r\nTo: b@example.net\r\nSubject: details\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + html + "\r\n";
  }
  common::KeyedHasher hasher_{testing::kTestSecret};
  Scanner scanner_{ShippedRules(), hasher_};
  synth::Rng rng_{18};
};

// --- 1. UK bank details -------------------------------------------------------------

TEST_F(LayoutsTest, SortCodeWithoutSeparatorsInEitherOrder) {
  std::string s = synth::SortCode(rng_), a = synth::AccountNumber(rng_);
  EXPECT_TRUE(Found(scanner_.ScanText("Please pay her wages into sort code " + s + ", account " + a + " from May."),
                    "uk.bank_account", s + ":" + a));
  EXPECT_TRUE(Found(scanner_.ScanText("Her account number is " + a + ", sort code " + s + "."), "uk.bank_account",
                    s + ":" + a));
  // A letter's two lines, one field each.
  EXPECT_TRUE(Found(scanner_.ScanText("Sort code: " + s + "\r\nAccount number: " + a + "\r\n"), "uk.bank_account",
                    s + ":" + a));
  EXPECT_TRUE(Found(scanner_.ScanText("Account No: " + a + "\nSort Code: " + synth::Grouped(s, {2, 2, 2}, '-')),
                    "uk.bank_account", s + ":" + a));
  // The same two lines in HTML mail: Gmail's <br>, Outlook's paragraphs (with the source's
  // own line breaks between them).
  for (const std::string& html :
       {"<div dir=\"ltr\">Sort code: " + s + "<br>Account number: " + a + "<br></div>",
        "<p class=MsoNormal>Sort code: " + s + "<o:p></o:p></p>\r\n<p class=MsoNormal>Account number: " + a +
            "<o:p></o:p></p>"}) {
    EXPECT_TRUE(Found(scanner_.ScanMessage(HtmlMessage(html)), "uk.bank_account", s + ":" + a)) << html;
  }
}

// A payroll export as the finance system writes it: a header row, then hundreds of rows.
std::string PayrollCsv(synth::Rng& rng, int rows, std::vector<std::string>* planted, bool dashed) {
  std::string csv = "Employee No,Surname,Forename,Sort Code,Account Number,Net Pay,Pay Date\r\n";
  for (int i = 0; i < rows; ++i) {
    std::string s = synth::SortCode(rng), a = synth::AccountNumber(rng);
    planted->push_back(s + ":" + a);
    csv += "E" + std::to_string(10000 + i) + ",Surname" + std::to_string(i) + ",Forename,";
    csv += (dashed ? synth::Grouped(s, {2, 2, 2}, '-') : s) + "," + a + "," + std::to_string(1200 + i) + ".50,";
    csv += "28/11/2026\r\n";
  }
  return csv;
}

TEST_F(LayoutsTest, CsvRowsFarBelowTheHeaderAreTiedToIt) {
  for (bool dashed : {false, true}) {
    std::vector<std::string> planted;
    std::string csv = PayrollCsv(rng_, 300, &planted, dashed);
    ScanResult r = scanner_.ScanMessage(synth::MessageWithAttachments("Payroll for November attached.",
                                                                      {{"payroll.csv", "text/csv", csv}}));
    int found = 0;
    for (const auto& v : planted) found += Found(r, "uk.bank_account", v);
    EXPECT_EQ(found, 300) << (dashed ? "dashed" : "plain");
  }
}

TEST_F(LayoutsTest, XlsxAndHtmlTablesTieCellsToTheirColumnHeader) {
  std::vector<std::string> rows = {"Payee\tReference\tSort Code\tAccount Number\tAmount"};
  std::string html = "<html><body><p>Hi,</p><table border=1>\n<tr>\n  <th>Payee</th>\n  <th>Sort code</th>\n"
                     "  <th>Account number</th>\n</tr>\n";
  std::vector<std::string> planted;
  for (int i = 0; i < 120; ++i) {
    std::string s = synth::SortCode(rng_), a = synth::AccountNumber(rng_);
    planted.push_back(s + ":" + a);
    rows.push_back("Supplier " + std::to_string(i) + "\tINV" + std::to_string(i) + "\t" + s + "\t" + a + "\t250.00");
    // Outlook wraps each cell's text in a paragraph.
    html += "<tr>\n  <td><p class=MsoNormal>Supplier " + std::to_string(i) + "<o:p></o:p></p></td>\n  <td><p class=MsoNormal>" +
            s + "</p></td>\n  <td><p class=MsoNormal><span style='font-size:11pt'>" + a + "</span></p></td>\n</tr>\n";
  }
  html += "</table></body></html>";
  ScanResult x = scanner_.ScanMessage(synth::MessageWithAttachments(
      "Suppliers", {{"suppliers.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     synth::Xlsx(rows)}}));
  ScanResult h = scanner_.ScanMessage(HtmlMessage(html));
  int in_xlsx = 0, in_html = 0;
  for (const auto& v : planted) in_xlsx += Found(x, "uk.bank_account", v), in_html += Found(h, "uk.bank_account", v);
  EXPECT_EQ(in_xlsx, 120);
  EXPECT_EQ(in_html, 120);
}

TEST_F(LayoutsTest, XlsxRowsWithEmptyCellsKeepTheirColumns) {
  // Excel leaves empty cells out of the sheet: a missing reference or a blank last column
  // must not move a value under another header or end the table.
  std::vector<std::string> rows = {"Surname\tMiddle name\tNHS Number\tNotes"};
  std::vector<std::string> planted;
  for (int i = 0; i < 80; ++i) {
    planted.push_back(synth::NhsNumber(rng_));
    std::string middle = i % 3 == 0 ? "" : "Middle";
    std::string notes = i % 2 == 0 ? "" : "seen";
    rows.push_back("Surname" + std::to_string(i) + "\t" + middle + "\t" + planted.back() + "\t" + notes);
  }
  // A few rows only, so the column of values alone does not give medium: the header must.
  for (size_t keep : {size_t{3}, rows.size()}) {
    std::vector<std::string> some(rows.begin(), rows.begin() + static_cast<long>(keep));
    ScanResult r = scanner_.ScanMessage(synth::MessageWithAttachments(
        "List", {{"list.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", synth::Xlsx(some)}}));
    int found = 0;
    for (size_t i = 0; i + 1 < keep; ++i) found += Found(r, "uk.nhs_number", planted[i]);
    EXPECT_EQ(found, static_cast<int>(keep) - 1);
    EXPECT_EQ(CountAtLeast(r, "uk.nhs_number", Confidence::kHigh), keep - 1) << "tied to the NHS Number header";
  }
}

TEST_F(LayoutsTest, AOneCellLayoutTableKeepsItsParagraphsAsLines) {
  // Mail templates wrap the whole message in a one-cell table: its paragraphs are still
  // lines, so a number at the end of one does not pair with a number starting the next.
  std::string s = synth::SortCode(rng_), a = synth::AccountNumber(rng_);
  std::string html = "<table><tr><td><p>Meeting room " + s + "</p><p>Hello</p><p>there</p><p>" + a +
                     " attendees, bank holiday rota</p></td></tr></table>";
  EXPECT_FALSE(BestConfidence(scanner_.ScanMessage(HtmlMessage(html)), "uk.bank_account").has_value());
}

// --- 2. Inline markup ----------------------------------------------------------------

TEST_F(LayoutsTest, InlineMarkupDoesNotBreakAnIdentifier) {
  std::string v = synth::NhsNumber(rng_);
  std::string a = v.substr(0, 3), b = v.substr(3, 3), c = v.substr(6);
  for (const std::string& body :
       {"<p>NHS no. <span style=\"font-weight:bold\">" + a + "</span> " + b + "&nbsp;" + c + "</p>",
        "<div>Patient: <b>" + a + "</b> <i>" + b + "</i> <u>" + c + "</u></div>",
        "<p><font face=Calibri>" + a + "</font><em> " + b + " </em><strong>" + c + "</strong> (NHS)</p>",
        "<p>NHS <a href=\"#\">" + a + " " + b + "</a>&#160;" + c + "</p>"}) {
    EXPECT_TRUE(Found(scanner_.ScanMessage(HtmlMessage(body)), "uk.nhs_number", v)) << body;
  }
  // Blocks and cells do break text.
  for (const std::string& body : {"<div>" + a + "</div><div>" + b + " " + c + "</div>",
                                  "<table><tr><td>" + a + "</td><td>" + b + " " + c + "</td></tr></table>"}) {
    EXPECT_FALSE(Found(scanner_.ScanMessage(HtmlMessage(body)), "uk.nhs_number", v)) << body;
  }
}

// --- 3. Evasions ---------------------------------------------------------------------

// `digits` with `sep` (UTF-8) between every two digits.
std::string Interleave(const std::string& digits, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) out += (i ? sep : "") + digits.substr(i, 1);
  return out;
}

// `digits` in the script whose zero is `zero` (a code point), as UTF-8.
std::string InScript(const std::string& digits, uint32_t zero) {
  std::string out;
  for (char d : digits) {
    common::AppendUtf8(out, zero + static_cast<uint32_t>(d - '0'));
  }
  return out;
}

TEST_F(LayoutsTest, FormatCharactersAndOtherDigitsAreSeenThrough) {
  std::string v = synth::NhsNumber(rng_);
  for (const char* sep : {"\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x81\xA0", "\xEF\xBB\xBF", "\xC2\xAD"}) {
    std::string text = "NHS number " + Interleave(v, sep) + " seen today";
    ScanResult r = scanner_.ScanText(text);
    EXPECT_TRUE(Found(r, "uk.nhs_number", v)) << "separator bytes " << std::string(sep).size();
    // The location is where the value starts in the text as written.
    for (const auto& f : r.findings) {
      if (f.type == "uk.nhs_number") {
        EXPECT_EQ(f.locations[0].offset, text.find(v.substr(0, 1), 10));
      }
    }
  }
  for (uint32_t zero : {0xFF10u, 0x0660u, 0x06F0u, 0x0966u}) {
    EXPECT_TRUE(Found(scanner_.ScanText("NHS number " + InScript(v, zero)), "uk.nhs_number", v)) << zero;
  }
  // Full-width digits in the spaced layout, with an ideographic space, still a layout.
  std::string fw = InScript(v.substr(0, 3), 0xFF10) + "\xE3\x80\x80" + InScript(v.substr(3, 3), 0xFF10) + " " +
                   InScript(v.substr(6), 0xFF10);
  EXPECT_TRUE(Found(scanner_.ScanText("see " + fw), "uk.nhs_number", v));
}

TEST_F(LayoutsTest, StreamingNormalisesAcrossChunkEdges) {
  std::string v = synth::NhsNumber(rng_);
  std::string text = "NHS number " + InScript(v, 0xFF10) + " and " + Interleave(v, "\xE2\x80\x8B") + ".";
  ScanResult whole = scanner_.ScanText(text);
  for (size_t step : {1u, 2u, 5u}) {
    scanner_.Begin("1");
    for (size_t i = 0; i < text.size(); i += step) scanner_.Feed(std::string_view(text).substr(i, step));
    ScanResult r = scanner_.Finish();
    ASSERT_EQ(r.findings.size(), whole.findings.size());
    for (size_t i = 0; i < r.findings.size(); ++i) {
      EXPECT_EQ(r.findings[i].locations[0].offset, whole.findings[i].locations[0].offset);
      EXPECT_EQ(r.findings[i].locations[0].hash, whole.findings[i].locations[0].hash);
    }
  }
}

TEST_F(LayoutsTest, Utf16CsvWithoutByteOrderMarkIsRead) {
  std::vector<std::string> planted;
  std::string csv = "NHS Number,Surname,Date seen\r\n";
  for (int i = 0; i < 20; ++i) {
    planted.push_back(synth::NhsNumber(rng_));
    csv += planted.back() + ",Surname" + std::to_string(i) + ",01/02/2026\r\n";
  }
  std::string utf16;
  for (char c : csv) utf16 += std::string{c, '\0'};
  ScanResult r = scanner_.ScanMessage(
      synth::MessageWithAttachments("Export attached.", {{"export.csv", "application/octet-stream", utf16}}));
  int found = 0;
  for (const auto& v : planted) found += Found(r, "uk.nhs_number", v);
  EXPECT_EQ(found, 20);
  EXPECT_TRUE(r.complete);
}

// --- 4. Digits inside a longer identifier ------------------------------------------

TEST_F(LayoutsTest, DigitsInsideAnIbanAreNotACard) {
  for (const char* text : {"IBAN DE98 6008 2740 8795 6058 30", "Please pay DE98 6008 2740 8795 6058 30 today",
                           "iban: de98-6008-2740-8795-6058-30", "IBAN DE98 4757 4911 8625 2761 30"}) {
    EXPECT_FALSE(BestConfidence(scanner_.ScanText(text), "pci.card").has_value()) << text;
  }
  // The same sixteen digits on their own are a card where they are in a card range (60 is not
  // one: no issuer's published range starts 6008).
  EXPECT_TRUE(Found(scanner_.ScanText("card 4757 4911 8625 2761"), "pci.card", "4757491186252761"));
  EXPECT_FALSE(BestConfidence(scanner_.ScanText("card 6008 2740 8795 6058"), "pci.card").has_value());
}

// --- 5. Cards without a card word ----------------------------------------------------

TEST_F(LayoutsTest, ACardIsMediumWithoutACardWord) {
  for (int i = 0; i < 30; ++i) {
    std::string v = synth::CardNumber(rng_);
    EXPECT_TRUE(Found(scanner_.ScanText("can you take the deposit on " + v + " thanks"), "pci.card", v)) << v.size();
    EXPECT_TRUE(Found(scanner_.ScanText("I'll read it out over the phone later: " +
                                        (v.size() == 15 ? synth::Grouped(v, {4, 6, 5}, ' ')
                                                        : synth::Grouped(v, {4, 4, 4, 4}, ' '))),
                      "pci.card", v));
  }
  // Negative context still lowers it; a number no issuer uses or failing Luhn is nothing.
  std::string v = synth::CardNumber(rng_);
  EXPECT_EQ(BestConfidence(scanner_.ScanText("order no " + v), "pci.card"), Confidence::kLow);
  EXPECT_FALSE(BestConfidence(scanner_.ScanText("ref " + synth::CardFailingLuhn(rng_)), "pci.card").has_value());
}

TEST_F(LayoutsTest, ASoftLineBreakDoesNotLowerACard) {
  std::string v = synth::CardNumber(rng_);
  auto message = [](const std::string& qp_body) {
    return "From: a@example.org\r\nTo: b@example.net\r\nSubject: deposit\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
           qp_body + "\r\n";
  };
  std::string lead = "Hi, please take the deposit on ";
  auto whole = BestConfidence(scanner_.ScanMessage(message(lead + v + " today.")), "pci.card");
  ASSERT_TRUE(whole.has_value());
  EXPECT_GE(*whole, Confidence::kMedium);
  for (size_t cut = 1; cut < v.size(); cut += 3) {
    std::string split = lead + v.substr(0, cut) + "=\r\n" + v.substr(cut) + " today.";
    EXPECT_EQ(BestConfidence(scanner_.ScanMessage(message(split)), "pci.card"), whole) << cut;
  }
}

// --- 6. NINO in a CSV column ---------------------------------------------------------

TEST_F(LayoutsTest, NinoInACsvColumn) {
  std::vector<std::string> planted;
  std::string csv = "Staff ID,Name,NI Number,Start Date\n";
  for (int i = 0; i < 200; ++i) {
    planted.push_back(synth::Nino(rng_));
    csv += std::to_string(5000 + i) + ",\"Surname" + std::to_string(i) + ", Forename\"," + planted.back() + ",01/04/2025\n";
  }
  ScanResult r = scanner_.ScanMessage(
      synth::MessageWithAttachments("New starters attached.", {{"starters.csv", "text/csv", csv}}));
  int found = 0;
  for (const auto& v : planted) found += Found(r, "uk.nino", v);
  EXPECT_EQ(found, 200);
  // Two rows only (no column of three): the header still names the column.
  EXPECT_TRUE(Found(scanner_.ScanText("Name,NI Number\nA Person," + planted[0] + "\nB Person," + planted[1]), "uk.nino",
                    planted[1]));
}

// --- 7. Passport MRZ -----------------------------------------------------------------

// Line 2 of a TD3 MRZ: synth::MrzLine2, written from ICAO 9303 part 4 (not from the scanner).
std::string MrzLine2(const std::string& number, const std::string& dob, const std::string& expiry) {
  return synth::MrzLine2(number, dob, 'F', expiry);
}

TEST_F(LayoutsTest, PassportInTheMachineReadableZone) {
  for (int i = 0; i < 20; ++i) {
    std::string number = synth::Passport(rng_);
    std::string line2 = MrzLine2(number, "8" + std::to_string(rng_.Between(0, 9)) + "0" +
                                             std::to_string(rng_.Between(1, 9)) + "1" + std::to_string(rng_.Between(0, 9)),
                                 "3" + std::to_string(rng_.Between(0, 4)) + "1231");
    ASSERT_EQ(line2.size(), 44u);
    std::string scan = "Scan of the ID page:\n\nP<GBRSURNAME<<FORENAME<<<<<<<<<<<<<<<<<<<<<<<<\n" + line2 + "\n";
    EXPECT_TRUE(Found(scanner_.ScanText(scan), "uk.passport", number)) << line2;
    // One wrong check digit anywhere: nothing.
    std::string bad = line2;
    bad[43] = static_cast<char>('0' + (bad[43] - '0' + 1) % 10);
    EXPECT_FALSE(BestConfidence(scanner_.ScanText("P<GBRSURNAME<<FORENAME<<<<<<<<<<<<<<<<<<<<<<<<\n" + bad), "uk.passport")
                     .has_value());
  }
}

}  // namespace
}  // namespace sendguard::scanner
