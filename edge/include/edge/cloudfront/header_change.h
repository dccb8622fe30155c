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

// What a request-side trigger does to the request.
struct RequestDecision {
  HeaderChange traceparent;
  HeaderChange tracestate;
  HeaderChange edge_context;
  // Other propagation formats, decided only by the trigger that talks to the origin last:
  // set when propagation.inject has them, else removed (a client's would steer the origin),
  // except under trust "honor" for a format never extracted (request_headers.cc).
  HeaderChange xray;
  HeaderChange b3;
  HeaderChange b3_trace_id;
  HeaderChange b3_span_id;
  HeaderChange b3_sampled;
  bool sampled = false;
  // Something the operator should know once per sandbox although the request is traced: a
  // static one-line message, empty when there is none.
  std::string_view notice;
};

// What a closing trigger does to the response, besides exporting spans.
struct ResponseDecision {
  HeaderChange fill_stamp;   // x-edgetrace-fill: set on what gets cached, removed for viewers
  HeaderChange correlation;  // traceresponse or server-timing (propagation.responseHeader)
  int span_count = 0;        // spans written to the body
};

}  // namespace edge
