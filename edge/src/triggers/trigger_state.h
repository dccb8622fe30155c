#pragma once
// What the triggers hand each other inside the Tracer: fresh ids for a request, the spans a
// response-side trigger finds open, and how it closes them. See docs/trace-model.md.
#include <cstdint>
#include <string_view>

#include "edge/tracer.h"

namespace edge {

constexpr int64_t kNanosPerSecond = 1000000000;

// The URI path without a query (CloudFront keeps the query in its own field, but be safe):
// what sampling rules match, at every trigger alike.
inline std::string_view PathOf(std::string_view uri) noexcept {
  const size_t q = uri.find('?');
  return q == std::string_view::npos ? uri : uri.substr(0, q);
}

// The trace context headers of a request event, as ExtractContext reads them.
inline IncomingHeaders IncomingHeadersOf(const RequestFields& in) noexcept {
  IncomingHeaders h;
  h.traceparent = in.traceparent;
  h.tracestate = in.tracestate;
  h.xray = in.xray;
  h.b3 = in.b3;
  h.b3_trace_id = in.b3_trace_id;
  h.b3_span_id = in.b3_span_id;
  h.b3_sampled = in.b3_sampled;
  h.b3_flags = in.b3_flags;
  return h;
}

// Ids of a request's edge spans. Derived from cf.config.requestId when the event has one, so
// that every trigger of the request can recompute them without any header.
struct Tracer::EdgeIds {
  TraceId trace_id;      // for a trace that starts at the edge
  SpanId root_id;        // the edge root SERVER span
  SpanId fetch_id;       // the origin fetch CLIENT span (all four triggers)
  uint64_t edge_random;  // 56 bits of edge randomness for decisions the client must not steer
  bool derived = false;  // from the request id (recomputable), not from the random pool
};

// The edge spans a response-side trigger finds open for this request.
struct Tracer::OpenSpans {
  TraceId trace_id;
  uint8_t trace_flags = 0;  // W3C flags sent downstream (kKnownMask)
  std::string_view trace_state;
  bool has_fetch = false;  // the origin fetch CLIENT span is open below the root
  SpanId fetch_id;
  int64_t fetch_start = 0;
  SpanId root_id;
  int64_t root_start = 0;
  SpanId remote_parent;         // the root's parent, when the trace came from upstream
  bool partial_timing = false;  // recovered from the request id alone: start unknown
  bool sampled() const noexcept { return (trace_flags & trace_flags::kSampled) != 0; }
};

// How a trigger closes what it closes.
struct Tracer::Closing {
  Trigger at = Trigger::kOriginResponse;
  int64_t now = 0;
  int64_t status = 0;  // HTTP status of the response, 0 when unknown
  bool close_fetch = false;
  bool close_root = false;
  bool threw = false;                   // the wrapped user handler threw here
  bool kept_error = false;              // unsampled, exported because the origin answered 5xx
  std::string_view cache_status;        // aws.cloudfront.cache_status, empty = not recorded
  const SpanLink* fill_link = nullptr;  // a hit: the span that filled the cache
};

}  // namespace edge
