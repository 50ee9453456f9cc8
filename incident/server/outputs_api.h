// SPDX-License-Identifier: Apache-2.0
// What the IG team sends out, over the API (docs/API.md): an incident's letter draft
// (GET .../letter-draft), a letter produced, posted or emailed (POST .../letter), the ICO report
// (GET .../ico-report), and the subject access search (POST /api/subject-access).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api.h"

namespace sendguard::incident {

// The answer when `action` on incident `id` is one of these outputs; nullopt otherwise.
// The caller has already been checked for need to know on `id`.
std::optional<common::HttpResponse> ServeIncidentOutput(IncidentService& service, const ApiSettings& settings,
                                                        const Caller& caller, const std::string& id,
                                                        const std::string& action, const common::HttpRequest& req);

// POST /api/subject-access {"address"}: every incident that names the address (a form field, the
// sender, an officer) or sent it a letter (by keyed hash), for the DPO and the IG team.
common::HttpResponse SubjectAccessSearch(IncidentService& service, const ApiSettings& settings, const Caller& caller,
                                         const common::HttpRequest& req);

// The keyed hash a letter's addressee is recorded under: of the email address when there is
// one, else of the postal address (lower case, spaces collapsed).
std::string AddresseeHash(const common::KeyedHasher& hasher, const std::string& email, const std::string& postal);
// The same under every key of the secret's ring (what a search compares against).
std::vector<std::string> AddresseeHashes(const common::KeyedHasher& hasher, const std::string& email, const std::string& postal);

}  // namespace sendguard::incident
