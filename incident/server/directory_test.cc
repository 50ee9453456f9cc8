// SPDX-License-Identifier: Apache-2.0
// The staff directory CSV: columns by header, quoting as Excel and HR exports write it, and
// bad files refused with file:line.
#include "directory.h"

#include <gtest/gtest.h>

namespace sendguard::incident {
namespace {

TEST(DirectoryTest, ColumnsAreFoundByTheirHeaderWhateverTheOrder) {
  auto d = Directory::Parse("\xEF\xBB\xBFLine_Manager_Email,Email,Name,Directorate,Service_Area,Line_Manager_Name,Grade\r\n"
                            "lee.manager@council.example.gov.uk,Sam.Okafor@Council.Example.gov.uk,Sam Okafor,Children's Services,"
                            "Early Help,Lee Manager,SO1\r\n"
                            "\r\n"
                            "lee.manager@council.example.gov.uk,pat.jones@council.example.gov.uk,\"Jones, Pat\",Resources,"
                            "\"Payroll \"\"and\"\" pensions\",Lee Manager,SO2\n",
                            "directory.csv");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->size(), 2u);
  auto sam = d->Find("sam.okafor@council.example.gov.uk");
  ASSERT_TRUE(sam.has_value()) << "found whatever the case of the address";
  EXPECT_EQ(sam->directorate, "Children's Services");
  EXPECT_EQ(sam->line_manager_email, "lee.manager@council.example.gov.uk");
  auto pat = d->Find("PAT.JONES@council.example.gov.uk");
  ASSERT_TRUE(pat.has_value());
  EXPECT_EQ(pat->name, "Jones, Pat");
  EXPECT_EQ(pat->service_area, "Payroll \"and\" pensions");
  EXPECT_FALSE(d->Find("nobody@council.example.gov.uk").has_value());
}

TEST(DirectoryTest, BadFilesAreRefusedWithFileAndLine) {
  EXPECT_EQ(Directory::Parse("", "d.csv").status().message(), "d.csv:1: the file is empty: a header row is needed");
  EXPECT_EQ(Directory::Parse("name,directorate\nSam,Resources\n", "d.csv").status().message(),
            "d.csv:1: the header row needs an email column");
  EXPECT_EQ(Directory::Parse("email,name\nsam@council.example.gov.uk,Sam\nnot an address,Pat\n", "d.csv").status().message(),
            "d.csv:3: 'not an address' is not an email address");
  EXPECT_EQ(Directory::Parse("email,name\nsam@council.example.gov.uk,\"Sam\n", "d.csv").status().message(),
            "d.csv:2: a quoted field is not closed");
  EXPECT_FALSE(Directory::Load("/nonexistent/directory.csv").ok());
}

}  // namespace
}  // namespace sendguard::incident
