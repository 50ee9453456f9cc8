// SPDX-License-Identifier: Apache-2.0
// Readings of an ambiguous MIME entity (see mime_readings.h).
#include "mime_readings.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "mime_words.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

// One Content-Type header taken apart.
struct ContentType {
  std::string type;                     // "multipart/mixed", lower case
  std::vector<std::string> boundaries;  // every boundary parameter, in order
  std::string other_params;             // the other parameters as written ("; charset=...")
};

// Splits at ';' outside double quotes.
std::vector<std::string> SplitParams(std::string_view v) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quoted && c == '\\' && i + 1 < v.size()) {
      out.back() += v.substr(i, 2);
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == ';' && !quoted) {
      out.emplace_back();
      continue;
    }
    out.back().push_back(c);
  }
  return out;
}

std::string Unquote(std::string_view v) {
  v = common::Trim(v);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  for (size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out.push_back(v[i]);
  }
  return out;
}

ContentType Parse(std::string_view value) {
  ContentType ct;
  std::vector<std::string> pieces = SplitParams(value);
  ct.type = common::AsciiLower(common::Trim(pieces[0]));
  if (ct.type.empty()) ct.type = "text/plain";
  for (size_t i = 1; i < pieces.size(); ++i) {
    size_t eq = pieces[i].find('=');
    std::string name = common::AsciiLower(common::Trim(std::string_view(pieces[i]).substr(0, eq)));
    if (name == "boundary" && eq != std::string::npos) {
      std::string b = Unquote(std::string_view(pieces[i]).substr(eq + 1));
      if (!b.empty()) ct.boundaries.push_back(b);
    } else if (!common::Trim(pieces[i]).empty()) {
      ct.other_params += ";" + pieces[i];
    }
  }
  return ct;
}

bool IsMultipart(const ContentType& ct) { return ct.type.rfind("multipart/", 0) == 0; }

bool IsEncoding(const std::string& cte) {
  return cte == "base64" || cte == "quoted-printable" || cte == "x-uuencode" || cte == "uuencode" || cte == "x-uue";
}

std::string Decode(const std::string& body, const std::string& cte) {
  if (cte == "base64") return DecodeBase64(body);
  if (cte == "quoted-printable") return DecodeQuotedPrintable(body);
  return DecodeUuencode(body);
}

// Lines of `body` that look like MIME delimiters ("--x" or "--x--"), used at least twice.
std::vector<std::string> DelimiterLookalikes(std::string_view body) {
  std::map<std::string, int> seen;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    std::string_view line = body.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? body.size() : eol + 1;
    line = common::Trim(line);
    if (line.size() < 3 || line.size() > 76 || line.substr(0, 2) != "--") continue;
    line.remove_prefix(2);
    if (line.size() > 2 && line.substr(line.size() - 2) == "--") line.remove_suffix(2);
    if (line.find_first_of(" \t") == std::string_view::npos) ++seen[std::string(line)];
  }
  std::vector<std::string> out;
  for (const auto& [token, n] : seen) {
    if (n >= 2) out.push_back(token);
  }
  return out;
}

// Builds the readings, each once, up to a maximum.
class Readings {
 public:
  Readings(const std::vector<HeaderField>& fields, const std::function<std::string()>& body, size_t max)
      : fields_(fields), body_(body), max_(max) {}

  // Marks a reading as already walked.
  void Walked(const ContentType& ct, const std::string& boundary, const std::string& cte) { seen_.insert(Key(ct, boundary, cte)); }

  // Adds the reading of the body under `ct` (with `boundary` when multipart) and `cte`.
  void Add(const ContentType& ct, const std::string& boundary, const std::string& cte) {
    if (!seen_.insert(Key(ct, boundary, cte)).second) return;
    if (out_.size() >= max_) {
      more_ = true;
      return;
    }
    if (!have_body_) body_text_ = body_(), have_body_ = true;
    std::string e = "Content-Type: " + ct.type + ct.other_params;
    if (IsMultipart(ct) && !boundary.empty()) e += "; boundary=\"" + boundary + "\"";
    e += "\r\n";
    bool decode_first = IsMultipart(ct) && IsEncoding(cte);
    if (!cte.empty() && !decode_first) e += "Content-Transfer-Encoding: " + cte + "\r\n";
    for (const auto& f : fields_) {
      if (common::AsciiLower(f.name) == "content-disposition") {
        e += "Content-Disposition: " + f.value + "\r\n";
        break;
      }
    }
    e += "\r\n";
    e += decode_first ? Decode(body_text_, cte) : body_text_;
    out_.push_back(std::move(e));
  }
  const std::string& body() {
    if (!have_body_) body_text_ = body_(), have_body_ = true;
    return body_text_;
  }
  std::vector<std::string> Take(bool* more) {
    *more = more_;
    return std::move(out_);
  }

 private:
  // Multiparts are split as written unless decoded first; a leaf's encoding is its own.
  static std::tuple<std::string, std::string, std::string> Key(const ContentType& ct, const std::string& boundary,
                                                               const std::string& cte) {
    if (IsMultipart(ct)) return {ct.type, boundary, IsEncoding(cte) ? cte : ""};
    return {ct.type + ct.other_params, "", cte};
  }

  const std::vector<HeaderField>& fields_;
  const std::function<std::string()>& body_;
  size_t max_;
  bool have_body_ = false;
  std::string body_text_;
  std::set<std::tuple<std::string, std::string, std::string>> seen_;
  std::vector<std::string> out_;
  bool more_ = false;
};

}  // namespace

std::string MediaType(std::string_view content_type) { return Parse(content_type).type; }

std::string FirstBoundary(std::string_view content_type) {
  ContentType ct = Parse(content_type);
  return ct.boundaries.empty() ? "" : ct.boundaries.front();
}

std::vector<std::string> OtherReadings(const std::vector<HeaderField>& fields, WalkedAs walked,
                                       const std::function<std::string()>& body, size_t max, bool* more) {
  std::vector<ContentType> types;
  std::vector<std::string> encodings;
  for (const auto& f : fields) {
    std::string name = common::AsciiLower(common::Trim(f.name));
    if (name == "content-type") types.push_back(Parse(f.value));
    if (name == "content-transfer-encoding") {
      std::string cte = common::AsciiLower(common::Trim(f.value));
      if (std::find(encodings.begin(), encodings.end(), cte) == encodings.end()) encodings.push_back(cte);
    }
  }
  if (types.empty()) types.push_back(Parse("text/plain"));
  const std::string first_cte = encodings.empty() ? "" : encodings.front();
  const ContentType& first = types.front();
  const std::string first_boundary = first.boundaries.empty() ? "" : first.boundaries.front();
  Readings r(fields, body, max);
  r.Walked(first, first_boundary, walked.multipart ? "" : first_cte);
  for (const auto& ct : types) {
    if (!IsMultipart(ct)) r.Add(ct, "", first_cte);
    for (const auto& b : ct.boundaries) r.Add(ct, b, first_cte);
    if (IsMultipart(ct) && ct.boundaries.empty()) r.Add(ct, "", first_cte);
  }
  for (const auto& cte : encodings) {
    if (walked.multipart || cte != first_cte) r.Add(first, first_boundary, cte);
  }
  if (walked.multipart && !walked.split) {
    for (const auto& guess : DelimiterLookalikes(r.body())) {
      if (guess != first_boundary) r.Add(first, guess, first_cte);
    }
  }
  return r.Take(more);
}

}  // namespace sendguard::scanner
