// SPDX-License-Identifier: Apache-2.0
// The staff directory the admin gives the core (`directory_file`): who each council mailbox
// belongs to, their directorate and service area, and their line manager. A CSV with a header
// row naming its columns (email, name, directorate, service_area, line_manager_name,
// line_manager_email; others ignored), as exported from the HR system or from LDAP (docs/
// OPERATIONS.md shows an ldapsearch that writes it). The incident page offers what it says as
// suggestions for sections 2 and 3 and for the investigating officer; nothing is filled
// without a person accepting it.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "sendguard/common/status.h"

namespace sendguard::incident {

struct DirectoryEntry {
  std::string name, directorate, service_area, line_manager_name, line_manager_email;
};

class Directory {
 public:
  // Reads the CSV; a bad file is refused with file:line.
  static Result<Directory> Load(const std::string& path);
  static Result<Directory> Parse(const std::string& text, const std::string& name);
  // The entry for an address (case-insensitive), if any.
  std::optional<DirectoryEntry> Find(const std::string& email) const;
  size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, DirectoryEntry> entries_;  // by lower-case address
};

}  // namespace sendguard::incident
