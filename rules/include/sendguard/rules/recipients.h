// SPDX-License-Identifier: Apache-2.0
// Recipient classes and lookalike domains: pure functions over addresses and the
// organisation's domain lists. No I/O here except loading the shipped free-mail list.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sendguard/common/status.h"

namespace sendguard::rules {

// Where a recipient sits, from most to least trusted.
enum class RecipientClass { kInternal, kSecure, kPartner, kExternal, kFreemail };
const char* RecipientClassName(RecipientClass c);

// The organisation's view of domains. A domain matches itself and its subdomains.
struct RecipientDirectory {
  std::vector<std::string> internal;  // the organisation's own mail domains
  std::vector<std::string> secure;    // secure-mail domains (e.g. an NHSmail or GCSX equivalent)
  std::vector<std::string> partner;   // partner bodies: NHS, police, named councils and schools
  std::vector<std::string> freemail;  // personal free-mail providers (rules/recipients/freemail.yaml)
};

// The lower-case domain of an address ("" when there is none).
std::string DomainOf(std::string_view address);

// True when `domain` is `base` or a subdomain of it.
bool DomainMatches(std::string_view domain, std::string_view base);

// The class of `address` (internal, secure and partner win over free-mail; everything else is external).
RecipientClass Classify(const RecipientDirectory& directory, std::string_view address);

// The optimal string alignment distance of `a` and `b` (Levenshtein plus adjacent
// transpositions) when it is at most `limit`, else limit + 1.
size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t limit);

// Why a domain looks like a known one.
struct Lookalike {
  std::string resembles;  // the known domain it imitates
  std::string how;        // "1 character different", "homoglyph", "different top-level domain", ...
};

// Whether `domain` imitates a known domain without being it (or a subdomain of it): the
// same after folding homoglyphs (0/o, 1/l, rn/m, vv/w ...), within edit distance 1 (2 for
// domains of 8 characters or more), or, for organisational domains only, the same name under
// another suffix (nhs.net -> nhs.com) or the real domain's labels on the left of another
// domain (bury.gov.uk.example.com, bury.gov.co.uk). `organisational` are the internal, secure, partner and
// previously used domains; `freemail` providers are imitated too (gmial.com) but their own
// country variants (yahoo.fr) are not flagged.
std::optional<Lookalike> FindLookalike(std::string_view domain, const std::vector<std::string>& organisational,
                                       const std::vector<std::string>& freemail = {});

// The same with the organisational domains in several lists, taken in turn (none is copied):
// the internal, secure and partner lists and the history's used domains.
using DomainLists = std::initializer_list<const std::vector<std::string>*>;
std::optional<Lookalike> FindLookalikeIn(std::string_view domain, DomainLists organisational,
                                         const std::vector<std::string>& freemail);

// Reads `domains:` from a recipients YAML file (the shipped free-mail list).
Result<std::vector<std::string>> LoadDomainList(const std::filesystem::path& file);

}  // namespace sendguard::rules
