// SPDX-License-Identifier: Apache-2.0
// Recipient classification and lookalike-domain detection (see recipients.h).
#include "sendguard/rules/recipients.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "sendguard/common/text.h"

namespace sendguard::rules {

const char* RecipientClassName(RecipientClass c) {
  switch (c) {
    case RecipientClass::kInternal: return "internal";
    case RecipientClass::kSecure: return "secure";
    case RecipientClass::kPartner: return "partner";
    case RecipientClass::kExternal: return "external";
    case RecipientClass::kFreemail: return "freemail";
  }
  return "external";
}

std::string DomainOf(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string d = common::AsciiLower(common::Trim(address.substr(at + 1)));
  while (!d.empty() && (d.back() == '>' || d.back() == '.')) d.pop_back();
  return d;
}

bool DomainMatches(std::string_view domain, std::string_view base) {
  if (base.empty() || domain.size() < base.size()) return false;
  if (domain == base) return true;
  return domain.size() > base.size() && domain.substr(domain.size() - base.size()) == base &&
         domain[domain.size() - base.size() - 1] == '.';
}

namespace {

bool AnyMatches(std::string_view domain, const std::vector<std::string>& list) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& b) { return DomainMatches(domain, b); });
}

// Suffixes under which organisations register names (enough for UK public bodies and the
// common generic ones; a full public-suffix list is not needed for this comparison).
const char* const kTwoPartSuffixes[] = {"gov.uk", "nhs.uk", "co.uk", "org.uk", "ac.uk", "sch.uk", "police.uk",
                                        "net.uk", "ltd.uk", "plc.uk", "me.uk", "mod.uk", "gov.scot", "gov.wales"};

// Splits "bury.gov.uk" into ("bury", "gov.uk"); the name is empty for a bare suffix.
std::pair<std::string, std::string> NameAndSuffix(std::string_view d) {
  for (const char* s : kTwoPartSuffixes) {
    if (DomainMatches(d, s)) {
      size_t n = d.size() - std::char_traits<char>::length(s);
      return {std::string(n > 0 ? d.substr(0, n - 1) : ""), s};
    }
  }
  size_t dot = d.rfind('.');
  if (dot == std::string_view::npos) return {std::string(d), ""};
  return {std::string(d.substr(0, dot)), std::string(d.substr(dot + 1))};
}

// Folds characters people mistake for one another to one skeleton: the skeleton's next
// character from position *i of `d` (advancing *i), or '\0' at the end.
char NextSkeletonChar(std::string_view d, size_t* i) {
  while (*i < d.size()) {
    char c = d[*i];
    char next = *i + 1 < d.size() ? d[*i + 1] : '\0';
    ++*i;
    if (c == 'r' && next == 'n') return ++*i, 'm';
    if (c == 'v' && next == 'v') return ++*i, 'w';
    if (c == 'c' && next == 'l') return ++*i, 'd';
    switch (c) {
      case '0': return 'o';
      case '1': case 'i': case '|': return 'l';
      case '5': return 's';
      case '3': return 'e';
      case '-': case '_': continue;
      default: return c;
    }
  }
  return '\0';
}

std::string Skeleton(std::string_view d) {
  std::string out;
  size_t i = 0;
  for (char c; (c = NextSkeletonChar(d, &i)) != '\0';) out.push_back(c);
  return out;
}

// Whether `k` folds to `skeleton`, stopping at the first character that differs.
bool HasSkeleton(std::string_view k, std::string_view skeleton) {
  size_t i = 0;
  for (char s : skeleton) {
    if (NextSkeletonChar(k, &i) != s) return false;
  }
  return NextSkeletonChar(k, &i) == '\0';
}

