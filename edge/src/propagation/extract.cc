#include "edge/propagation/extract.h"

#include "cloudfront/http_field.h"
#include "edge/config.h"
#include "edge/propagation/b3.h"
#include "edge/propagation/xray.h"

namespace edge {
namespace {

using internal::TrimOptionalWhitespace;

// Within one `order` entry, formats are tried in this order.
constexpr uint8_t kFormatsInEntryOrder[] = {format_bits::kTraceContext, format_bits::kXRay,
                                            format_bits::kB3Single, format_bits::kB3Multi};

uint8_t SampledFlag(bool sampled) noexcept { return sampled ? trace_flags::kSampled : 0; }

bool FromTraceContext(const IncomingHeaders& in, ExtractedContext* out) noexcept {
  const std::string_view value = TrimOptionalWhitespace(in.traceparent);
  if (value.empty()) return false;
  const TraceParent parent = ParseTraceParent(value);
  if (!parent.IsValid()) return false;
  out->parent = parent;
  out->has_decision = true;  // the sampled flag is always a decision
  return true;
}

// A root-only header is remembered in *root_only (the first one seen) but does not win.
bool FromXRay(const IncomingHeaders& in, ExtractedContext* out,
              ExtractedContext* root_only) noexcept {
  if (in.xray.empty()) return false;
  const XRayHeader header = ParseXRayHeader(in.xray);  // handles OWS itself
  if (header.IsRootOnly() && !root_only->root_only_trace_id.IsValid()) {
    root_only->root_only_trace_id = header.trace_id;
    root_only->xray_lineage = header.lineage;
  }
  if (!header.IsValid()) return false;
  out->parent.trace_id = header.trace_id;
  out->parent.parent_id = header.parent_id;
  out->parent.flags = SampledFlag(header.sampling == XRaySampling::kSampled);
  out->has_decision = header.sampling != XRaySampling::kUnknown;
  out->xray_lineage = header.lineage;
  return true;
}

bool FromB3(const B3Context& b3, ExtractedContext* out) noexcept {
  if (!b3.IsValid()) return false;
  out->parent.trace_id = b3.trace_id;
  out->parent.parent_id = b3.span_id;  // the sender's span is our parent
  out->parent.flags = SampledFlag(b3.sampled());
  out->has_decision = b3.sampling != B3Sampling::kUnset;
  return true;
}

bool FromB3Single(const IncomingHeaders& in, ExtractedContext* out) noexcept {
  const std::string_view value = TrimOptionalWhitespace(in.b3);
  if (value.empty()) return false;
  return FromB3(ParseB3Single(value), out);
}

bool FromB3Multi(const IncomingHeaders& in, ExtractedContext* out) noexcept {
  const std::string_view trace_id = TrimOptionalWhitespace(in.b3_trace_id);
  const std::string_view span_id = TrimOptionalWhitespace(in.b3_span_id);
  if (trace_id.empty() || span_id.empty()) return false;  // no ids, no parent
  return FromB3(ParseB3Multi(trace_id, span_id, TrimOptionalWhitespace(in.b3_sampled),
                             TrimOptionalWhitespace(in.b3_flags)),
                out);
}

bool TryFormat(uint8_t format, const IncomingHeaders& in, ExtractedContext* out,
               ExtractedContext* root_only) noexcept {
  switch (format) {
    case format_bits::kTraceContext:
      return FromTraceContext(in, out);
    case format_bits::kXRay:
      return FromXRay(in, out, root_only);
    case format_bits::kB3Single:
      return FromB3Single(in, out);
    case format_bits::kB3Multi:
      return FromB3Multi(in, out);
    default:
      return false;
  }
}

}  // namespace

ExtractedContext ExtractContext(const IncomingHeaders& in, const uint8_t* order,
                                size_t count) noexcept {
  ExtractedContext root_only;  // what is returned when no format wins
  if (order == nullptr) return root_only;
  for (size_t i = 0; i < count; ++i) {
    for (const uint8_t format : kFormatsInEntryOrder) {
      if ((order[i] & format) == 0) continue;
      ExtractedContext won;
      if (!TryFormat(format, in, &won, &root_only)) continue;
      won.format = format;
      return won;
    }
  }
  return root_only;
}

}  // namespace edge
