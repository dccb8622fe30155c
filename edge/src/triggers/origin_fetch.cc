// origin-request below a viewer-request root (all four triggers deployed): opens the CLIENT
// span "origin fetch", whose id is the parent the origin sees, and records both open spans
// in x-edgetrace-ctx version 2 so that origin-response can close the root too when
// viewer-response will not run.
#include "cloudfront/http_field.h"
#include "edge/request_ids.h"
#include "triggers/trigger_state.h"

namespace edge {

Status Tracer::OpenOriginFetch(const RequestFields& in, int64_t now,
                               RequestDecision& out) noexcept {
  const TraceParent root = ParseTraceParent(internal::TrimOptionalWhitespace(in.traceparent));
  // viewer-request always sets traceparent, naming the root by the id derived from the
  // request id: without it (or with a traceparent naming another span, the client's own),
  // its headers did not reach this trigger (an origin request policy that does not forward
  // them, or a viewer-request that failed and passed the request through). Its decision is
  // repeated (its ids come from the request id; no rate-limit token is taken twice) and the
  // origin fetch opens under that root, so that no span gets two closing triggers. A
  // decision that cannot be repeated is not guessed: the request is left as it is.
  const bool from_viewer_request =
      root.IsValid() && (in.request_id.empty() ||
                         root.parent_id == SpanIdFromRequestId(in.request_id, EdgeSpanRole::kRoot));
  if (!from_viewer_request) {
    ExtractedContext extracted;
    if (config_.trust != TrustPolicy::kIgnore)
      extracted =
          ExtractContext(IncomingHeadersOf(in), config_.extract_order, config_.extract_count);
    const bool honored = config_.trust == TrustPolicy::kHonor && extracted.has_decision;
    const bool new_xray_id = config_.xray_compatible_ids && !extracted.parent.IsValid();
    if (in.request_id.empty() || new_xray_id ||
        !DecisionRepeatable(Trigger::kOriginRequest, honored))
      return Reject(
          "origin-request: viewer-request's trace headers are missing (does the origin request "
          "policy forward traceparent and x-edgetrace-ctx?) and its sampling decision cannot be "
          "repeated here (no request id, sampling.maxPerSecond, a host rule or "
          "ids.xrayCompatible)");
    RequestFields again = in;
    again.synthetic = true;
    RequestDecision viewer;
    StartTrace(again, now, /*to_origin=*/false, viewer);
    char traceparent[TraceParent::kHeaderSize];
    char context[EdgeContext::kMaxHeaderSize];
    const size_t context_size = viewer.edge_context.value.size();
    if (viewer.traceparent.value.size() != sizeof traceparent || context_size > sizeof context ||
        context_size == 0)
      return Reject("origin-request: viewer-request's trace headers are missing");
    viewer.traceparent.value.copy(traceparent, sizeof traceparent);
    viewer.edge_context.value.copy(context, context_size);
    again.traceparent = {traceparent, sizeof traceparent};
    again.edge_context = {context, context_size};
    const Status status = OpenOriginFetch(again, now, out);
    if (status == Status::kOk)
      out.notice =
          "origin-request: viewer-request's trace headers are not in the origin request (does the "
          "origin request policy forward traceparent and x-edgetrace-ctx?); its decision was "
          "repeated from the request id";
    return status;
  }

  const EdgeContext ctx = ParseEdgeContext(in.edge_context);
  if (!ctx.IsValid() || ctx.HasOpenRoot()) {
    if (root.sampled() || !in.edge_context.empty())
      return Reject(
          "x-edgetrace-ctx from viewer-request is missing or malformed next to a sampled "
          "traceparent; does the origin request policy forward it?");
    // Unsampled and nothing to keep: the origin continues from the root as it is.
    const uint8_t flags = static_cast<uint8_t>(root.flags & trace_flags::kKnownMask);
    WriteRequestHeaders(root.trace_id, root.parent_id, flags, 0, nullptr, true, {}, out);
    out.traceparent = HeaderChange{};
    out.edge_context = HeaderChange{};
    return Status::kOk;
  }

  const SpanId fetch_id = in.request_id.empty()
                              ? ids_->NewSpanId()
                              : SpanIdFromRequestId(in.request_id, EdgeSpanRole::kOriginFetch);
  EdgeContext next;
  next.start_unix_nano = now > 0 ? now : ctx.start_unix_nano;
  next.root_span_id = root.parent_id;
  next.root_start_unix_nano = ctx.start_unix_nano;
  next.remote_parent = ctx.remote_parent;
  const uint8_t flags = static_cast<uint8_t>(root.flags & trace_flags::kKnownMask);
  WriteRequestHeaders(root.trace_id, fetch_id, flags, 0, &next, true, {}, out);
  out.tracestate = HeaderChange{};  // viewer-request already wrote it
  out.sampled = root.sampled();
  return Status::kOk;
}

}  // namespace edge