bool HasUpper(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

// Only the band of cells within `limit` of the diagonal can hold a value that small, and a row
// whose every cell is over the limit ends the search.
size_t BoundedEditDistance(std::string_view a, std::string_view b, size_t limit) {
  const size_t over = limit + 1;
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return over;
  thread_local std::vector<size_t> rows;
  const size_t w = b.size() + 1;
  rows.assign(3 * w, over);
  size_t* before = rows.data();      // row i - 2
  size_t* previous = before + w;     // row i - 1
  size_t* current = previous + w;    // row i
  for (size_t j = 0; j < w && j <= limit; ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    const size_t from = i > limit ? i - limit : 1, to = std::min(w - 1, i + limit);
    std::fill(current, current + w, over);
    if (i <= limit) current[0] = i;
    size_t row_min = current[0];
    for (size_t j = from; j <= to; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t v = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, before[j - 2] + 1);
      current[j] = std::min(v, over);
      row_min = std::min(row_min, current[j]);
    }
    if (row_min > limit) return over;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

RecipientClass Classify(const RecipientDirectory& dir, std::string_view address) {
  std::string d = DomainOf(address);
  if (d.empty()) return RecipientClass::kExternal;
  if (AnyMatches(d, dir.internal)) return RecipientClass::kInternal;
  if (AnyMatches(d, dir.secure)) return RecipientClass::kSecure;
  if (AnyMatches(d, dir.partner)) return RecipientClass::kPartner;
  if (AnyMatches(d, dir.freemail)) return RecipientClass::kFreemail;
  return RecipientClass::kExternal;
}

std::optional<Lookalike> FindLookalikeIn(std::string_view domain_in, DomainLists organisational,
                                         const std::vector<std::string>& freemail) {
  std::string d = common::AsciiLower(domain_in);
  if (d.empty() || AnyMatches(d, freemail)) return std::nullopt;
  for (const auto* list : organisational) {
    if (AnyMatches(d, *list)) return std::nullopt;
  }
  const std::string d_skeleton = Skeleton(d);
  std::string k_lower;
  // Named, not a structured binding: the lambda below uses them (clang before 16, which builds
  // the fuzz targets, cannot capture bindings).
  const auto name_and_suffix = NameAndSuffix(d);
  const std::string& name = name_and_suffix.first;
  const std::string& suffix = name_and_suffix.second;
  std::optional<Lookalike> best;
  size_t best_rank = SIZE_MAX;  // homoglyph 0, suffix swap 1, edit distance 1 + distance
  // Returns true once nothing can rank better (a homoglyph or a borrowed name was found).
  auto consider = [&](const std::string& known, bool allow_suffix_swap) {
    std::string_view k = known;
    if (HasUpper(k)) k = k_lower = common::AsciiLower(known);
    if (HasSkeleton(k, d_skeleton)) {
      best = Lookalike{std::string(k), "homoglyph: characters that look alike"};
      best_rank = 0;
      return true;
    }
    // The name checks need the domain to start with the known domain's first label.
    const std::string_view first_label = k.substr(0, k.find('.'));
    if (allow_suffix_swap && d.compare(0, first_label.size(), first_label) == 0) {
      auto [kname, ksuffix] = NameAndSuffix(k);
      // The real domain's labels on the left of another one: bury.gov.uk.example.com, bury.gov.co.uk.
      std::string k_head = kname + "." + ksuffix.substr(0, ksuffix.find('.'));
      if (!kname.empty() && (d.starts_with(std::string(k) + ".") || d.starts_with(k_head + "."))) {
        best = Lookalike{std::string(k), "starts with " + std::string(k) + "'s own name but is another domain"};
        best_rank = 0;
        return true;
      }
      if (!name.empty() && name == kname && suffix != ksuffix) {
        if (best_rank > 1) best = Lookalike{std::string(k), "the same name under ." + suffix + " instead of ." + ksuffix}, best_rank = 1;
        return false;
      }
    }
    size_t limit = k.size() >= 8 ? 2 : 1;
    size_t dist = BoundedEditDistance(d, k, limit);
    if (dist > 0 && dist <= limit && 1 + dist < best_rank) {
      best = Lookalike{std::string(k), std::to_string(dist) + (dist == 1 ? " character" : " characters") + " different"};
      best_rank = 1 + dist;
    }
    return false;
  };
  for (const auto* list : organisational) {
    for (const auto& k : *list) {
      if (consider(k, true)) return best;
    }
  }
  for (const auto& k : freemail) {
    if (consider(k, false)) return best;
  }
  return best;
}

std::optional<Lookalike> FindLookalike(std::string_view domain, const std::vector<std::string>& organisational,
                                       const std::vector<std::string>& freemail) {
  return FindLookalikeIn(domain, {&organisational}, freemail);
}

Result<std::vector<std::string>> LoadDomainList(const std::filesystem::path& file) {
  try {
    YAML::Node doc = YAML::LoadFile(file.string());
    std::vector<std::string> out;
    if (!doc.IsMap() || !doc["domains"] || !doc["domains"].IsSequence()) {
      return InvalidArgument(file.string() + ":1: expected a map with a 'domains' list");
    }
    for (const auto& d : doc["domains"]) {
      if (!d.IsScalar() || d.Scalar().find('.') == std::string::npos) {
        return InvalidArgument(file.string() + ":" + std::to_string(d.Mark().line + 1) + ": not a domain");
      }
      out.push_back(common::AsciiLower(d.Scalar()));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file.string() + ":" + std::to_string(e.mark.line + 1) + ": bad YAML: " + e.msg);
  }
}

}  // namespace sendguard::rules
