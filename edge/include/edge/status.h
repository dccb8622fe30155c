#pragma once
// Errors as values: every fallible core operation returns a Status. No exceptions, no RTTI.
#include <cstdint>

namespace edge {

enum class Status : int32_t {
  kOk = 0,
  kNothingToDo = 1,     // valid input, but no output (e.g. span not sampled)
  kInvalidInput = -1,   // untrusted input rejected; caller passes traffic through
  kOutputFull = -2,     // a bounded writer ran out of room; output discarded
  kBadConfig = -3,      // configuration rejected; message explains which key
  kNotConfigured = -4,  // a trigger call arrived before a successful configure
};

constexpr bool IsError(Status s) { return static_cast<int32_t>(s) < 0; }

}  // namespace edge
