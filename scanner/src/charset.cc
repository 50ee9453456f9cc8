// iconv adapter for ToUtf8 (see charset.h).
#include "charset.h"

#include <errno.h>
#include <iconv.h>

#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

// Converts with iconv; false when the charset is unknown to iconv.
bool IconvToUtf8(std::string_view bytes, const std::string& charset, std::string* out) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
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
  iconv_close(cd);
  return true;
}

}  // namespace

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
  if (!IconvToUtf8(bytes, cs, &out)) return common::RepairUtf8(bytes);
  return common::RepairUtf8(out);
}

}  // namespace sendguard::scanner
