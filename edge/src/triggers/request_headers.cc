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
  const uint8_t extra = config_.inject & static_cast<uint8_t>(~format_bits::kTraceContext);
  if (!to_origin || extra == 0) return;
  const bool sampled = (flags & trace_flags::kSampled) != 0;
  const InjectedHeaders injected =
      InjectHeaders(extra, trace_id, span_id, sampled, lineage, inject_out_, sizeof inject_out_);
  if (!injected.xray.empty()) out.xray = HeaderChange::Set(injected.xray);
  if (!injected.b3.empty()) out.b3 = HeaderChange::Set(injected.b3);
  if (!injected.b3_trace_id.empty()) out.b3_trace_id = HeaderChange::Set(injected.b3_trace_id);
  if (!injected.b3_span_id.empty()) out.b3_span_id = HeaderChange::Set(injected.b3_span_id);
  if (!injected.b3_sampled.empty()) out.b3_sampled = HeaderChange::Set(injected.b3_sampled);
}

}  // namespace edge
