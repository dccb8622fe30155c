#include "edge/propagation/b3.h"

#include "internal/hex.h"

namespace edge {
namespace {

constexpr char kDelimiter = '-';
constexpr char kStateDeny = '0';
constexpr char kStateAccept = '1';
constexpr char kStateDebug = 'd';
constexpr size_t kShortTraceIdBytes = B3Context::kShortTraceIdHexSize / internal::kHexDigitsPerByte;

// What may follow "<trace-id>-<span-id>" in the single header.
constexpr size_t kStateTailSize = 1 + B3Context::kSamplingStateSize;  // "-1"
constexpr size_t kParentTailSize = 1 + SpanId::kHexSize;              // "-<parent>"
constexpr size_t kStateParentTailSize = kStateTailSize + kParentTailSize;
static_assert(TraceId::kHexSize + 1 + SpanId::kHexSize + kStateParentTailSize ==
                  B3Context::kMaxSingleHeaderSize,
              "layout must add up");

// x-b3-sampled and x-b3-flags values.
constexpr std::string_view kSampledAccept = "1";
constexpr std::string_view kSampledDeny = "0";
constexpr std::string_view kLegacyAccept[] = {"true", "True"};
constexpr std::string_view kLegacyDeny[] = {"false", "False"};
constexpr std::string_view kDebugFlag = "1";

bool ParseState(char c, B3Sampling* out) noexcept {
  switch (c) {
    case kStateDeny:
      *out = B3Sampling::kDeny;
      return true;
    case kStateAccept:
      *out = B3Sampling::kAccept;
      return true;
    case kStateDebug:
      *out = B3Sampling::kDebug;
      return true;
    default:
      return false;
  }
}

char StateChar(B3Sampling sampling) noexcept {
  switch (sampling) {
    case B3Sampling::kDeny:
      return kStateDeny;
    case B3Sampling::kDebug:
      return kStateDebug;
    default:
      return kStateAccept;
  }
}

// 32 or 16 lowercase hex digits; 16 are the low 64 bits of a zero-padded 128-bit id.
TraceId ParseTraceId(std::string_view hex) noexcept {
  if (hex.size() == TraceId::kHexSize) return TraceId::FromHex(hex);
  if (hex.size() != B3Context::kShortTraceIdHexSize) return {};
  uint8_t bytes[TraceId::kSize] = {};
  if (!internal::DecodeHex(hex, bytes + TraceId::kSize - kShortTraceIdBytes)) return {};
  return TraceId(bytes);  // all-zero stays invalid
}

// "-<16 hex>". All-zero decodes to the invalid SpanId: no parent.
bool ParseParentTail(std::string_view tail, B3Context* out) noexcept {
  if (tail.front() != kDelimiter) return false;
  uint8_t bytes[SpanId::kSize];
  if (!internal::DecodeHex(tail.substr(1), bytes)) return false;
  out->parent_span_id = SpanId(bytes);
  return true;
}

// The optional fields after the span id: "", "-S", "-<parent>" or "-S-<parent>".
bool ParseTail(std::string_view tail, B3Context* out) noexcept {
  switch (tail.size()) {
    case 0:
      return true;
    case kStateTailSize:
      return tail.front() == kDelimiter && ParseState(tail[1], &out->sampling);
    case kParentTailSize:
      return ParseParentTail(tail, out);
    case kStateParentTailSize:
      if (tail.front() != kDelimiter || !ParseState(tail[1], &out->sampling)) return false;
      return ParseParentTail(tail.substr(kStateTailSize), out);
    default:
      return false;
  }
}

bool Matches(std::string_view value, std::string_view exact,
             const std::string_view (&legacy)[2]) noexcept {
  return value == exact || value == legacy[0] || value == legacy[1];
}

// x-b3-sampled: empty (absent) defers; any other unknown value is malformed.
bool ParseSampledHeader(std::string_view value, B3Sampling* out) noexcept {
  if (value.empty()) return true;
  if (Matches(value, kSampledAccept, kLegacyAccept)) {
    *out = B3Sampling::kAccept;
    return true;
  }
  if (Matches(value, kSampledDeny, kLegacyDeny)) {
    *out = B3Sampling::kDeny;
    return true;
  }
  return false;
}

}  // namespace

B3Context ParseB3Single(std::string_view header) noexcept {
  if (header.size() == B3Context::kSamplingStateSize) {
    B3Context decision_only;
    if (!ParseState(header.front(), &decision_only.sampling)) return {};
    return decision_only;
  }

  const size_t trace_id_size = header.find(kDelimiter);
  if (trace_id_size != B3Context::kShortTraceIdHexSize && trace_id_size != TraceId::kHexSize) {
    return {};
  }
  B3Context parsed;
  parsed.trace_id = ParseTraceId(header.substr(0, trace_id_size));
  if (!parsed.trace_id.IsValid()) return {};  // malformed or all-zero

  const size_t span_id_offset = trace_id_size + 1;
  if (header.size() < span_id_offset + SpanId::kHexSize) return {};
  parsed.span_id = SpanId::FromHex(header.substr(span_id_offset, SpanId::kHexSize));
  if (!parsed.span_id.IsValid()) return {};  // malformed or all-zero

  if (!ParseTail(header.substr(span_id_offset + SpanId::kHexSize), &parsed)) return {};
  return parsed;
}

B3Context ParseB3Multi(std::string_view trace_id, std::string_view span_id,
                       std::string_view sampled, std::string_view flags) noexcept {
  B3Sampling sampling = B3Sampling::kUnset;
  if (!ParseSampledHeader(sampled, &sampling)) return {};
  if (flags == kDebugFlag) sampling = B3Sampling::kDebug;

  B3Context parsed;
  if (trace_id.empty() && span_id.empty()) {  // a decision without ids
    parsed.sampling = sampling;
    return parsed;
  }
  parsed.trace_id = ParseTraceId(trace_id);
  if (!parsed.trace_id.IsValid()) return {};
  parsed.span_id = SpanId::FromHex(span_id);
  if (!parsed.span_id.IsValid()) return {};
  parsed.sampling = sampling;
  return parsed;
}

size_t FormatB3Single(const TraceId& trace_id, const SpanId& span_id, B3Sampling sampling,
                      const SpanId& parent_span_id, char* out) noexcept {
  if (!trace_id.IsValid() || !span_id.IsValid()) return 0;
  size_t size = 0;
  trace_id.ToHex(out);
  size += TraceId::kHexSize;
  out[size++] = kDelimiter;
  span_id.ToHex(out + size);
  size += SpanId::kHexSize;
  if (sampling != B3Sampling::kUnset) {
    out[size++] = kDelimiter;
    out[size++] = StateChar(sampling);
  }
  if (parent_span_id.IsValid()) {
    out[size++] = kDelimiter;
    parent_span_id.ToHex(out + size);
    size += SpanId::kHexSize;
  }
  return size;
}

std::string_view B3MultiHeaders::sampled() const noexcept {
  switch (sampling_) {
    case B3Sampling::kAccept:
      return kSampledAccept;
    case B3Sampling::kDeny:
      return kSampledDeny;
    default:
      return {};
  }
}

std::string_view B3MultiHeaders::flags() const noexcept {
  return sampling_ == B3Sampling::kDebug ? kDebugFlag : std::string_view();
}

bool FormatB3Multi(const TraceId& trace_id, const SpanId& span_id, B3Sampling sampling,
                   const SpanId& parent_span_id, B3MultiHeaders* out) noexcept {
  if (!trace_id.IsValid() || !span_id.IsValid()) return false;
  trace_id.ToHex(out->trace_id_);
  span_id.ToHex(out->span_id_);
  out->has_parent_ = parent_span_id.IsValid();
  if (out->has_parent_) parent_span_id.ToHex(out->parent_span_id_);
  out->sampling_ = sampling;
  return true;
}

}  // namespace edge
