#pragma once
// `x-edgetrace-ctx`: what a request-side trigger leaves for the triggers after it, which run
// in other invocations (maybe other sandboxes) and share nothing else with it.
//   1-<span start>[-<remote parent>]
//       one open span: the edge root, whose id is the traceparent's parent-id
//   2-<origin fetch start>-<root span id>-<root start>[-<remote parent>]
//       two open spans (all four triggers deployed): origin-request's CLIENT span, whose id is
//       the traceparent's parent-id, and the root above it, which origin-response closes too
//       when viewer-response will not run
// Starts are unix ns in decimal, ids 16 lowercase hex. Trace id and flags travel in the
// traceparent. The header comes back in untrusted form (a client can send one), so it is
// parsed strictly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/span_id.h"

namespace edge {

struct EdgeContext {
  static constexpr std::string_view kHeaderName = "x-edgetrace-ctx";
  static constexpr size_t kMaxStartDigits = 19;  // int64 nanoseconds until the year 2262
  static constexpr size_t kMaxHeaderSize =
      2 + kMaxStartDigits + 1 + SpanId::kHexSize + 1 + kMaxStartDigits + 1 + SpanId::kHexSize;

  int64_t start_unix_nano = 0;       // of the innermost open span; > 0 when valid
  SpanId root_span_id;               // version 2 only: the root span still open above it
  int64_t root_start_unix_nano = 0;  // version 2 only
  SpanId remote_parent;              // the root's parent; invalid when the root starts a trace

  bool IsValid() const noexcept { return start_unix_nano > 0; }
  bool HasOpenRoot() const noexcept { return root_span_id.IsValid(); }  // version 2
};

EdgeContext ParseEdgeContext(std::string_view header) noexcept;
// Writes version 2 when ctx.HasOpenRoot(), else version 1; at most kMaxHeaderSize chars.
// Returns the count.
size_t FormatEdgeContext(const EdgeContext& ctx, char* out) noexcept;

}  // namespace edge
