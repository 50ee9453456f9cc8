// SPDX-License-Identifier: Apache-2.0
// Europe/London conversions and the spec's text forms for instants, local times and dates.
#include "sendguard/incident/london_time.h"

#include <cstdio>
#include <cstdlib>

namespace sendguard::incident {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;

// 01:00 UTC on the last Sunday of `month` in `y`.
Instant LastSundayOneAm(std::chrono::year y, std::chrono::month month) {
  sys_days last = sys_days{y / month / std::chrono::last};
  std::chrono::weekday wd{last};
  sys_days sunday = last - days{(wd - std::chrono::Sunday).count()};
  return std::chrono::time_point_cast<minutes>(sunday + hours{1});
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Parses "YYYY-MM-DD" at the start of `s`.
Result<Date> DatePart(std::string_view s, std::string_view whole) {
  int y = 0, m = 0, d = 0;
  if (s.size() < 10 || !Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &m) || s[7] != '-' ||
      !Digits(s, 8, 2, &d)) {
    return InvalidArgument("'" + std::string(whole) + "' is not a date (YYYY-MM-DD)");
  }
  Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)}, std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) return InvalidArgument("'" + std::string(whole) + "' is not a calendar date");
  if (y < kFirstRuleYear || y > kLastRuleYear) {
    return InvalidArgument("'" + std::string(whole) + "' is outside " + std::to_string(kFirstRuleYear) + "-" +
                           std::to_string(kLastRuleYear));
  }
  return date;
}

// Parses "YYYY-MM-DDTHH:MM[:00]" and returns the remainder in *rest.
Result<LocalDateTime> DateTimePart(std::string_view s, std::string_view* rest) {
  auto date = DatePart(s, s);
  if (!date.ok()) return date.status();
  int h = 0, mi = 0, sec = 0;
  if (s.size() < 16 || (s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2, &h) || s[13] != ':' ||
      !Digits(s, 14, 2, &mi) || h > 23 || mi > 59) {
    return InvalidArgument("'" + std::string(s) + "' is not a date and time (YYYY-MM-DDTHH:MM)");
  }
  size_t pos = 16;
  if (s.size() >= 19 && s[16] == ':' && Digits(s, 17, 2, &sec)) {
    if (sec != 0) return InvalidArgument("'" + std::string(s) + "': times have minute precision (seconds must be 00)");
    pos = 19;
  }
  *rest = s.substr(pos);
  return LocalDateTime{std::chrono::local_days{*date}} + hours{h} + minutes{mi};
}

}  // namespace

bool IsBst(Instant t) {
  auto y = std::chrono::year_month_day{std::chrono::floor<days>(t)}.year();
  return t >= LastSundayOneAm(y, std::chrono::March) && t < LastSundayOneAm(y, std::chrono::October);
}

Instant ToInstant(LocalDateTime local) {
  const Instant as_gmt{local.time_since_epoch()};
  const Instant as_bst = as_gmt - hours{1};
  const bool bst_reading = IsBst(as_bst);
  const bool gmt_reading = !IsBst(as_gmt);
  if (bst_reading) return as_bst;  // the only reading, or the earlier of two (autumn)
  if (gmt_reading) return as_gmt;
  // In the spring gap: the transition instant.
  auto y = std::chrono::year_month_day{std::chrono::floor<days>(as_gmt)}.year();
  return LastSundayOneAm(y, std::chrono::March);
}

LocalDateTime ToLocal(Instant t) { return LocalDateTime{t.time_since_epoch()} + hours{IsBst(t) ? 1 : 0}; }

Date LondonDate(Instant t) {
  auto day = std::chrono::floor<days>(ToLocal(t));
  return Date{sys_days{day.time_since_epoch()}};
}

Result<Instant> ParseInstant(std::string_view text) {
  std::string_view rest;
  auto local = DateTimePart(text, &rest);
  if (!local.ok()) return local.status();
  if (rest != "Z" && rest != "+00:00") {
    return InvalidArgument("'" + std::string(text) + "' must be UTC, ending in Z (e.g. 2024-05-24T15:30Z)");
  }
  return Instant{local->time_since_epoch()};
}

Result<LocalDateTime> ParseLocalDateTime(std::string_view text) {
  std::string_view rest;
  auto local = DateTimePart(text, &rest);
  if (!local.ok()) return local.status();
  if (!rest.empty()) {
    return InvalidArgument("'" + std::string(text) + "' is a London wall-clock time and takes no zone");
  }
  return local;
}

Result<Date> ParseDate(std::string_view text) {
  if (text.size() != 10) return InvalidArgument("'" + std::string(text) + "' is not a date (YYYY-MM-DD)");
  return DatePart(text, text);
}

std::string FormatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

std::string FormatInstant(Instant t) {
  auto day = std::chrono::floor<days>(t);
  auto hm = std::chrono::hh_mm_ss<minutes>(t - day);
  char buf[24];
  std::snprintf(buf, sizeof buf, "T%02ld:%02ldZ", static_cast<long>(hm.hours().count()),
                static_cast<long>(hm.minutes().count()));
  return FormatDate(Date{day}) + buf;
}

std::string FormatLocalDateTime(Instant t) {
  auto local = ToLocal(t);
  auto day = std::chrono::floor<days>(local);
  auto hm = std::chrono::hh_mm_ss<minutes>(local - day);
  char buf[24];
  std::snprintf(buf, sizeof buf, "T%02ld:%02ld", static_cast<long>(hm.hours().count()),
                static_cast<long>(hm.minutes().count()));
  return FormatDate(Date{sys_days{day.time_since_epoch()}}) + buf;
}

std::string FormatLondon(Instant t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto local = ToLocal(t);
  auto day = std::chrono::floor<days>(local);
  Date d{std::chrono::sys_days{day.time_since_epoch()}};
  auto hm = std::chrono::hh_mm_ss<minutes>(local - day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s %u %s %d %02ld:%02ld %s",
                kDays[std::chrono::weekday{std::chrono::sys_days{day.time_since_epoch()}}.c_encoding()],
                static_cast<unsigned>(d.day()), kMonths[static_cast<unsigned>(d.month()) - 1],
                static_cast<int>(d.year()), static_cast<long>(hm.hours().count()),
                static_cast<long>(hm.minutes().count()), IsBst(t) ? "BST" : "GMT");
  return buf;
}

}  // namespace sendguard::incident
