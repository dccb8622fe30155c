#pragma once
// AWS X-Ray `X-Amzn-Trace-Id` header: strict parsing into W3C ids, and formatting back.
//
//   Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=<1|0|?>[;Lineage=...][;k=v]...
//
// The X-Ray trace id maps to the 32-hex W3C trace id by concatenating its 8 + 24 digits.
//
// Strictness decisions (each pinned by a test in tests/unit/propagation/xray_test.cc):
// - at most kMaxHeaderSize (256) bytes. AWS documents no size for the header itself (the Lambda
//   API even takes 8192); OTel Java, maintained with AWS, treats 256 characters as the X-Ray
//   limit and truncates what it injects to it, and real headers (Root, Parent, Sampled,
//   Lineage, an ALB `Self`, a few custom fields) stay far below. Longer input is not trusted;
// - parts are separated by ';'; OWS (SP / HTAB) around a part and around its '=' is ignored,
//   empty parts are skipped; keys are case-sensitive and matched exactly (the AWS SDKs match
//   "Root=", "Parent=", "Sampled=", never a key that merely starts with "Root");
// - the context fields Root, Parent and Sampled must be well-formed and appear at most once,
//   otherwise the whole header is invalid (fully empty sentinel);
// - lowercase hex only (the W3C ids they become are lowercase); all-zero ids are invalid;
// - Root is required. Parent is optional: the first X-Ray-integrated service writes no Parent
//   (an ALB sends just `Root=1-67891233-abcdef012345678912345678`). Such a header is not a
//   usable parent (IsValid() is false, as in the OTel JS, Java, Go and Rust X-Ray propagators)
//   but its trace id may be continued (IsRootOnly());
// - Sampled=1 / Sampled=0 are decisions; Sampled=? ("requested": the receiver decides) and an
//   absent Sampled are kUnknown, and the ids stay valid;
// - carried fields never change validity: the first well-formed Lineage is kept; unknown
//   `token=value` parts are kept in order, at most kMaxExtraFields (ALB docs: "An application
//   can add arbitrary fields for its own purposes. The load balancer preserves these fields").
//   Dropped: `Self` (the ALB's own segment, which the AWS SDKs ignore), case variants of the
//   known keys (a case-insensitive reader downstream could take them for the real field),
//   malformed parts and parts beyond the limit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/span_id.h"
#include "edge/trace_id.h"

namespace edge {

enum class XRaySampling : uint8_t { kUnknown, kNotSampled, kSampled };

struct XRayHeader {
  static constexpr std::string_view kHeaderName = "x-amzn-trace-id";
  static constexpr size_t kMaxHeaderSize = 256;
  // Lineage V2 (`<counter>:<8 hex>:<counter>`) is at most 18 chars; the V1 example in the AWS
  // docs (`a87bd80c:1|68fd508a:5|c512fbe3:2`) is 32. Room for a few more V1 entries.
  static constexpr size_t kMaxLineageSize = 64;
  static constexpr size_t kMaxExtraFields = 8;
  // "Root=1-<8>-<24>;Parent=<16>;Sampled=<1>": what FormatXRayHeader always writes.
  static constexpr size_t kContextSize = 74;

  // An unknown `key=value` part, OWS trimmed. Views into the parsed header string.
  struct Field {
    std::string_view key;
    std::string_view value;
  };

  TraceId trace_id;
  SpanId parent_id;  // invalid when the header has no Parent
  XRaySampling sampling = XRaySampling::kUnknown;
  std::string_view lineage;  // empty when absent or malformed; a view into the header
  Field extra_fields[kMaxExtraFields];
  size_t extra_field_count = 0;

  // A remote parent: trace id and parent id.
  bool IsValid() const noexcept { return trace_id.IsValid() && parent_id.IsValid(); }
  // Well-formed, with a trace id but no Parent.
  bool IsRootOnly() const noexcept { return trace_id.IsValid() && !parent_id.IsValid(); }
};

// Returns the empty header (no trace id) for anything malformed or without Root. Views in the
// result point into `header`, which must outlive it.
XRayHeader ParseXRayHeader(std::string_view header) noexcept;

// 1..kMaxLineageSize chars of lowercase hex digits, ':' and '|', starting and ending with a
// hex digit: both the V1 and V2 Lineage encodings, nothing that could break the header.
bool IsValidXRayLineage(std::string_view lineage) noexcept;

// Writes "Root=1-xxxxxxxx-x{24};Parent=x{16};Sampled=1|0" plus ";Lineage=<lineage>" when
// `lineage` is valid (otherwise it is left out). Returns the number of chars written, or 0
// (nothing usable written) when an id is invalid or the output does not fit in `capacity`.
size_t FormatXRayHeader(const TraceId& trace_id, const SpanId& parent_id, bool sampled,
                        std::string_view lineage, char* out, size_t capacity) noexcept;

// The same, then appends the `extra` fields (e.g. a parsed header's extra_fields) in order.
// Fields a parse would drop are skipped; the first field that would take the header beyond
// min(capacity, kMaxHeaderSize) ends the list, as do all after it.
size_t FormatXRayHeader(const TraceId& trace_id, const SpanId& parent_id, bool sampled,
                        std::string_view lineage, const XRayHeader::Field* extra,
                        size_t extra_count, char* out, size_t capacity) noexcept;

}  // namespace edge
