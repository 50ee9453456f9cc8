// SPDX-License-Identifier: Apache-2.0
// The IG pages that show a report or a file rather than a case: the committee report and its
// download, the mail filter's counters, the ICO report as a file, the subject access search.
// Each acts through the API as the signed-in user (`api`).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "accounts.h"
#include "milter_link.h"
#include "sendguard/common/http_server.h"

namespace sendguard::incident {

// One request to the API's handler as the page's user (method, path, query, body).
using PageApi = std::function<common::HttpResponse(const std::string&, const std::string&, std::map<std::string, std::string>,
                                                   const std::string&)>;

common::HttpResponse CommitteeReportPage(const WebSession& s, const PageApi& api, const common::HttpRequest& req);
common::HttpResponse CommitteeReportDownload(const PageApi& api, const common::HttpRequest& req);
// The milter's live state, from its Prometheus text: counters only, never content.
common::HttpResponse MailFilterPage(const WebSession& s, const MilterLink& milter);
// The ICO report as a file (or JSON), as the API gives it.
common::HttpResponse IcoReportFile(const PageApi& api, const std::string& id, const common::HttpRequest& req);
common::HttpResponse SubjectAccessPage(const WebSession& s, const PageApi& api,
                                       const std::vector<std::pair<std::string, std::string>>& form, bool posted);

}  // namespace sendguard::incident
