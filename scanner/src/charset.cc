// SPDX-License-Identifier: Apache-2.0
// iconv adapter for ToUtf8 (see charset.h).
#include "charset.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <map>

#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

// Converters to UTF-8, opened once per thread and kept: opening one loads glibc's gconv
// module, and closing the last user unloads it again. Charset names come from messages, so
// at most kMaxCached are kept; others are opened and closed per use.
class ConverterCache {
 public:
  static constexpr size_t kMaxCached = 64;
  ~ConverterCache() {
    for (auto& [name, cd] : open_) {
      if (cd != kInvalid) iconv_close(cd);
    }
  }
  // A converter for `charset` (kInvalid when iconv does not know it); *owned when the caller must close it.
  iconv_t Get(const std::string& charset, bool* owned) {
    *owned = false;
    auto it = open_.find(charset);
    if (it == open_.end()) {
      iconv_t cd = iconv_open("UTF-8", charset.c_str());
      if (open_.size() >= kMaxCached) {
        *owned = cd != kInvalid;
        return cd;
      }
      it = open_.emplace(charset, cd).first;
    }
    if (it->second != kInvalid) iconv(it->second, nullptr, nullptr, nullptr, nullptr);  // reset shift state
    return it->second;
  }
  static inline const iconv_t kInvalid = reinterpret_cast<iconv_t>(-1);

 private:
  std::map<std::string, iconv_t> open_;
};

// Converts with iconv; false when the charset is unknown to iconv.
bool IconvToUtf8(std::string_view bytes, const std::string& charset, std::string* out) {
  thread_local ConverterCache cache;
  bool owned = false;
  iconv_t cd = cache.Get(charset, &owned);
  if (cd == ConverterCache::kInvalid) return false;
  out->clear();
  out->reserve(bytes.size() + bytes.size() / 4);
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char buf[4096];
  while (in_left > 0) {
    char* o = buf;
    size_t o_left = sizeof buf;
    size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
    out->append(buf, sizeof buf - o_left);
    if (rc == static_cast<size_t>(-1)) {
      if (errno == E2BIG) continue;
      // EILSEQ or EINVAL: one bad byte becomes U+FFFD, then carry on.
      out->append("\xEF\xBF\xBD");
      ++in;
      --in_left;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);
    }
  }
  if (owned) iconv_close(cd);
  return true;
}

}  // namespace

std::string_view SniffUtf16(std::string_view bytes) {
  if (bytes.size() >= 2) {
    if (bytes[0] == '\xFF' && bytes[1] == '\xFE') return "utf-16le";
    if (bytes[0] == '\xFE' && bytes[1] == '\xFF') return "utf-16be";
  }
  size_t pairs = std::min<size_t>(bytes.size(), 8192) / 2;
  if (pairs < 4) return {};
  size_t zero_even = 0, zero_odd = 0;
  for (size_t i = 0; i < pairs; ++i) {
    zero_even += bytes[2 * i] == '\0';
    zero_odd += bytes[2 * i + 1] == '\0';
  }
  // Text in Latin script: the high byte of (nearly) every pair is zero, the low byte never.
  if (zero_odd * 10 >= pairs * 7 && zero_even * 50 <= pairs) return "utf-16le";
  if (zero_even * 10 >= pairs * 7 && zero_odd * 50 <= pairs) return "utf-16be";
  return {};
}

std::string ToUtf8(std::string_view bytes, std::string_view charset) {
  std::string cs = common::AsciiLower(common::Trim(charset));
  if (cs.size() >= 2 && cs.front() == '"' && cs.back() == '"') cs = cs.substr(1, cs.size() - 2);
  bool plain = cs.empty() || cs == "us-ascii" || cs == "ascii" || cs == "utf-8" || cs == "utf8" ||
               cs == "unknown-8bit" || cs == "x-unknown";
  if (plain || cs.size() > 40) {
    if (common::IsValidUtf8(bytes)) return common::RepairUtf8(bytes);  // only NULs change
    cs = "windows-1252";  // the usual truth behind undeclared 8-bit mail
  }
  if (cs == "iso-8859-1" || cs == "latin1") cs = "windows-1252";  // superset in practice
  std::string out;
  if (IconvToUtf8(bytes, cs, &out)) return common::RepairUtf8(out);
  // A charset iconv does not know: treat it as undeclared.
  if (common::IsValidUtf8(bytes)) return common::RepairUtf8(bytes);
  if (IconvToUtf8(bytes, "windows-1252", &out)) return common::RepairUtf8(out);
  return common::RepairUtf8(bytes);
}

}  // namespace sendguard::scanner
