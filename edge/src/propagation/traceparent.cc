#include "edge/propagation/traceparent.h"

#include "internal/hex.h"

namespace edge {
namespace {

// Field layout of "VV-TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT-PPPPPPPPPPPPPPPP-FF".
constexpr size_t kVersionSize = 2;
constexpr size_t kFlagsSize = 2;
constexpr size_t kVersionOffset = 0;
constexpr size_t kTraceIdOffset = kVersionOffset + kVersionSize + 1;
constexpr size_t kParentIdOffset = kTraceIdOffset + TraceId::kHexSize + 1;
constexpr size_t kFlagsOffset = kParentIdOffset + SpanId::kHexSize + 1;
constexpr size_t kDelimiterOffsets[] = {kTraceIdOffset - 1, kParentIdOffset - 1, kFlagsOffset - 1};
constexpr char kDelimiter = '-';
constexpr uint8_t kVersion00 = 0x00;
constexpr uint8_t kForbiddenVersion = 0xff;

static_assert(kFlagsOffset + kFlagsSize == TraceParent::kHeaderSize, "layout must add up");

}  // namespace

TraceParent ParseTraceParent(std::string_view header) noexcept {
  if (header.size() < TraceParent::kHeaderSize) return {};

  uint8_t version = 0;
  if (!internal::DecodeHex(header.substr(kVersionOffset, kVersionSize), &version)) return {};
  if (version == kForbiddenVersion) return {};
  if (version == kVersion00 && header.size() != TraceParent::kHeaderSize) return {};
  // A future version may append fields, but only after another delimiter.
  if (header.size() > TraceParent::kHeaderSize && header[TraceParent::kHeaderSize] != kDelimiter) {
    return {};
  }

  for (const size_t offset : kDelimiterOffsets) {
    if (header[offset] != kDelimiter) return {};
  }

  TraceParent parsed;
  parsed.trace_id = TraceId::FromHex(header.substr(kTraceIdOffset, TraceId::kHexSize));
  if (!parsed.trace_id.IsValid()) return {};  // malformed or all-zero
  parsed.parent_id = SpanId::FromHex(header.substr(kParentIdOffset, SpanId::kHexSize));
  if (!parsed.parent_id.IsValid()) return {};  // malformed or all-zero
  if (!internal::DecodeHex(header.substr(kFlagsOffset, kFlagsSize), &parsed.flags)) return {};
  return parsed;
}

void FormatTraceParent(const TraceId& trace_id, const SpanId& span_id, uint8_t flags,
                       char* out) noexcept {
  out[kVersionOffset] = '0';
  out[kVersionOffset + 1] = '0';
  for (const size_t offset : kDelimiterOffsets) out[offset] = kDelimiter;
  trace_id.ToHex(out + kTraceIdOffset);
  span_id.ToHex(out + kParentIdOffset);
  const auto known = static_cast<uint8_t>(flags & trace_flags::kKnownMask);
  internal::EncodeHex(&known, 1, out + kFlagsOffset);
}

}  // namespace edge
