// SPDX-License-Identifier: Apache-2.0
// The service's answers (incident_service.h's Outcome): a refusal naming the field and the
// reason, a store failure, a failure passed on as another type, and a value. Shared by the
// files that implement IncidentService; not a public header.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sendguard/incident/incident_service.h"

namespace sendguard::incident {

template <typename T>
Outcome<T> Refuse(int status, std::string field, std::string reason) {
  Outcome<T> o;
  o.refusal = Refusal{status, {{std::move(field), std::move(reason)}}};
  return o;
}
template <typename T>
Outcome<T> Refuse(int status, std::vector<FieldError> errors) {
  Outcome<T> o;
  o.refusal = Refusal{status, std::move(errors)};
  return o;
}
template <typename T>
Outcome<T> Fail(Status st) {
  Outcome<T> o;
  o.internal = std::move(st);
  return o;
}
// A failed outcome of one type passed on as another.
template <typename T, typename U>
Outcome<T> Forward(const Outcome<U>& o) {
  Outcome<T> out;
  out.refusal = o.refusal;
  out.internal = o.internal;
  return out;
}
template <typename T>
Outcome<T> Ok(T value) {
  Outcome<T> o;
  o.value = std::move(value);
  return o;
}

}  // namespace sendguard::incident
