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
std::pair<std::string, std::string> NameAndSuffix(const std::string& d) {
  for (const char* s : kTwoPartSuffixes) {
    if (DomainMatches(d, s)) {
      size_t n = d.size() - std::char_traits<char>::length(s);
      return {n > 0 ? d.substr(0, n - 1) : "", s};
    }
  }
  size_t dot = d.rfind('.');
  if (dot == std::string::npos) return {d, ""};
  return {d.substr(0, dot), d.substr(dot + 1)};
}

// Folds characters people mistake for one another to one skeleton.
std::string Skeleton(const std::string& d) {
  std::string out;
  for (size_t i = 0; i < d.size(); ++i) {
    char c = d[i];
    char next = i + 1 < d.size() ? d[i + 1] : '\0';
    if (c == 'r' && next == 'n') { out.push_back('m'); ++i; continue; }
    if (c == 'v' && next == 'v') { out.push_back('w'); ++i; continue; }
    if (c == 'c' && next == 'l') { out.push_back('d'); ++i; continue; }
    switch (c) {
      case '0': out.push_back('o'); break;
      case '1': case 'i': case '|': out.push_back('l'); break;
      case '5': out.push_back('s'); break;
      case '3': out.push_back('e'); break;
      case '-': case '_': break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

RecipientClass Classify(const RecipientDirectory& dir, std::string_view address) {
  std::string d = DomainOf(address);
  if (d.empty()) return RecipientClass::kExternal;
  if (AnyMatches(d, dir.internal)) return RecipientClass::kInternal;
  if (AnyMatches(d, dir.secure)) return RecipientClass::kSecure;
  if (AnyMatches(d, dir.partner)) return RecipientClass::kPartner;
  if (AnyMatches(d, dir.freemail)) return RecipientClass::kFreemail;
  return RecipientClass::kExternal;
}

std::optional<Lookalike> FindLookalike(std::string_view domain_in, const std::vector<std::string>& organisational,
                                       const std::vector<std::string>& freemail) {
  std::string d = common::AsciiLower(domain_in);
  if (d.empty() || AnyMatches(d, organisational) || AnyMatches(d, freemail)) return std::nullopt;
  std::optional<Lookalike> best;
  size_t best_rank = SIZE_MAX;  // homoglyph 0, suffix swap 1, edit distance 1 + distance
  auto consider = [&](const std::string& known, bool allow_suffix_swap) {
    std::string k = common::AsciiLower(known);
    if (Skeleton(d) == Skeleton(k)) {
      if (best_rank > 0) best = Lookalike{k, "homoglyph: characters that look alike"}, best_rank = 0;
      return;
    }
    auto [name, suffix] = NameAndSuffix(d);
    auto [kname, ksuffix] = NameAndSuffix(k);
    // The real domain's labels on the left of another one: bury.gov.uk.example.com, bury.gov.co.uk.
    std::string k_head = kname + "." + ksuffix.substr(0, ksuffix.find('.'));
    if (allow_suffix_swap && !kname.empty() && (d.rfind(k + ".", 0) == 0 || d.rfind(k_head + ".", 0) == 0)) {
      if (best_rank > 0) best = Lookalike{k, "starts with " + k + "'s own name but is another domain"}, best_rank = 0;
      return;
    }
    if (allow_suffix_swap && !name.empty() && name == kname && suffix != ksuffix) {
      if (best_rank > 1) best = Lookalike{k, "the same name under ." + suffix + " instead of ." + ksuffix}, best_rank = 1;
      return;
    }
    size_t limit = k.size() >= 8 ? 2 : 1;
    size_t dist = EditDistance(d, k);
    if (dist > 0 && dist <= limit && 1 + dist < best_rank) {
      best = Lookalike{k, std::to_string(dist) + (dist == 1 ? " character" : " characters") + " different"};
      best_rank = 1 + dist;
    }
  };
  for (const auto& k : organisational) consider(k, true);
  for (const auto& k : freemail) consider(k, false);
  return best;
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
