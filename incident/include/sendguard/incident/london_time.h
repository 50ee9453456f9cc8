// SPDX-License-Identifier: Apache-2.0
// Time as the assessment spec uses it (§0.3, §4.3): UTC instants with minute precision,
// and Europe/London wall-clock times typed by people. GCC 12's library has no time-zone
// database, so the UK rule is written out: BST runs from 01:00 UTC on the last Sunday of
// March to 01:00 UTC on the last Sunday of October (the rule in force since 1996; earlier
// years are refused rather than guessed).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "sendguard/common/status.h"

namespace sendguard::incident {

using Instant = std::chrono::sys_time<std::chrono::minutes>;
using LocalDateTime = std::chrono::local_time<std::chrono::minutes>;
using Date = std::chrono::year_month_day;

// First and last years the built-in rule covers.
inline constexpr int kFirstRuleYear = 1996;
inline constexpr int kLastRuleYear = 2099;

// True when British Summer Time is in force at `t`.
bool IsBst(Instant t);
// §4.3 rule 1: ambiguous times (autumn) take the earlier, BST reading; times in the spring
// gap map to the transition instant (01:00 UTC).
Instant ToInstant(LocalDateTime local);
LocalDateTime ToLocal(Instant t);
Date LondonDate(Instant t);

// "2024-05-24T15:30Z" (seconds, if given, must be zero; "+00:00" also accepted).
Result<Instant> ParseInstant(std::string_view text);
// "2024-05-24T16:30" (no zone: London wall-clock time).
Result<LocalDateTime> ParseLocalDateTime(std::string_view text);
// "2024-05-24".
Result<Date> ParseDate(std::string_view text);

std::string FormatInstant(Instant t);            // "2024-05-24T15:30Z"
std::string FormatLondon(Instant t);             // "Fri 24 May 2024 16:30 BST"
std::string FormatDate(Date d);                  // "2024-05-24"
std::string FormatLocalDateTime(Instant t);      // "2024-05-24T16:30": London wall-clock, the form's s1_aware_local

}  // namespace sendguard::incident
