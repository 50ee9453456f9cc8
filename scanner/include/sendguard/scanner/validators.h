// SPDX-License-Identifier: Apache-2.0
// Validators: check a candidate's structure and checksum, and give its normalised form
// (spec/infotypes.md). Pure functions, thread-safe. Named in rule files by `validator:`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sendguard::scanner {

// Returns the normalised value when `candidate` is valid for validator `name`.
using ValidatorFn = std::optional<std::string> (*)(std::string_view candidate);

// The validator called `name`, or nullptr when there is none of that name.
ValidatorFn FindValidator(std::string_view name);
// Every validator name, for error messages and docs.
std::vector<std::string> ValidatorNames();

// The individual checks, exposed for tests and the synthetic-data generator.
bool NhsMod11(std::string_view ten_digits);
bool Luhn(std::string_view digits);
// ICAO 9303 check digit of an MRZ field (weights 7, 3, 1; A-Z = 10-35, '<' = 0).
int MrzCheckDigit(std::string_view field);
bool CardIssuerPlausible(std::string_view digits);
bool IbanMod97(std::string_view compact_upper);
bool UpnMod23(std::string_view upn);
bool NinoPrefixAllowed(std::string_view two_letters);
bool RealDate(int year, int month, int day);

// Masks `value` keeping at most `clear` trailing alphanumerics (fewer for short values)
// and the separators, e.g. "083 016 6130" -> "*** *** 6130".
std::string MaskValue(std::string_view value, int clear);

}  // namespace sendguard::scanner
