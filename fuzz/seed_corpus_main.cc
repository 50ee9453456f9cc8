// SPDX-License-Identifier: Apache-2.0
// sendguard-fuzz-seeds DIR: writes a starting corpus for every fuzz target to DIR/TARGET/,
// from the repo's synthetic generator (messages, the named real-world layouts, office
// documents, PDFs, RTF, archives with synthetic identifiers), the shipped rule, policy and
// config files, and hand-written inputs of each format's awkward corners. scripts/fuzz.sh adds
// ../shared/corpus/real-mail to the message corpus at run time; ctest replays every seed
// through every target (fuzz/CMakeLists.txt).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sendguard/milter_protocol/mta_side.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/ocr_docs.h"
#include "sendguard/synth/hostile.h"
#include "sendguard/synth/layouts.h"
#include "sendguard/synth/synth.h"

namespace {

namespace fs = std::filesystem;
using namespace sendguard::synth;
using namespace std::string_literals;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The identifier-bearing lines every document seed carries.
std::vector<std::string> Lines(Rng& rng) {
  return {"Referral for " + Grouped(NhsNumber(rng), {3, 3, 4}, ' ') + ", depression",
          "NI number " + Nino(rng) + ", sort code " + Grouped(SortCode(rng), {2, 2, 2}, '-') + " account " + AccountNumber(rng),
          "Card " + Grouped(CardNumber(rng), {4, 4, 4, 4}, ' ') + " passport " + Passport(rng)};
}

std::string Chosen(unsigned char selector, const std::string& rest) { return std::string(1, static_cast<char>(selector)) + rest; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: sendguard-fuzz-seeds DIR\n");
    return 2;
  }
  Rng rng(20261206);
  std::map<std::string, std::vector<std::string>> seeds;
  const auto lines = Lines(rng);
  std::string csv = "Name,NHS Number,NI Number,Sort Code,Account Number\r\n";
  for (int i = 0; i < 20; ++i) csv += "Resident " + std::to_string(i) + "," + NhsNumber(rng) + "," + Nino(rng) + "," + SortCode(rng) + "," + AccountNumber(rng) + "\r\n";
  const std::string html = "<html><body><p>NHS no. <span style=\"color:red\">" + lines[0] +
                           "</span></p><table><tr><th>Sort Code</th><th>Account</th></tr><tr><td>" + SortCode(rng) + "</td><td>" +
                           AccountNumber(rng) + "</td></tr></table><div><b>&#57;&#52;&nbsp;3</b></div></body></html>";
  const std::vector<std::pair<std::string, std::string>> documents{
      {"docx", Docx(lines)}, {"xlsx", Xlsx(lines)}, {"pptx", Pptx(lines)}, {"odt", Odt(lines)}, {"ods", Ods(lines)},
      {"pdf", Pdf(lines)}, {"pdf-encrypted", Pdf(lines, true)}, {"rtf", Rtf(lines)},
      {"zip", ZipArchive({{"a.txt", lines[0]}, {"b.csv", csv}})}, {"zip-encrypted", ZipArchive({{"a.txt", lines[0]}}, "secret")},
      {"targz", TarGz({{"a.txt", lines[1]}})}, {"tarxz", TarXz({{"a.txt", lines[1]}})}, {"7z", SevenZip({{"a.txt", lines[2]}})},
      {"gz", Gzip("a.txt", lines[2])}, {"ole", EncryptedOfficeContainer()}, {"png", Png()},
      {"zip-overlapping", OverlappingDeflateZip(8, 4096)}};

