// Ids and headers of the request-side triggers.
#include "edge/request_ids.h"
#include "triggers/trigger_state.h"

namespace edge {

Tracer::EdgeIds Tracer::NewIds(std::string_view request_id, int64_t now, uint32_t needs) noexcept {
  // Only what the caller needs: every derived id costs SipHash rounds on the request path.
  EdgeIds ids;
  if (request_id.empty()) {
    // A malformed event: random ids, which no response-side fallback can recompute. Drawn
    // in order of need, so the pool is not spent on ids this trigger does not use.
    if (needs & kNeedTraceId) ids.trace_id = ids_->NewTraceId(now / kNanosPerSecond);
    ids.root_id = ids_->NewSpanId();
    if (needs & kNeedFetchId) ids.fetch_id = ids_->NewSpanId();
    if (needs & kNeedEdgeRandom) ids.edge_random = ids_->NewTraceId(0).Low56();
    return ids;
  }
  ids.derived = true;
  ids.root_id = SpanIdFromRequestId(request_id, EdgeSpanRole::kRoot);
  if (needs & kNeedFetchId)
    ids.fetch_id = SpanIdFromRequestId(request_id, EdgeSpanRole::kOriginFetch);
  if ((needs & (kNeedTraceId | kNeedEdgeRandom)) == 0) return ids;
  const TraceId derived = TraceIdFromRequestId(request_id);
  ids.edge_random = derived.Low56();
  // X-Ray trace ids carry the start second, which a response trigger cannot recompute.
  if (needs & kNeedTraceId)
    ids.trace_id = config_.xray_compatible_ids ? ids_->NewTraceId(now / kNanosPerSecond) : derived;
  return ids;
}

void Tracer::WriteRequestHeaders(const TraceId& trace_id, const SpanId& span_id, uint8_t flags,
                                 size_t state_size, const EdgeContext* ctx, bool to_origin,
                                 std::string_view lineage, RequestDecision& out) noexcept {
  FormatTraceParent(trace_id, span_id, flags, headers_out_);
  out.traceparent = HeaderChange::Set({headers_out_, TraceParent::kHeaderSize});
  if (ctx != nullptr) {
    char* const context_out = headers_out_ + TraceParent::kHeaderSize + state_size;
    out.edge_context = HeaderChange::Set({context_out, FormatEdgeContext(*ctx, context_out)});
  } else {
    out.edge_context = HeaderChange::Remove();
  }
  if (!to_origin) return;
  const uint8_t extra = config_.inject & static_cast<uint8_t>(~format_bits::kTraceContext);
  InjectedHeaders injected;
  if (extra != 0) {
    const bool sampled = (flags & trace_flags::kSampled) != 0;
    injected =
        InjectHeaders(extra, trace_id, span_id, sampled, lineage, inject_out_, sizeof inject_out_);
  }
  // The other formats' headers must name the edge's span and decision, or be absent: a
  // client's b3, x-b3-* or X-Amzn-Trace-Id left next to edgetrace's traceparent lets an
  // origin that reads them follow the client's parent and sampling decision (B3's
  // "x-b3-flags: 1" forces sampling), which "ignore" and "ids-only" promise no client can do.
  // Only where client context is honoured and the format is not extracted (edgetrace never
  // looked at it) does it pass untouched.
  const uint8_t extracted = config_.extract_formats;
  const bool keep_unread = config_.trust == TrustPolicy::kHonor;
  auto change = [&](std::string_view value, uint8_t format, HeaderChange& out_change) {
    if (!value.empty())
      out_change = HeaderChange::Set(value);
    else if (!keep_unread || (extracted & format) != 0)
      out_change = HeaderChange::Remove();
  };
  change(injected.xray, format_bits::kXRay, out.xray);
  change(injected.b3, format_bits::kB3Single, out.b3);
  change(injected.b3_trace_id, format_bits::kB3Multi, out.b3_trace_id);
  change(injected.b3_span_id, format_bits::kB3Multi, out.b3_span_id);
  change(injected.b3_sampled, format_bits::kB3Multi, out.b3_sampled);
}

}  // namespace edge
