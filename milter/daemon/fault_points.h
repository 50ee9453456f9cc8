// SPDX-License-Identifier: Apache-2.0
// Fault-injection points in the daemon, for tests only. The shipped sendguard-milter links
// fault_points_off.cc, where every point does nothing and nothing can arm one; only the test
// program sendguard-milter-faults (never installed or packaged) links fault_points.cc, which
// takes its triggers from the environment (SENDGUARD_FAULT_FILE, SENDGUARD_FAULT_CRASH_MARKER).
#pragma once

#include <string_view>

namespace sendguard::milter::fault {

// At the entry of protocol step `callback` (negotiate, connect, ... close): throws when a
// test armed a throw there (once per arming).
void AtCallback(const char* callback);
// On the scanning thread, after the poison journal recorded the message: ends the process
// (SIGSEGV) when the message carries the armed crash marker.
void BeforeScan(std::string_view raw_message);
// "" in the shipped program; in the test program, words for the start-up log line.
const char* BuildNote();

}  // namespace sendguard::milter::fault