  // Whole messages: the synthetic corpus and one message per attachment kind.
  for (const auto& m : MakeCorpus(7, 40)) seeds["message"].push_back(m.raw);
  seeds["message"].push_back(SampleReferral().raw);
  // One message per named real-world layout (BACS and payroll exports, MRZ, Outlook and Gmail
  // HTML, census returns, the evasions...).
  for (const auto& m : MakeLayoutCorpus(11, 1)) seeds["message"].push_back(m.raw);
  for (const auto& [kind, bytes] : documents) {
    seeds["message"].push_back(MessageWithAttachments("Please see attached.\r\n", {{"file." + kind, "application/octet-stream", bytes}}));
  }
  // Attachments and archives: the selector byte picks the claimed name (attachment_fuzzer.cc).
  for (size_t i = 0; i < documents.size(); ++i) {
    seeds["attachment"].push_back(Chosen(static_cast<unsigned char>(i), documents[i].second));
    seeds["archive"].push_back(documents[i].second);
  }
  seeds["attachment"].push_back(Chosen(0, csv));
  seeds["attachment"].push_back(Chosen(1, html));
  seeds["pdf"] = {Pdf(lines), Pdf(lines, true)};
  // Pictures: the signature logo (PNG), a tracking pixel (GIF), the 1x1 PNG, and a two-page TIFF.
  seeds["image"] = {Png(), SignatureLogoPng(), TrackingPixelGif(), MultiPageTiff(3, 2).bytes};
  seeds["rtf"] = {Rtf(lines), "{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0 NHS \\'39\\u52?3 476 5919\\par{\\*\\pict 0102}\\cell}"};
  seeds["html"] = {html, "<div><div><div><p>" + lines[1] + "</p></div></div>", "<script>x</script><style>p{}</style><!-- c -->" + lines[2]};
  for (unsigned char c = 0; c < 5; ++c) seeds["csv"].push_back(Chosen(c, csv));
  seeds["csv"].push_back(Chosen(2, std::string("N\0a\0m\0e\0,\0N\0H\0S\0\r\0\n\0" "9\0" "4\0" "3\0", 26)));
  // Office XML: the selector picks the member (office_xml_fuzzer.cc).
  seeds["office_xml"] = {
      Chosen(0, "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>" + lines[0] +
                    "</w:t></w:r><w:r><w:tab/><w:t xml:space=\"preserve\"> more</w:t></w:r></w:p></w:body></w:document>"),
      Chosen(1, "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>" + lines[1] + "</t></si><si><r><t>a</t></r></si></sst>"),
      Chosen(2, "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Sort Code</t></is></c><c r=\"B1\"><v>308310</v></c></row></sheetData></worksheet>"),
      Chosen(3, "<p:sld xmlns:p=\"p\" xmlns:a=\"a\"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>" + lines[2] + "</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"),
      Chosen(4, "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><w:comments><w:t>&b;</w:t></w:comments>"),
      Chosen(5, "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\"><office:body><office:text><text:p>" + lines[0] +
                    "<text:s/><text:span>x</text:span></text:p></office:text></office:body></office:document-content>"),
      Chosen(6, "<office:document-content xmlns:office=\"o\" xmlns:table=\"t\" xmlns:text=\"x\"><office:body><office:spreadsheet><table:table><table:table-row>"
                "<table:table-cell table:number-columns-repeated=\"3\"><text:p>" + lines[1] + "</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>")};
  seeds["charset"] = {"utf-8\n" + lines[0], "windows-1252\nCaf\xe9 " + lines[1], "iso-2022-jp\n\x1b$B$3$s\x1b(B",
                      "utf-16le\n9\0004\0003\0"s, "utf-7\n+ADkANAAz-", "x-unknown\n\xff\xfe\x80", "UTF-8\n\xf0\x9f\x98\x80\xc0\xaf"};
  seeds["transfer_decoding"] = {Base64(lines[0] + "\n" + lines[1]), "NHS =39=34=33 476 5919=\r\nsoft break=3D", "begin 644 a.txt\n" "M3DA3(#DT,R`T-S8@-3DQ.0``\n`\nend\n", "=?=\r\n=ZZ=\n==="};
  seeds["header_words"] = {"=?utf-8?B?" + Base64("Referral " + lines[0], false) + "?= =?iso-8859-1?Q?caf=E9?=\nfilename*0*=utf-8''%E2%82%AC%20list\nfilename*1=.csv\nname=\"x.csv\"",
                           "=?utf-8*en?q?a_b?=\nfilename*=iso-8859-1'en'%A3.txt"};
  // Rule, policy and config files as shipped.
  const fs::path rules = SENDGUARD_RULES_DIR;
  for (const auto& e : fs::directory_iterator(rules / "types")) seeds["rules"].push_back(Chosen(0, ReadFile(e.path())));
  for (const auto& e : fs::directory_iterator(rules / "dictionaries")) seeds["rules"].push_back(Chosen(1, ReadFile(e.path())));
  seeds["rules"].push_back(Chosen(2, ReadFile(rules / "context.yaml")));
  for (const auto& e : fs::directory_iterator(rules / "policies")) seeds["policy"].push_back(ReadFile(e.path()));
  seeds["config"] = {Chosen(0, ReadFile(fs::path(SENDGUARD_CONFIG_DIR) / "sendguard.yaml")),
                     Chosen(1, ReadFile(fs::path(SENDGUARD_CONFIG_DIR) / "core.yaml"))};
  // HTTP requests: the selector picks who asks (core_http_fuzzer.cc, desk_http_fuzzer.cc).
  const std::string incident = "{\"title\":\"Email to the wrong school\",\"discovered_at\":\"2026-12-01T10:00:00Z\",\"occurred_at\":\"2026-12-01T09:00:00Z\",\"source\":\"STAFF\"}";
  const std::vector<std::string> core_requests{
      "GET /healthz\n\n", "GET /api/incidents?status=DRAFT\n\n", "POST /api/incidents\ncontent-type: application/json\n\n" + incident,
      "GET /api/incidents/1\n\n", "PATCH /api/incidents/1\ncontent-type: application/json\n\n{\"nhs_grid\":{\"severity\":3}}",
      "POST /api/incidents/1/transitions\ncontent-type: application/json\n\n{\"to\":\"OPEN\",\"reason\":\"x\"}",
      "GET /\n\n", "GET /incidents/1\n\n", "POST /incidents/new\ncontent-type: application/x-www-form-urlencoded\n\ntitle=a&discovered_at=2026-12-01T10%3A00",
      "POST /incidents/1/section/ig\n\nkind=BREACH&root_cause=x", "GET /reports?from=2026-01-01&to=2026-12-31\n\n", "GET /reports/download?format=csv\n\n",
      "POST /login\ncookie: sg_login=abc\n\ncsrf=abc&name=a&password=b", "GET /staff/holds/x?t=y\n\n", "GET /self-report\n\n", "GET /admin\n\n",
      "GET /officer/" + std::string(64, 'a') + "\n\n", "POST /officer/" + std::string(64, 'a') + "\ncookie: sg_officer=ab\n\ncsrf=ab",
      "POST /incidents/1/accept\n\naccept=investigating_officer.id", "POST /incidents/1/officer-link\n\n",
      "POST /incidents/1/section/escalations\n\nescalations.siro_informed_at=2026-11-21T10%3A00",
      "POST /incidents/1/action-add\n\ndescription=a&owner_name=b&owner_id=c%40d.e&due=2026-12-31",
      "POST /incidents/1/action-waive\n\nitem=0&waived_reason=x", "POST /incidents/1/ico-submission\n\ntype=INITIAL&submitted_at=2026-12-01T10%3A00&to_follow=data_records&to_follow=dpo_contact",
      "POST /incidents/1/quarantine\n\nrecord_id=1&decision=release&reason=x", "POST /incidents/1/note\n\ntext=x",
      "POST /incidents/1/deletion-send\n\nto=a%40b.c&language=both", "POST /staff/report/0123456789abcdef0123456789abcdef\n\ngeneral=1&type=OTHER&aware=2026-12-01T10%3A00&note=x&lang=cy",
      // What the IG team sends out: letters, the ICO report, the subject access search.
      "GET /api/incidents/1/letter-draft?language=cy\n\n",
      "POST /api/incidents/1/letter\ncontent-type: application/json\n\n{\"language\":\"cy\",\"format\":\"pdf\",\"record\":\"\",\"representative_role\":\"PARENT\",\"person_name\":\"C\",\"addressee\":{\"name\":\"A\",\"address\":\"1 Road\\nTown\",\"email\":\"a@b.c\"}}",
      "GET /api/incidents/1/ico-report?layout=dspt&format=html\n\n", "GET /incidents/1/ico-report?format=pdf\n\n",
      "POST /api/subject-access\ncontent-type: application/json\n\n{\"address\":\"a@b.c\"}", "POST /subject-access\n\naddress=a%40b.c",
      "POST /incidents/1/letter-draft\n\nlanguage=en&nature=a&data=b&consequences=c&measures=d&advice=e&final=1",
      "POST /incidents/1/letter\n\nlanguage=en&format=html&record=POST&name=A&address=1+Road&email=&representative_role=",
      "GET /staff/hold/0123456789abcdef0123456789abcdef?t=0123456789abcdef0123456789abcdef&lang=cy\n\n",
      "GET /staff/report?lang=cy\n\n"};
  for (size_t i = 0; i < core_requests.size(); ++i) seeds["core_http"].push_back(Chosen(static_cast<unsigned char>(i % 11), core_requests[i]));
  const std::vector<std::string> milter_requests{
      "GET /holds/0123456789abcdef?t=abc\n\n", "POST /holds/0123456789abcdef/confirm?t=abc\n\n{\"reason\":\"x\",\"text\":\"y\",\"except_flagged\":true}",
      "POST /holds/x/cancel?t=\n\n", "POST /self-reports\n\n{\"email\":\"someone@example.gov.uk\"}", "GET /self-reports/abc?t=def\n\n",
      "POST /self-reports/abc/use?t=def\n\n{\"record_id\":1}", "GET /scan-records?message_id=%3Cx%40y%3E\n\n",
      "GET /quarantine?message_hash=" + std::string(64, 'a') + "\n\n",
      "POST /quarantine/decision\n\n{\"message_hash\":\"" + std::string(64, 'a') + "\",\"decision\":\"release\",\"by\":\"ig1\",\"reason\":\"checked\"}",
      "POST /subject-access\n\n{\"address\":\"p.jones@wrong.example.net\"}"};
  for (const auto& r : milter_requests) {
    seeds["desk_http"].push_back(Chosen(1, r));
    seeds["desk_http"].push_back(Chosen(0, r));
  }

