#pragma once
// What a request-side trigger does to one header. Values point into buffers owned by the
// Tracer and stay valid until its next call.
#include <cstdint>
#include <string_view>

namespace edge {

struct HeaderChange {
  enum class Action : uint8_t { kKeep = 0, kSet = 1, kRemove = 2 };
  Action action = Action::kKeep;
  std::string_view value;

  static HeaderChange Set(std::string_view v) { return {Action::kSet, v}; }
  static HeaderChange Remove() { return {Action::kRemove, {}}; }
};

struct RequestDecision {
  HeaderChange traceparent;
  HeaderChange tracestate;
  HeaderChange edge_context;
  bool sampled = false;
};

}  // namespace edge
