// SPDX-License-Identifier: Apache-2.0
// The made-up people on the OCR documents and how identifiers are printed on paper
// (ocr_docs_internal.h). Names, streets and postcodes are ordinary; none is a real record.
#include <cstdio>

#include "ocr_docs_internal.h"

namespace sendguard::synth::ocr {

namespace {

const std::vector<std::string> kFemale = {"Amira", "Megan", "Ruth", "Priya", "Fatima", "Leah", "Grace", "Joanne",
                                          "Zofia", "Aisha", "Carol", "Hannah", "Sian", "Deborah"};
const std::vector<std::string> kMale = {"Tom", "Jordan", "Owen", "Sam", "Chris", "Daniel", "Ibrahim", "Gareth",
                                        "Marek", "Kwame", "Peter", "Imran", "Liam", "Stephen"};
const std::vector<std::string> kSurnames = {"Okafor", "Patel", "Hughes", "Begum", "Davies", "Clarke", "Nowak",
                                            "Murphy", "Khan", "Evans", "Thompson", "Ahmed", "Wright", "Kowalski",
                                            "Mensah", "O'Brien", "Fletcher", "Hussain", "Robinson", "Walsh"};
const std::vector<std::string> kStreets = {"Bolton Road", "Market Street", "Walmersley Road", "Rochdale Old Road",
                                           "Manchester Road", "Bell Lane", "Tottington Road", "Chapel Street",
                                           "Victoria Avenue", "Moorside Close", "Hollins Lane", "Ashworth Grove"};
struct Area {
  const char* district;
  const char* town;
  const char* outward;
};
const std::vector<Area> kAreas = {{"Fishpool", "Bury", "BL9"},        {"Elton", "Bury", "BL8"},
                                  {"Fallowfield", "Manchester", "M14"}, {"Didsbury", "Manchester", "M20"},
                                  {"Heywood", "Rochdale", "OL10"},     {"Heaton Moor", "Stockport", "SK4"},
                                  {"Headingley", "Leeds", "LS6"},      {"Bedminster", "Bristol", "BS3"},
                                  {"Hale", "Altrincham", "WA15"},      {"Heaton", "Newcastle upon Tyne", "NE6"},
                                  {"Cathays", "Cardiff", "CF24"},      {"Selly Oak", "Birmingham", "B29"}};

std::string Two(int n) {
  char b[8];
  std::snprintf(b, sizeof b, "%02d", n);
  return b;
}

}  // namespace

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

std::string DateIn2024(Rng& r) {
  const std::string day = Two(r.Between(1, 28));
  return day + "/" + Two(r.Between(1, 12)) + "/2024";
}

Person MakePerson(Rng& r, int born_from, int born_to) {
  Person p;
  const bool female = r.Chance(0.5);
  p.sex = female ? "Female" : "Male";
  p.forename = r.Pick(female ? kFemale : kMale);
  p.surname = r.Pick(kSurnames);
  const int year = r.Between(born_from, born_to);
  p.title = year > 2006 ? (female ? "Miss" : "Master") : female ? r.Pick(Words{"Mrs", "Ms", "Miss"}) : "Mr";
  const std::string day = Two(r.Between(1, 28));
  p.dob = day + "/" + Two(r.Between(1, 12)) + "/" + std::to_string(year);
  const Area& area = r.Pick(kAreas);
  std::string house = std::to_string(r.Between(1, 180));
  if (r.Chance(0.2)) house = "Flat " + std::to_string(r.Between(1, 24)) + ", " + house;
  p.address = {house + " " + r.Pick(kStreets), std::string(area.district) + ", " + area.town};
  static const char kInward[] = "ABDEFGHJLNPQRSTUWXYZ";  // never C, I, K, M, O or V
  p.postcode = std::string(area.outward) + " " + std::to_string(r.Between(0, 9));
  p.postcode += kInward[r.Between(0, 19)];
  p.postcode += kInward[r.Between(0, 19)];
  p.phone = r.Chance(0.5) ? "0161 496 0" + r.Digits(3) : "07700 900" + r.Digits(3);
  return p;
}

std::string ShowNhs(const std::string& v) { return Grouped(v, {3, 3, 4}, ' '); }
std::string ShowNino(const std::string& v) {
  return v.substr(0, 2) + " " + Grouped(v.substr(2, 6), {2, 2, 2}, ' ') + " " + v.substr(8);
}
std::string ShowSort(const std::string& v) { return Grouped(v, {2, 2, 2}, '-'); }
std::string ShowIban(const std::string& v) { return Grouped(v, {4, 4, 4, 4, 4, 4}, ' '); }
std::string ShowCard(const std::string& v) {
  return v.size() == 15 ? Grouped(v, {4, 6, 5}, ' ') : Grouped(v, {4, 4, 4, 4}, ' ');
}

}  // namespace sendguard::synth::ocr
