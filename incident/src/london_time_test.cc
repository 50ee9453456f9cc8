// SPDX-License-Identifier: Apache-2.0
// Europe/London: the BST rule at its edges, and the spec's text forms.
#include <gtest/gtest.h>

#include "sendguard/incident/london_time.h"

namespace sendguard::incident {
namespace {

TEST(LondonTime, BstStartsAndEndsAtOneUtcOnTheLastSunday) {
  EXPECT_FALSE(IsBst(*ParseInstant("2024-03-31T00:59Z")));
  EXPECT_TRUE(IsBst(*ParseInstant("2024-03-31T01:00Z")));
  EXPECT_TRUE(IsBst(*ParseInstant("2024-10-27T00:59Z")));
  EXPECT_FALSE(IsBst(*ParseInstant("2024-10-27T01:00Z")));
  EXPECT_TRUE(IsBst(*ParseInstant("2025-03-30T01:00Z")));  // 2025's last Sunday of March
  EXPECT_FALSE(IsBst(*ParseInstant("2025-03-29T12:00Z")));
}

TEST(LondonTime, LocalReadingsRoundTripOutsideTheChanges) {
  for (const char* text : {"2024-01-15T09:00", "2024-07-15T09:00", "2024-10-27T02:00", "2024-03-31T02:00"}) {
    auto local = *ParseLocalDateTime(text);
    EXPECT_EQ(ToLocal(ToInstant(local)), local) << text;
  }
}

TEST(LondonTime, DatesFollowLondonNotUtc) {
  EXPECT_EQ(FormatDate(LondonDate(*ParseInstant("2024-06-03T23:30Z"))), "2024-06-04");  // 00:30 BST
  EXPECT_EQ(FormatDate(LondonDate(*ParseInstant("2024-12-03T23:30Z"))), "2024-12-03");
}

TEST(LondonTime, BadTextIsRefusedWithAReason) {
  EXPECT_FALSE(ParseInstant("2024-05-24T15:30").ok());     // no zone
  EXPECT_FALSE(ParseInstant("2024-05-24T15:30:20Z").ok()); // seconds
  EXPECT_FALSE(ParseInstant("2024-02-30T15:30Z").ok());
  EXPECT_FALSE(ParseLocalDateTime("2024-05-24T15:30Z").ok());
  EXPECT_FALSE(ParseDate("1990-01-01").ok());               // before the built-in rule
  EXPECT_TRUE(ParseInstant("2024-05-24T15:30:00Z").ok());
  EXPECT_NE(ParseInstant("yesterday").status().message().find("YYYY-MM-DD"), std::string::npos);
}

}  // namespace
}  // namespace sendguard::incident
