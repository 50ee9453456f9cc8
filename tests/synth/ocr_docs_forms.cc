// SPDX-License-Identifier: Apache-2.0
// The two form layouts of the OCR corpus: a GP or social-care referral form (adult or child)
// and a bank-details form (a payroll mandate, or a council tax refund to a bank or card).
// Written from how such forms are laid out; the identifiers come from synth.h.
#include "ocr_docs_form.h"

#include <algorithm>

namespace sendguard::synth::ocr {

namespace {

const Words kPractices = {"Moorside Medical Practice", "The Elms Surgery", "Chapel Street Health Centre",
                          "Hollins Park Group Practice", "Victoria Road Surgery"};
const Words kBanks = {"Northern Counties Bank", "Western & Midland Bank", "Pennine Building Society",
                      "Harbour Savings Bank", "Union Mutual Building Society"};

std::string Reason(Rng& r, const Person& p, bool child) {
  const std::string who = child ? p.forename : p.title + " " + p.surname;
  const Words adult = {
      who + " was seen at home following a fall on " + DateIn2024(r) + ". Lives alone and is struggling with "
            "personal care and preparing meals. Daughter visits twice a week but works full time. Requesting an "
            "assessment of care and support needs under the Care Act 2014.",
      "Referred for memory assessment. Family report increasing forgetfulness over 18 months and getting lost in "
      "familiar places. MMSE 21/30 at the surgery on " + DateIn2024(r) + ". No known history of stroke. " + who +
          " is aware of and agrees to the referral.",
      who + " reports low mood, poor sleep and thoughts of self-harm since losing employment in March. PHQ-9 "
            "score 19. Started sertraline 50mg. Requesting assessment by the community mental health team."};
  const Words young = {
      who + " has been increasingly withdrawn at school and has missed 14 days this term. Mum reports low mood "
            "and episodes of self-harm. School nurse has concerns about neglect at home. Requesting an early help "
            "assessment and CAMHS involvement.",
      who + " disclosed to a teaching assistant on " + DateIn2024(r) + " that an adult at home hits them when "
            "angry. Bruising to the upper arm was seen. Parents not yet informed, on the advice of the MASH."};
  return r.Pick(child ? young : adult);
}

// Sort code and account number, in character boxes or in ordinary cells.
Box BankDetails(FormWriter& f, Rng& r, const std::string& sort, const std::string& account) {
  if (r.Chance(0.6)) {
    const Box s = f.CharBoxes("Sort code", sort, {2, 2, 2}, "-");
    const Box a = f.CharBoxes("Account number", account, {8}, "");
    const double x0 = std::min(s.x, a.x), x1 = std::max(s.x + s.w, a.x + a.w);
    return {x0, s.y, x1 - x0, a.y + a.h - s.y};
  }
  auto drawn = f.Row({{"Sort code", ShowSort(sort)}, {"Account number", account}});
  return {drawn[0].x, drawn[0].y, drawn[1].x + drawn[1].w - drawn[0].x, drawn[0].h};
}

}  // namespace

Page ReferralForm(Rng& r, int dpi) {
  Canvas c(A4WidthPx(dpi), A4HeightPx(dpi), dpi / 72.0, dpi, kMaxSkewDeg);
  FormWriter f(c, FormStyle::Random(r));
  const bool child = r.Chance(0.35);
  const Person p = child ? MakePerson(r, 2008, 2019) : MakePerson(r, 1930, 2000);
  const std::string nhs = NhsNumber(r);
  const std::string nhs_label = r.Pick(Words{"NHS No.", "NHS Number", "NHS number"});
  const std::string dob_label = r.Pick(Words{"Date of birth", "DOB", "D.O.B."});
  const std::string nhs_shown = r.Chance(0.85) ? ShowNhs(nhs) : nhs;
  if (child) {
    f.Heading("Northfield Metropolitan Borough Council",
              r.Pick(Words{"Multi-Agency Referral Form (MARF)", "Request for Early Help Support"}),
              "If a child is at immediate risk of harm call 999. Send the completed form to the MASH by secure email; "
              "incomplete referrals will be returned.");
    f.Section("1. CHILD'S DETAILS");
    f.Row({{"Child's surname", f.Fill(p.surname)}, {"Forename(s)", f.Fill(p.forename)}});
    f.Row({{dob_label, p.dob}, {"Gender", p.sex}});
    const std::string upn = Upn(r);
    auto drawn = f.Row({{nhs_label, nhs_shown}, {"UPN", upn}});
    c.Plant("uk.nhs_number", nhs, drawn[0]);
    c.Plant("uk.upn", upn, drawn[1]);
    const int year_group = std::clamp(2024 - std::stoi(p.dob.substr(6)) - 5, 1, 13);  // as of September 2024
    f.Row({{"School", year_group > 6 ? "Northfield Academy" : "St Anne's C of E Primary"},
           {"Year group", "Year " + std::to_string(year_group)}});
    f.Row({{"Address", f.Fill(p.address[0] + "\n" + p.address[1])}}, 2);
    f.Row({{"Postcode", p.postcode}, {"Home telephone", p.phone}});
    f.Row({{"Parent/carer", f.Fill(MakePerson(r, 1975, 1995).forename + " " + p.surname)},
           {"Relationship", r.Pick(Words{"Mother", "Father", "Grandmother"})}});
  } else {
    f.Heading(r.Pick(Words{"Northfield Metropolitan Borough Council", "Westbrook NHS Foundation Trust",
                                              "Ashdown Primary Care Network"}),
              r.Pick(Words{"Adult Social Care Referral", "Referral to Community Mental Health Team",
                                              "District Nursing Referral"}),
              "Please complete all sections in BLOCK CAPITALS. Incomplete referrals may be returned to the referrer.");
    f.Section(r.Chance(0.5) ? "1. PATIENT DETAILS" : "1. PERSON'S DETAILS");
    f.Row({{"Surname", f.Fill(p.surname)}, {"Forename(s)", f.Fill(p.forename)}});
    f.Row({{"Title", p.title}, {dob_label, p.dob}});
    const std::string nino = Nino(r);
    auto drawn = f.Row({{nhs_label, nhs_shown},
                        {r.Pick(Words{"NI number", "NI No.", "National Insurance No."}),
                         r.Chance(0.8) ? ShowNino(nino) : nino}});
    c.Plant("uk.nhs_number", nhs, drawn[0]);
    c.Plant("uk.nino", nino, drawn[1]);
    f.Row({{"Gender", p.sex}, {"Ethnicity", r.Pick(Words{"White British", "Pakistani", "Black African",
                                                                            "White Irish", "Not stated"})}});
    f.Row({{"Address", f.Fill(p.address[0] + "\n" + p.address[1])}}, 2);
    f.Row({{"Postcode", p.postcode}, {"Telephone", p.phone}});
    f.Row({{"GP practice", r.Pick(kPractices)}, {"Interpreter", r.Chance(0.8) ? "No" : "Yes - Polish"}});
  }
  f.y += 8;
  f.Section("2. REFERRER DETAILS");
  const Person referrer = MakePerson(r, 1960, 1995);
  f.Row({{"Name", referrer.forename + " " + referrer.surname},
         {"Role", r.Pick(Words{"GP", "Social Worker", "School Nurse", "District Nurse"})}});
  f.Row({{"Organisation", r.Pick(kPractices)}, {"Telephone", "0161 496 0" + r.Digits(3)}});
  f.Row({{"Email", Upper(referrer.surname.substr(0, 1)) + "." + referrer.surname + "@nhs.example.net"},
         {"Date of referral", DateIn2024(r)}});
  f.y += 8;
  f.Section("3. REASON FOR REFERRAL");
  f.TextBox(Reason(r, p, child), 92);
  f.Section("4. CONSENT");
  f.y += 6;
  f.TickBoxes("Has the person (or parent) consented to this referral?", {"Yes", "No"}, r.Chance(0.9) ? 0 : 1);
  f.TickBoxes("Are there any risks to a lone worker visiting?", {"Yes", "No"}, 1);
  f.Signature(r, DateIn2024(r));
  f.Footer(child ? "CSC-MARF v4.1 (01/2024)" : "ASC-R1 v3.2 (04/2024)");
  return {c.Pixels(), dpi, c.TakePlanted()};
}

Page BankDetailsForm(Rng& r, int dpi) {
  Canvas c(A4WidthPx(dpi), A4HeightPx(dpi), dpi / 72.0, dpi, kMaxSkewDeg);
  FormWriter f(c, FormStyle::Random(r));
  const Person p = MakePerson(r, 1955, 2003);
  const std::string name = p.forename + " " + p.surname;
  const std::string sort = SortCode(r), account = AccountNumber(r);
  if (r.Chance(0.6)) {  // payroll mandate
    f.Heading("Northfield Metropolitan Borough Council",
              r.Pick(Words{"Payroll: Employee Bank Details", "Direct Credit Mandate: New or Changed Bank Details"}),
              "Complete this form to tell Payroll where to pay your salary. Forms received after the 10th take effect "
              "from the following month. Do not send bank statements.");
    f.Section("1. EMPLOYEE DETAILS");
    f.Row({{"Full name", f.Fill(name)}, {"Employee no.", std::to_string(r.Between(100000, 999999))}});
    f.Row({{"Job title", r.Pick(Words{"Care Assistant", "Refuse Collector", "Librarian", "Planning Officer"})},
           {"Department", r.Pick(Words{"Adult Care", "Environment", "Culture", "Place"})}});
    const std::string nino = Nino(r);
    f.y += 4;
    if (r.Chance(0.5)) c.Plant("uk.nino", nino, f.CharBoxes("National Insurance number", nino, {2, 2, 2, 2, 1}, ""));
    else c.Plant("uk.nino", nino, f.Row({{"National Insurance number", ShowNino(nino)}})[0]);
    f.Row({{"Home address", f.Fill(p.address[0] + "\n" + p.address[1])}}, 2);
    f.Row({{"Postcode", p.postcode}, {"Telephone", p.phone}});
    f.y += 8;
    f.Section("2. BANK OR BUILDING SOCIETY");
    f.Row({{"Name of bank or building society", r.Pick(kBanks)}});
    f.Row({{"Account holder name(s)", f.Fill(name)}});
    f.y += 6;
    c.Plant("uk.bank_account", sort + ":" + account, BankDetails(f, r, sort, account));
    f.CharBoxes("Roll number (building societies only)", "", {10}, "");
    if (r.Chance(0.35)) {
      const std::string iban = GbIban(r);
      c.Plant("iban", iban, f.Row({{"IBAN (if known)", ShowIban(iban)}})[0]);
    }
  } else {  // a refund, to the bank or to the card that paid
    f.Heading("Northfield Metropolitan Borough Council",
              r.Pick(Words{"Council Tax: Request for a Refund", "Business Rates: Refund Application"}),
              "We can only refund to the account holder or to the card used to make the payment. Refunds are made "
              "within 10 working days of receiving a completed form.");
    f.Section("1. YOUR DETAILS");
    f.Row({{"Account reference", "6" + r.Digits(7)}, {"Date", DateIn2024(r)}});
    f.Row({{"Name", f.Fill(p.title + " " + name)}});
    f.Row({{"Address", f.Fill(p.address[0] + "\n" + p.address[1])}}, 2);
    f.Row({{"Postcode", p.postcode}, {"Telephone", p.phone}});
    f.y += 8;
    f.Section("2. HOW WOULD YOU LIKE TO BE REFUNDED?");
    f.y += 6;
    const bool card = r.Chance(0.5);
    f.TickBoxes("Refund method", {"Bank transfer", "Card used to pay"}, card ? 1 : 0);
    if (card) {
      const std::string number = CardNumber(r);
      const std::vector<int> groups = number.size() == 15 ? std::vector<int>{4, 6, 5} : std::vector<int>{4, 4, 4, 4};
      if (r.Chance(0.5)) c.Plant("pci.card", number, f.CharBoxes("Long card number", number, groups, ""));
      else c.Plant("pci.card", number, f.Row({{"Card number", ShowCard(number)}})[0]);
      const std::string month = "0" + std::to_string(r.Between(1, 9));
      f.Row({{"Name on card", f.Fill(name)}, {"Expiry (MM/YY)", month + "/2" + std::to_string(r.Between(5, 9))}});
    } else {
      f.Row({{"Name of bank", r.Pick(kBanks)}});
      f.y += 6;
      c.Plant("uk.bank_account", sort + ":" + account, BankDetails(f, r, sort, account));
    }
  }
  f.y += 8;
  f.Section("3. DECLARATION");
  f.y += 4;
  f.SmallPrint("I confirm that the details above are correct and that I am the account holder. I understand that any "
               "overpayment made because of incorrect details will be recovered.");
  f.Signature(r, DateIn2024(r));
  f.Section("FOR OFFICE USE ONLY");
  f.Row({{"Input by", Upper(MakePerson(r, 1970, 1990).forename.substr(0, 2))},
         {"Date", DateIn2024(r)},
         {"Batch", "B" + r.Digits(5)}});
  f.Footer("FIN-07 Bank details (rev. 2023)");
  return {c.Pixels(), dpi, c.TakePlanted()};
}

}  // namespace sendguard::synth::ocr