  // Milter sessions as Postfix sends them (milter_protocol_fuzzer.cc: the first byte chooses
  // read sizes and whether end of message is answered later).
  {
    namespace mta = sendguard::milter_protocol::mta;
    const std::string one = mta::Macros('C', {{"j", "mx.council.example.gov.uk"}, {"{daemon_name}", "smtpd"}}) +
                            mta::Connect("client.example", '4', 2525, "192.0.2.10") + mta::Helo("client.example") +
                            mta::Macros('M', {{"i", "4Q1"}, {"{auth_authen}", "staff"}}) + mta::Mail({"<a@council.example.gov.uk>", "SIZE=100"}) +
                            mta::Rcpt({"<b@example.org>"}) + mta::Data() + mta::Header("Subject", "referrals") +
                            mta::Header("X-Old", "1") + mta::EndOfHeaders() + mta::BodyChunks("Referral list\r\n" + lines[0]) +
                            mta::Macros('E', {{"i", "4Q1"}}) + mta::EndOfBody();
    const std::string postfix = mta::Negotiate(6, 0x1ff, 0x1fffff) + one + mta::Abort() + one + mta::Quit();
    const std::string reuse = mta::Negotiate(6, 0x1ff, 0x1fffff) + one + mta::QuitNewConnection() + mta::Negotiate(2, 0x3f, 0x7f) + one;
    const std::string rejecting = mta::Negotiate(6, 0x1ff, 0x1fffff) + mta::Connect("h", 'U', 0, "") + mta::Mail({"<a@x>"}) +
                                  mta::Header("X-Reject", "1") + mta::EndOfHeaders() + mta::EndOfBody() + mta::Unknown("VRFY x");
    for (unsigned char control : {0x40, 0x00, 0x07, 0xc0, 0x83, 0x43}) {
      seeds["milter_protocol"].push_back(std::string(1, static_cast<char>(control)) + postfix);
    }
    seeds["milter_protocol"].push_back(std::string(1, '\x40') + reuse);
    seeds["milter_protocol"].push_back(std::string(1, '\xc1') + rejecting);
  }

