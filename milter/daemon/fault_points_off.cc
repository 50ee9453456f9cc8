// SPDX-License-Identifier: Apache-2.0
// The shipped sendguard-milter's fault points (see fault_points.h): none does anything.
#include "fault_points.h"

namespace sendguard::milter::fault {

void AtCallback(const char*) {}
void BeforeScan(std::string_view) {}
const char* BuildNote() { return ""; }

}  // namespace sendguard::milter::fault
