// SPDX-License-Identifier: Apache-2.0
// Who the council is, for what it sends out (letters, the ICO report): its name in English
// and Welsh, address, ICO registration and NHS ODS code, and the DPO's contact (core.yaml's
// `organisation` and `dpo_contact`).
#pragma once

#include <string>

namespace sendguard::incident {

struct Organisation {
  std::string name;               // "Example Borough Council"
  std::string name_cy;            // its Welsh name ("" = the English one)
  std::string address;            // postal address, lines separated by '\n'
  std::string ico_registration;   // the ICO's data protection register number, e.g. Z1234567
  std::string ods_code;           // the NHS ODS code, for the DSPT layout ("" = not an NHS body)
  std::string sector;             // as the ICO asks it, e.g. "Local government"
  std::string dpo_name, dpo_email, dpo_phone;

  const std::string& NameIn(const std::string& language) const {
    return language == "cy" && !name_cy.empty() ? name_cy : name;
  }
};

}  // namespace sendguard::incident
