#pragma once
// Multi-format extraction: the first propagation format, in the configured order, whose
// headers give a usable remote parent (trace id + parent span id) wins.
//
// Each `order` entry is a set of format_bits (edge/config.h); within an entry the formats are
// tried in the fixed order tracecontext, X-Ray, B3 single, B3 multi, so the entry
// kB3Single | kB3Multi reads `b3` first and falls back to the x-b3-* headers when `b3` is
// absent or gives no usable parent. B3 says "always read both, but prioritize single"; OTel Go
// falls back the same way, while OTel JS's B3Propagator reads only `b3` when it is present
// (valid or not).
//
// Strictness is that of the format parsers (traceparent.h, xray.h, b3.h). HTTP OWS around a
// header value is removed here, at the boundary, before the strict traceparent and B3 parsers
// see it; the X-Ray parser ignores OWS around its parts itself and gets the value as it came.
// tracestate is only meaningful with a traceparent: it is the caller's (parse it only when
// `format == format_bits::kTraceContext`).
//
// A format that carries only part of a context does not win: a sampling-only B3 header
// (`b3: 0`), an X-Ray header without Parent. The trace id of the latter is reported
// (root_only_trace_id) when no format wins, for a caller that wants to continue the trace.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/propagation/traceparent.h"
#include "edge/trace_id.h"

namespace edge {

// Raw (comma-joined) header values, untrusted; an empty view is an absent header. Views must
// outlive the ExtractedContext built from them (xray_lineage points into `xray`).
struct IncomingHeaders {
  std::string_view traceparent;
  std::string_view tracestate;  // not read by ExtractContext
  std::string_view xray;        // x-amzn-trace-id
  std::string_view b3;
  std::string_view b3_trace_id;  // x-b3-traceid
  std::string_view b3_span_id;   // x-b3-spanid
  std::string_view b3_sampled;   // x-b3-sampled
  std::string_view b3_flags;     // x-b3-flags
};

struct ExtractedContext {
  // Valid when a format gave a usable parent. flags: for tracecontext as received (callers
  // mask with trace_flags::kKnownMask); for X-Ray and B3 only the sampled bit, set for X-Ray
  // Sampled=1 and B3 accept or debug. The random bit is never set for them: their trace ids
  // make no such promise.
  TraceParent parent;
  // The format_bits value of the winning format; 0 when none won.
  uint8_t format = 0;
  // The winner carried an explicit sampled/unsampled decision: always for tracecontext; for
  // X-Ray Sampled=1/0 (not `?` or absent); for B3 accept, deny or debug (not deferred).
  bool has_decision = false;
  // X-Ray's Lineage (validated, a view into IncomingHeaders::xray): set when X-Ray won, or
  // with root_only_trace_id. Empty otherwise.
  std::string_view xray_lineage;
  // When no format won but X-Ray (tried in `order`) had a Root without a Parent: that trace
  // id, which may be continued with a new root span. Invalid otherwise.
  TraceId root_only_trace_id;

  bool IsValid() const noexcept { return parent.IsValid(); }
};

// Tries order[0..count) in turn (see above). Never allocates.
ExtractedContext ExtractContext(const IncomingHeaders& in, const uint8_t* order,
                                size_t count) noexcept;

}  // namespace edge
