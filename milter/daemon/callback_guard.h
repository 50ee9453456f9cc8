// SPDX-License-Identifier: Apache-2.0
// The one noexcept trampoline every libmilter callback is registered through: it calls the
// real callback inside try/catch, so no exception ever reaches libmilter (a C library: an
// exception through it ends the process). What is caught goes to Faulted, in
// milter_callbacks.cc, which maps it to the internal_error fail mode.
#pragma once

#include <libmilter/mfapi.h>

#include "fault_points.h"

namespace sendguard::milter {

// The callbacks sendguard registers.
enum class Step { kNegotiate, kConnect, kEnvFrom, kEnvRcpt, kHeader, kEoh, kBody, kEom, kAbort, kClose };
const char* StepName(Step step);

// What a callback that threw answers instead: logs and counts the fault; a fault before end of
// message marks the message (or, at negotiate and connect, the connection) to be answered per
// fail_modes.internal_error at its end; at end of message that answer is given at once.
sfsistat Faulted(SMFICTX* ctx, Step step) noexcept;

// negotiate's answer after a fault: the actions the MTA offers, every step sent and answered.
void SafeNegotiation(unsigned long f0, unsigned long f1, unsigned long f2, unsigned long f3, unsigned long* pf0,
                     unsigned long* pf1, unsigned long* pf2, unsigned long* pf3) noexcept;

// Guarded<Step::kHeader, OnHeader>::Call is OnHeader, noexcept.
template <Step kStep, auto kCallback>
struct Guarded;

template <Step kStep, typename... Args, sfsistat (*kCallback)(SMFICTX*, Args...)>
struct Guarded<kStep, kCallback> {
  static sfsistat Call(SMFICTX* ctx, Args... args) noexcept {
    try {
      fault::AtCallback(StepName(kStep));  // nothing in the shipped program
      return kCallback(ctx, args...);
    } catch (...) {
      if constexpr (kStep == Step::kNegotiate) SafeNegotiation(args...);
      return Faulted(ctx, kStep);
    }
  }
};

}  // namespace sendguard::milter
