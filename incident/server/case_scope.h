// SPDX-License-Identifier: Apache-2.0
// Need to know: which incidents each caller may see. An investigating officer sees the cases
// they are the investigating officer of; the SIRO the cases escalated to them (told, or flagged
// by the NHS grid's impact); the Caldicott Guardian the cases escalated to them (told, or
// flagged for health and care data); an IG officer limited to some directorates the cases of
// those directorates and those not yet given one (someone has to triage them). Everyone else
// (the IG team unscoped, the DPO, the auditor, the admin, machine tokens) sees every case. The
// API applies this to every read and write, so the pages cannot show more.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "api_identity.h"

namespace sendguard::incident {

// True when some incidents may be hidden from `caller` (lists are then filtered).
bool LimitedToSomeCases(const Caller& caller);

// Why `caller` may not see the incident in `shown` (the API's answer for one incident: its
// "incident" and "derived"), in words; "" when they may.
std::string HiddenReason(const Caller& caller, const nlohmann::json& shown);

}  // namespace sendguard::incident
