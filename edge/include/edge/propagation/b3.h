#pragma once
// Zipkin B3 propagation (openzipkin/b3-propagation): the single `b3` header and the multiple
// `x-b3-*` headers, parsed strictly into W3C ids, and formatted back.
//
//   b3: {TraceId}-{SpanId}[-{SamplingState}][-{ParentSpanId}]   or just   b3: {SamplingState}
//
// Strictness decisions (each pinned by a test in tests/unit/propagation/b3_test.cc):
// - lowercase hex only ("32 or 16 lower-hex characters"); a 16-hex (64-bit) trace id is
//   left-padded with zeros to 128 bits; all-zero trace or span ids are invalid;
// - no trimming and no trailing data: callers remove HTTP OWS at the boundary, as for
//   traceparent; anything after the last field makes the header invalid;
// - single: SamplingState is one of 0 (deny), 1 (accept), d (debug); it may be absent (defer),
//   and ParentSpanId may follow it or, when it is absent, the span id ("final position"); a
//   bare `0`, `1` or `d` carries a decision without ids (IsValid() false, sampling set);
// - multi: x-b3-sampled is 1 / 0, or the legacy true / false (also True / False, as Python
//   tracers wrote them): "a lenient implementation may accept them"; any other non-empty value
//   makes the headers invalid. x-b3-flags: 1 = debug (implies accept, overrides
//   x-b3-sampled); other values are ignored, as Brave and OTel do. An empty value is an absent
//   header. Sampling headers without any id carry a decision only;
// - an all-zero ParentSpanId is accepted and means "no parent" (the spec does not forbid it);
//   the multi parser does not read x-b3-parentspanid: the context continues from the span id.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/span_id.h"
#include "edge/trace_id.h"

namespace edge {

// Debug implies accept.
enum class B3Sampling : uint8_t { kUnset, kDeny, kAccept, kDebug };

struct B3Context {
  static constexpr std::string_view kSingleHeaderName = "b3";
  static constexpr std::string_view kTraceIdHeaderName = "x-b3-traceid";
  static constexpr std::string_view kSpanIdHeaderName = "x-b3-spanid";
  static constexpr std::string_view kParentSpanIdHeaderName = "x-b3-parentspanid";
  static constexpr std::string_view kSampledHeaderName = "x-b3-sampled";
  static constexpr std::string_view kFlagsHeaderName = "x-b3-flags";
  static constexpr size_t kShortTraceIdHexSize = 16;  // 64-bit trace id
  static constexpr size_t kSamplingStateSize = 1;
  // "<trace-id 32>-<span-id 16>-<state 1>-<parent 16>": the longest single header.
  static constexpr size_t kMaxSingleHeaderSize =
      TraceId::kHexSize + 1 + SpanId::kHexSize + 1 + kSamplingStateSize + 1 + SpanId::kHexSize;

  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;  // invalid when absent (or all-zero)
  B3Sampling sampling = B3Sampling::kUnset;

  bool IsValid() const noexcept { return trace_id.IsValid() && span_id.IsValid(); }
  bool sampled() const noexcept {
    return sampling == B3Sampling::kAccept || sampling == B3Sampling::kDebug;
  }
};

// Invalid input gives the empty context; a sampling-only header gives a context with no ids.
B3Context ParseB3Single(std::string_view header) noexcept;

// The x-b3-* values as received; an empty view is an absent header.
B3Context ParseB3Multi(std::string_view trace_id, std::string_view span_id,
                       std::string_view sampled, std::string_view flags) noexcept;

// Writes "<trace-id 32>-<span-id>[-<0|1|d>][-<parent>]" into out (room for
// kMaxSingleHeaderSize chars): the state is left out when kUnset, the parent when invalid.
// Returns the number of chars written, 0 when trace_id or span_id is invalid.
size_t FormatB3Single(const TraceId& trace_id, const SpanId& span_id, B3Sampling sampling,
                      const SpanId& parent_span_id, char* out) noexcept;

// The x-b3-* header values FormatB3Multi produced. Owns its characters (copying is safe); an
// empty view means "do not send this header".
class B3MultiHeaders {
 public:
  std::string_view trace_id() const noexcept { return {trace_id_, TraceId::kHexSize}; }
  std::string_view span_id() const noexcept { return {span_id_, SpanId::kHexSize}; }
  std::string_view parent_span_id() const noexcept {
    return {parent_span_id_, has_parent_ ? SpanId::kHexSize : 0};
  }
  // "1" or "0"; empty when deferred, and for debug ("don't also send the X-B3-Sampled header").
  std::string_view sampled() const noexcept;
  std::string_view flags() const noexcept;  // "1" for debug, else empty

 private:
  friend bool FormatB3Multi(const TraceId&, const SpanId&, B3Sampling, const SpanId&,
                            B3MultiHeaders*) noexcept;
  char trace_id_[TraceId::kHexSize] = {};
  char span_id_[SpanId::kHexSize] = {};
  char parent_span_id_[SpanId::kHexSize] = {};
  bool has_parent_ = false;
  B3Sampling sampling_ = B3Sampling::kUnset;
};

// Fills *out (trace id always as 32 hex). False, and *out untouched, when trace_id or span_id
// is invalid. The parent is sent only when valid.
bool FormatB3Multi(const TraceId& trace_id, const SpanId& span_id, B3Sampling sampling,
                   const SpanId& parent_span_id, B3MultiHeaders* out) noexcept;

}  // namespace edge
