#pragma once
// W3C Trace Context Level 2 `traceparent` header: strict parsing and version-00 formatting.
//
// Strictness decisions (each pinned by a test in tests/unit/propagation/traceparent_test.cc):
// - lowercase hex only; upper case is invalid;
// - version ff is invalid; version 00 must be exactly 55 chars;
// - a higher version is accepted when it is >= 55 chars, the fixed fields parse and the char
//   after the flags (if any) is '-'; only the version-00 fields are read from it;
// - all-zero trace-id or parent-id is invalid.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/span_id.h"
#include "edge/trace_id.h"

namespace edge {

namespace trace_flags {
constexpr uint8_t kSampled = 0x01;
constexpr uint8_t kRandom = 0x02;  // Level 2: right-most 7 bytes of the trace-id are random
constexpr uint8_t kKnownMask = kSampled | kRandom;
}  // namespace trace_flags

struct TraceParent {
  static constexpr size_t kHeaderSize = 55;  // version 00

  TraceId trace_id;
  SpanId parent_id;
  uint8_t flags = 0;  // as received; callers mask with trace_flags::kKnownMask before emitting

  bool IsValid() const noexcept { return trace_id.IsValid() && parent_id.IsValid(); }
  bool sampled() const noexcept { return (flags & trace_flags::kSampled) != 0; }
};

// Returns an invalid TraceParent (IsValid() == false) for any header the spec rejects.
TraceParent ParseTraceParent(std::string_view header) noexcept;

// Writes exactly kHeaderSize chars: "00-<trace-id>-<span-id>-<flags & kKnownMask>".
void FormatTraceParent(const TraceId& trace_id, const SpanId& span_id, uint8_t flags,
                       char* out) noexcept;

}  // namespace edge
