// SPDX-License-Identifier: Apache-2.0
// The core's request routing (core_router.h).
#include "core_router.h"

#include <exception>

#include "html_page.h"

namespace sendguard::incident {

common::HttpResponse CoreRouter::Handle(const common::HttpRequest& req) const {
  try {
    if (SelfReportPages::Owns(req.path)) return self_reports->Handle(req);
    if (req.path.rfind("/staff/", 0) == 0) return staff->Handle(req);
    if (req.path.rfind("/static/", 0) == 0) return StaticAsset(req.path);
    if (IgPages::Owns(req.path)) return pages->Handle(req);
    return ServeApi(*service, *api, *accounts, req);
  } catch (const std::exception& e) {
    if (on_error) on_error(req, e.what());
  } catch (...) {
    if (on_error) on_error(req, "unknown exception");
  }
  return HtmlPage(500, "Something went wrong", "<h1>Something went wrong</h1><p class=\"refused\">The page could "
                                               "not be shown. The error is in the core's log.</p>");
}

}  // namespace sendguard::incident
