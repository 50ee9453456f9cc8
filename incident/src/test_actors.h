// SPDX-License-Identifier: Apache-2.0
// The incident tests' IG officer and DPO.
#pragma once

#include "sendguard/incident/lifecycle.h"

namespace sendguard::incident::test_support {

inline const Actor kIg{"ig1", "Ig Officer", Role::kIgOfficer};
inline const Actor kDpo{"dpo1", "Data Protection Officer", Role::kDpo};

}  // namespace sendguard::incident::test_support
