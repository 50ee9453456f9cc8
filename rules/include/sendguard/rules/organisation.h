// SPDX-License-Identifier: Apache-2.0
// The organisation as policies see it: its name in each language, recipient classes,
// data-sharing agreements with partners, sender groups, the language each sender reads,
// and the thresholds of the misdirection signals. Read from the config file's
// `organisation:` section (the file the milter and `sendguard scan --config` share).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "sendguard/rules/recipients.h"
#include "sendguard/rules/yaml_reader.h"

namespace sendguard::rules {

// A text in several languages ("en", "cy"); falls back to English, then to any.
struct LocalText {
  std::map<std::string, std::string> by_language;
  const std::string& Get(const std::string& language) const;
  bool empty() const { return by_language.empty(); }
};

// Reads a scalar (English) or a map of language -> text; false when absent.
bool ReadLocalText(const YAML::Node& map, const char* key, LocalText* out, Diagnostics& d);

// A partner whose data-sharing agreement allows only some data categories.
struct SharingAgreement {
  std::string domain;
  std::vector<std::string> allowed_categories;  // DataCategory enumerators
};

struct Organisation {
  LocalText name;                       // "the council" / "y cyngor": used in explanations
  RecipientDirectory directory;         // internal, secure, partner and free-mail domains
  std::vector<SharingAgreement> agreements;
  std::map<std::string, std::vector<std::string>> sender_groups;  // name -> addresses or "@domain"
  std::string language = "en";          // default language of explanations
  std::map<std::string, std::string> language_by_sender_domain;
  std::map<std::string, std::string> language_by_sender;  // one person's choice (their address), before their domain's
  int open_cc_threshold = 5;            // external addresses visible in To/Cc
  int reply_all_threshold = 10;         // recipients of a reply that make it "large"
  int lookalike_history_domains = 2000; // most-used previous domains compared for lookalikes

  Organisation();
  // The groups `sender` belongs to (a member is an address, "@domain" or "*@domain").
  std::vector<std::string> SenderGroupsOf(const std::string& sender) const;
  // The explanation language for `sender` (by its domain, else the default).
  std::string LanguageFor(const std::string& sender) const;
  // The agreement covering `domain`, or nullptr.
  const SharingAgreement* AgreementFor(const std::string& domain) const;
};

// Parses the `organisation:` map. `freemail` (the shipped list) is added to the directory.
Organisation ParseOrganisation(const YAML::Node& node, const std::vector<std::string>& freemail, Diagnostics& d);

}  // namespace sendguard::rules
