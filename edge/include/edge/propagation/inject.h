#pragma once
// Injection of the non-W3C propagation headers into the request sent to the origin (the
// traceparent / tracestate pair is written elsewhere). What is written matches what the
// OpenTelemetry JS propagators inject for the same span context:
//   x-amzn-trace-id  Root=1-<8 hex>-<24 hex>;Parent=<span id>;Sampled=<1|0>[;Lineage=<lineage>]
//                    (AWSXRayPropagator; the Lineage, which OTel JS drops and OTel Java carries,
//                    is kept when valid: AWS uses it to detect Lambda invocation loops)
//   b3               <trace id 32 hex>-<span id>-<1|0>  (B3SinglePropagator)
//   x-b3-traceid     <trace id 32 hex>                   (B3MultiPropagator)
//   x-b3-spanid      <span id>
//   x-b3-sampled     1 | 0
// No parent span id is sent (B3 makes it optional; OTel does not propagate it) and no debug
// state: edgetrace does not carry B3's debug flag, so a debug request continues as accept.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/propagation/b3.h"
#include "edge/propagation/xray.h"
#include "edge/span_id.h"
#include "edge/trace_id.h"

namespace edge {

// Header values, views into the caller's buffer; an empty view means "not injected".
struct InjectedHeaders {
  std::string_view xray;  // x-amzn-trace-id
  std::string_view b3;
  std::string_view b3_trace_id;  // x-b3-traceid
  std::string_view b3_span_id;   // x-b3-spanid
  std::string_view b3_sampled;   // x-b3-sampled
};

namespace inject_size {
// ";Lineage=" + the longest Lineage FormatXRayHeader writes.
constexpr size_t kXRayLineageField =
    std::string_view(";Lineage=").size() + XRayHeader::kMaxLineageSize;
constexpr size_t kXRay = XRayHeader::kContextSize + kXRayLineageField;
// "<trace 32>-<span 16>-<1|0>"
constexpr size_t kB3Single =
    TraceId::kHexSize + 1 + SpanId::kHexSize + 1 + B3Context::kSamplingStateSize;
// x-b3-traceid + x-b3-spanid + x-b3-sampled values, back to back.
constexpr size_t kB3Multi = TraceId::kHexSize + SpanId::kHexSize + 1;
}  // namespace inject_size

// Room for every format at once.
constexpr size_t kInjectBufferSize =
    inject_size::kXRay + inject_size::kB3Single + inject_size::kB3Multi;

// Writes into out[0..capacity) the headers of every format in `formats` (format_bits;
// kTraceContext is ignored here), in the order X-Ray, B3 single, B3 multi. A format is written
// whole or not at all: when the room left is too small for it, or the trace or span id is
// invalid, its fields stay empty. `xray_lineage` is added to X-Ray only when
// IsValidXRayLineage() (otherwise left out). Never allocates; nothing written contains CR, LF
// or any character outside printable ASCII.
InjectedHeaders InjectHeaders(uint8_t formats, const TraceId& trace_id, const SpanId& span_id,
                              bool sampled, std::string_view xray_lineage, char* out,
                              size_t capacity) noexcept;

}  // namespace edge
