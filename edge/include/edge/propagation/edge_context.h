#pragma once
// `x-edgetrace-ctx`: what the request-side trigger leaves for the response side, which runs
// in another invocation (maybe another sandbox) and shares nothing else with it.
//   1-<span start, unix ns, decimal>[-<remote parent span id, 16 hex>]
// Trace id, span id and flags travel in the traceparent the request side injected. The
// header comes back in untrusted form (a client can send one), so it is parsed strictly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/span_id.h"

namespace edge {

struct EdgeContext {
  static constexpr std::string_view kHeaderName = "x-edgetrace-ctx";
  static constexpr size_t kMaxHeaderSize = 2 + 19 + 1 + SpanId::kHexSize;

  int64_t start_unix_nano = 0;  // > 0 when valid
  SpanId remote_parent;         // invalid when the span is a root

  bool IsValid() const noexcept { return start_unix_nano > 0; }
};

EdgeContext ParseEdgeContext(std::string_view header) noexcept;
// Writes at most kMaxHeaderSize chars; returns the count.
size_t FormatEdgeContext(const EdgeContext& ctx, char* out) noexcept;

}  // namespace edge