  // Store settings and SQL texts (sql_text_fuzzer.cc: a setting, a newline, SQL).
  for (const char* seed :
       {"postgresql://sendguard:s3cret@pg.example/sendguard?sslmode=verify-full\nSELECT ?1, ? FROM t WHERE k = '?'",
        "host=pg dbname=sendguard password = 'two words \\' here' user=sg\nINSERT INTO t VALUES (?, ?) ON CONFLICT DO NOTHING",
        "/var/lib/sendguard/incidents.db\nSELECT \"a?\" FROM t WHERE x = ?12 AND y = ?",
        "postgres://h/d?password=x&connect_timeout=5\nUPDATE t SET a = ?2 WHERE b = ?1"}) {
    seeds["sql_text"].push_back(seed);
  }

  // Secret files and seals (secret_fuzzer.cc: the file's bytes, "\n--\n", a blob to open).
  {
    const std::string hex(64, 'a');
    const std::string ring = "# a comment\nsendguard-keyring 1\nsign   " + hex + "   # id\nverify " + std::string(40, 'b') + "\n";
    for (const std::string& seed : {std::string(32, '\x11') + "\n--\nSG2abcdnonce-nonceciphertext-tag-tag",
                                    ring + "\n--\nSG1" + std::string(40, 'x'), ring + "\n--\n",
                                    std::string("sendguard-keyring 1\nsign 00\n--\nSG2")}) {
      seeds["secret"].push_back(seed);
    }
  }

  // Compiled-rules cache entries (rules_cache_fuzzer.cc: the whole file). The real entry is
  // the target's own; these are its shape with other keys, digests and lengths.
  {
    const std::string hex(64, 'a');
    for (const std::string& seed : {"sendguard hyperscan cache 1\n" + hex + "\n" + hex + "\n5\nhello",
                                    "sendguard hyperscan cache 1\n" + hex + "\n" + hex + "\n0\n",
                                    "sendguard hyperscan cache 1\n" + hex + "\n",
                                    std::string("sendguard hyperscan cache 2\n")}) {
      seeds["rules_cache"].push_back(seed);
    }
  }

  for (const auto& [target, inputs] : seeds) {
    const fs::path dir = fs::path(argv[1]) / target;
    fs::create_directories(dir);
    for (size_t i = 0; i < inputs.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "seed-%03zu", i);
      std::ofstream(dir / name, std::ios::binary) << inputs[i];
    }
  }
  return 0;
}
