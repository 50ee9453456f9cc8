// SPDX-License-Identifier: Apache-2.0
// Messages laid out as council staff and their systems actually write them (BACS and
// payroll exports, passport scans with the MRZ, NHS referral letters, school census
// returns, Outlook and Gmail HTML, CSV/XLSX exports with header rows), each layout named so
// recall can be reported per layout. Written from the documents' own conventions, not from
// the scanner's rules. Every value is computed from a seed; nothing is real.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sendguard/synth/synth.h"

namespace sendguard::synth {

struct LayoutMessage {
  std::string layout;              // e.g. "bacs_standard18_csv"
  std::string raw;                 // a complete RFC 5322 message
  std::vector<Planted> planted;    // every identifier it carries
  std::string reader_text;         // what a person reading it sees (for the naive oracle)
};

// The names of every layout, in a fixed order.
std::vector<std::string> LayoutNames();

// `per_layout` messages of every layout. Same seed, same corpus.
std::vector<LayoutMessage> MakeLayoutCorpus(uint64_t seed, int per_layout);

// Line 2 of a UK passport's TD3 machine-readable zone (ICAO 9303 part 4): the number, the
// dates (YYMMDD) and sex, each check digit, a blank personal-number field, the composite.
std::string MrzLine2(const std::string& number, const std::string& dob, char sex, const std::string& expiry);

// Quoted-printable as a mail client writes it: lines of at most 76 characters ending in a
// soft break ("=\r\n") wherever they fall, so numbers are split anywhere.
std::string QuotedPrintable(const std::string& text);

}  // namespace sendguard::synth
