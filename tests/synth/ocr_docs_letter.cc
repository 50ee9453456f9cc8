// SPDX-License-Identifier: Apache-2.0
// The scanned-letter layout of the OCR corpus: letterhead, the address block where a window
// envelope shows it, references and date, a "Re:" heading and the body, as a clinic letter to
// a GP, a benefits letter or a housing-register letter. The identifiers come from synth.h.
#include <cstdio>
#include <cstdlib>

#include "ocr_docs_internal.h"

namespace sendguard::synth::ocr {

namespace {

constexpr double kLeft = 62, kTextWidth = kA4Width - 2 * kLeft;
// Keeps a value on one line: spaces become no-break spaces.
std::string NoBreak(const std::string& v) {
  std::string out;
  for (char ch : v) out += ch == ' ' ? std::string("\u00a0") : std::string(1, ch);
  return out;
}

std::string LongDate(Rng& r) {
  static const char* kMonths[] = {"January", "February", "March", "April", "May", "June", "July",
                                  "August", "September", "October", "November", "December"};
  const int day = r.Between(1, 28);
  return std::to_string(day) + " " + kMonths[r.Between(0, 11)] + " 2024";
}

struct Letter {
  std::string org, dept, ref;
  Person to;
  std::string salutation;
  std::vector<std::string> re;     // heading lines, the first in bold
  std::vector<std::string> body;   // paragraphs
  std::string signer, signer_role;
  // What each part carries: re line i as -1 - i, body paragraph k as k.
  std::vector<std::pair<int, Planted>> planted;
};

// A consultant's letter to the patient's GP after a clinic.
Letter ClinicLetter(Rng& r, const Person& patient) {
  Letter l{"Westbrook NHS Foundation Trust", "Memory Assessment Service", "MAS/" + r.Digits(6), MakePerson(r, 1960, 1985),
           "", {}, {}, "", "Consultant Old Age Psychiatrist", {}};
  l.to.title = "Dr";
  l.to.address[0] = "Moorside Medical Practice, " + l.to.address[0];
  l.salutation = "Dear Dr " + l.to.surname + ",";
  const std::string nhs = NhsNumber(r);
  const std::string label = r.Chance(0.5) ? "NHS No. " : "NHS number: ";
  l.re = {"Re: " + patient.forename + " " + Upper(patient.surname) + "   DOB " + patient.dob,
          label + ShowNhs(nhs) + "   Hospital No. RM" + r.Digits(6),
          patient.address[0] + ", " + patient.address[1] + " " + patient.postcode};
  l.planted = {{-2, {"uk.nhs_number", nhs}}};
  l.body = {"I saw " + patient.title + " " + patient.surname + " in the memory clinic today with " +
                (patient.sex == "Female" ? "her" : "his") + " daughter. There is an 18-month history of increasing "
                "forgetfulness, repeating questions and getting lost on familiar routes. ACE-III was 71/100 with "
                "deficits in memory and fluency.",
            "Diagnosis: mild Alzheimer's disease. We discussed the diagnosis and the DVLA has been informed. I "
            "have started donepezil 5 mg at night, increasing to 10 mg after four weeks if tolerated.",
            "Please could you check the pulse and ECG before the dose is increased. We will review in clinic in "
            "three months. A copy of this letter has been sent to the patient."};
  const Person signer = MakePerson(r, 1965, 1985);
  l.signer = "Dr " + signer.forename + " " + signer.surname;
  return l;
}

// The council telling a claimant about Housing Benefit and where it is paid.
Letter BenefitsLetter(Rng& r, const Person& claimant) {
  Letter l{"Northfield Metropolitan Borough Council", "Revenues and Benefits", "HB/" + r.Digits(8), claimant,
           "Dear " + claimant.title + " " + claimant.surname + ",", {}, {}, "", "Benefits Officer", {}};
  const std::string nino = Nino(r), sort = SortCode(r), account = AccountNumber(r);
  l.re = {"Re: Housing Benefit and Council Tax Reduction", "National Insurance number: " + ShowNino(nino)};
  l.planted = {{-2, {"uk.nino", nino}}, {1, {"uk.bank_account", sort + ":" + account}}};
  l.body = {"We have reassessed your claim because your income changed on " + DateIn2024(r) + ". From Monday 1 April "
            "2024 your Housing Benefit will be £84.20 a week and your Council Tax Reduction £11.35 a week.",
            "We will pay your Housing Benefit every four weeks into your bank account, sort code " +
                NoBreak(ShowSort(sort)) + ", account number " + account + ". If these details are wrong, tell us "
                "straight away.",
            "If you disagree with this decision you can ask us to look at it again. You must do this within one "
            "month of the date of this letter. Please quote the reference above when you contact us."};
  const Person signer = MakePerson(r, 1970, 1995);
  l.signer = signer.forename + " " + signer.surname;
  return l;
}

// The housing team acknowledging an application and the documents it saw.
Letter HousingLetter(Rng& r, const Person& applicant) {
  Letter l{"Northfield Metropolitan Borough Council", "Housing Options", "HA/2024/" + r.Digits(5), applicant,
           "Dear " + applicant.title + " " + applicant.surname + ",", {"Re: Your application to join the housing register"},
           {}, "", "Housing Options Officer", {}};
  const std::string nino = Nino(r);
  std::string seen;
  if (r.Chance(0.5)) {
    const std::string passport = Passport(r);
    seen = "your passport (number " + passport + ")";
    l.planted.push_back({0, {"uk.passport", passport}});
  } else {
    const std::string licence = DrivingLicence(r);
    seen = "your photocard driving licence (" + licence + ")";
    l.planted.push_back({0, {"uk.driving_licence", licence}});
  }
  l.body = {"Thank you for your application, which we received on " + DateIn2024(r) + ". We have confirmed your "
            "identity from " + seen + " and your National Insurance number, " + NoBreak(ShowNino(nino)) + ".",
            "Your application has been placed in Band C with an effective date of " + DateIn2024(r) + ". You can "
            "bid for properties advertised on the choice-based lettings website every week from Thursday.",
            "You must tell us about any change in your household or circumstances. If you do not bid for twelve "
            "months we may close your application."};
  l.planted.push_back({0, {"uk.nino", nino}});
  const Person signer = MakePerson(r, 1970, 1995);
  l.signer = signer.forename + " " + signer.surname;
  return l;
}

// Letterhead, address block, references and date.
double DrawHead(Canvas& c, Rng& r, const Letter& l, const std::string& font) {
  const double right = kA4Width - kLeft;
  c.SetFont(font, 16, true);
  c.TextRight(right, 44, l.org);
  c.SetFont(font, 10);
  c.TextRight(right, 66, l.dept);
  c.SetFont(font, 8);
  double y = 82;
  for (const char* line : {"Town Hall, Knowsley Street", "Northfield NF1 1AA", "Tel 0161 496 0000",
                           "www.northfield.example.gov.uk"}) {
    y += c.TextRight(right, y, line).h;
  }
  c.Line(kLeft, y + 6, right, y + 6, 0.8);
  c.SetFont(font, 10.5);
  y = 150;
  for (const auto& line : std::vector<std::string>{l.to.title + " " + l.to.forename + " " + l.to.surname, l.to.address[0],
                                                   l.to.address[1], l.to.postcode}) {
    y += c.Text(kLeft, y, line).h;
  }
  c.SetFont(font, 9.5);
  double ry = 150;
  for (const auto& line : std::vector<std::string>{"Our ref: " + l.ref, "Date: " + LongDate(r), "Please ask for: " + l.signer,
                                                   "Direct line: 0161 496 0" + r.Digits(3)}) {
    ry += c.Text(kA4Width - kLeft - 185, ry, line).h + 1;
  }
  return 250;
}

}  // namespace

Page ScannedLetter(Rng& r, int dpi) {
  Canvas c(A4WidthPx(dpi), A4HeightPx(dpi), dpi / 72.0, dpi, kMaxSkewDeg);
  const std::string font = r.Chance(0.55) ? r.Pick(SerifFonts()) : r.Pick(SansFonts());
  const double size = r.Between(100, 120) / 10.0;
  const Person person = MakePerson(r, 1935, 1990);
  const int type = r.Between(0, 2);
  const Letter l = type == 0   ? ClinicLetter(r, person)
                   : type == 1 ? BenefitsLetter(r, person)
                               : HousingLetter(r, person);
  auto plant = [&](int part, const Box& drawn) {
    for (const auto& [where, p] : l.planted) {
      if (where == part) c.Plant(p.type, p.normalized, drawn);
    }
  };
  double y = DrawHead(c, r, l, font);
  c.SetFont(font, size);
  y += c.Text(kLeft, y, l.salutation).h + size;
  for (size_t i = 0; i < l.re.size(); ++i) {
    c.SetFont(font, size, i == 0);
    const Box drawn = c.Text(kLeft, y, l.re[i]);
    plant(-1 - static_cast<int>(i), drawn);
    y += drawn.h;
  }
  y += size;
  c.SetFont(font, size);
  for (size_t k = 0; k < l.body.size(); ++k) {
    const double h = c.Paragraph(kLeft, y, kTextWidth, l.body[k], 1.1);
    plant(static_cast<int>(k), {kLeft, y, kTextWidth, h});
    y += h + size * 0.8;
  }
  y += c.Text(kLeft, y, "Yours sincerely").h;
  c.Scribble({kLeft + 4, y + 4, 120, 30}, r);
  y += 40;
  y += c.Text(kLeft, y, l.signer).h;
  y += c.Text(kLeft, y, l.signer_role).h;
  const double foot = kA4Height - 40;
  if (y > foot - 10) {
    std::fprintf(stderr, "ocr_docs: letter runs into its footer (y %.0f)\n", y);
    std::abort();
  }
  c.SetFont(font, 7.5);
  const std::string footer = "Northfield Metropolitan Borough Council, Town Hall, Knowsley Street, Northfield NF1 1AA";
  c.Text((kA4Width - c.Measure(footer).w) / 2, foot, footer);
  return {c.Pixels(), dpi, c.TakePlanted()};
}

}  // namespace sendguard::synth::ocr
