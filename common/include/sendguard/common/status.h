// SPDX-License-Identifier: Apache-2.0
// Status and Result<T>: the one error type every sendguard module returns.
// No exception crosses a module boundary; adapters that call throwing libraries
// catch there and return a Status instead.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sendguard {

// What kind of failure a Status carries; callers branch on this, people read the message.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (bad rule file, bad message, bad flag)
  kNotFound,         // a named file, type or record does not exist
  kIoError,          // the operating system refused a read or write
  kResourceExhausted,// a configured bound was hit
  kInternal,         // a library failed in a way the input does not explain
  kPermissionDenied, // the caller's role may not do this
};

// An outcome without a value. Cheap to copy when ok. Thread-compatible.
class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "ok" or "<code name>: <message>", for logs and the command line.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }

// A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace sendguard
