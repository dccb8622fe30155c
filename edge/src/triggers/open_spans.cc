// What a closing trigger finds open: read back from the request headers the request side
// wrote (traceparent + x-edgetrace-ctx), or, when a response event does not show those
// headers, recomputed from cf.config.requestId.
#include "cloudfront/http_field.h"
#include "edge/request_ids.h"
#include "triggers/trigger_state.h"

namespace edge {
namespace {

// A span covers at most the origin-request timeout (30 s) plus CloudFront's longest origin
// response timeout (180 s by quota increase). A start further back, or ahead of this host's
// clock by more than NTP-level skew, is not one edgetrace wrote.
constexpr int64_t kMaxSpanAge = 600 * kNanosPerSecond;
constexpr int64_t kMaxClockSkew = 60 * kNanosPerSecond;

bool PlausibleStart(int64_t start, int64_t now) noexcept {
  return start >= now - kMaxSpanAge && start <= now + kMaxClockSkew;
}

// Version 1 (one open span): traceparent names the root. Version 2 (all four, after
// origin-request): traceparent names the origin fetch and the context the root.
bool ContextNamesDerivedSpans(std::string_view request_id, const EdgeContext& ctx,
                              const TraceParent& tp) noexcept {
  if (!ctx.HasOpenRoot())
    return tp.parent_id == SpanIdFromRequestId(request_id, EdgeSpanRole::kRoot);
  return tp.parent_id == SpanIdFromRequestId(request_id, EdgeSpanRole::kOriginFetch) &&
         ctx.root_span_id == SpanIdFromRequestId(request_id, EdgeSpanRole::kRoot);
}

}  // namespace

Status Tracer::RecoverOpenSpans(Trigger trigger, const RequestFields& in, int64_t now,
                                OpenSpans& open) noexcept {
  if (in.edge_context.empty()) {
    // The request side sets x-edgetrace-ctx on every request it sees: without it, this event
    // does not show the request side's headers.
    if (!in.request_id.empty()) return RecoverFromRequestId(trigger, in, now, open);
    return Status::kNothingToDo;
  }
  const EdgeContext ctx = ParseEdgeContext(in.edge_context);
  if (!ctx.IsValid()) return Reject("x-edgetrace-ctx is malformed");
  const TraceParent tp = ParseTraceParent(internal::TrimOptionalWhitespace(in.traceparent));
  if (!tp.IsValid()) return Reject("traceparent is missing or invalid next to x-edgetrace-ctx");
  // The request side names its spans with ids derived from this request id. A context that
  // names others was not written for this request: a client sent its own (which a response
  // event that does not show the request side's headers would carry), so it is not trusted
  // and the spans are recovered from the request id, as when no context is visible.
  if (!in.request_id.empty() && !ContextNamesDerivedSpans(in.request_id, ctx, tp))
    return RecoverFromRequestId(trigger, in, now, open);
  if (!tp.sampled() && !config_.keep_errors) return Status::kNothingToDo;
  if (!PlausibleStart(ctx.start_unix_nano, now) ||
      (ctx.HasOpenRoot() && !PlausibleStart(ctx.root_start_unix_nano, now)))
    return Reject("x-edgetrace-ctx start time is not within the last 10 minutes");

  open.trace_id = tp.trace_id;
  open.trace_flags = static_cast<uint8_t>(tp.flags & trace_flags::kKnownMask);
  open.remote_parent = ctx.remote_parent;
  if (ctx.HasOpenRoot()) {
    open.has_fetch = true;
    open.fetch_id = tp.parent_id;  // the id the origin saw as its parent
    open.fetch_start = ctx.start_unix_nano;
    open.root_id = ctx.root_span_id;
    open.root_start = ctx.root_start_unix_nano;
  } else {
    open.root_id = tp.parent_id;
    open.root_start = ctx.start_unix_nano;
  }
  return Status::kOk;
}

bool Tracer::DecisionRepeatable(Trigger at, bool honored) const noexcept {
  if (honored) return true;  // the upstream flag is in the headers every trigger sees
  if (config_.sampling_max_per_second > 0) return false;
  const bool decided_at_viewer = Deployed(trigger_bits::kViewerRequest);
  const bool faces_origin = at == Trigger::kOriginRequest || at == Trigger::kOriginResponse;
  if (decided_at_viewer && faces_origin) {
    for (const SamplingRule& rule : config_.sampling_rules)
      if (!rule.host.empty()) return false;
  }
  return true;
}

// Every decision of the request side is a function of the request id, the client's headers
// and the configuration, except the rate limit, host rules seen from the origin side and
// X-Ray-compatible trace ids (which carry the start second): repeat it when it can be
// (DecisionRepeatable), else export nothing rather than contradict it. Start times are lost:
// spans end here and are marked partial.
Status Tracer::RecoverFromRequestId(Trigger trigger, const RequestFields& in, int64_t now,
                                    OpenSpans& open) noexcept {
  if (now <= 0) return Status::kNothingToDo;
  ExtractedContext extracted;
  if (config_.trust != TrustPolicy::kIgnore) {
    // What the request side saw: the viewer's own headers, all of them still visible.
    extracted = ExtractContext(IncomingHeadersOf(in), config_.extract_order, config_.extract_count);
  }
  const bool continuing = extracted.parent.IsValid();
  if (!continuing && config_.xray_compatible_ids) return Status::kNothingToDo;
  const bool honor = config_.trust == TrustPolicy::kHonor && extracted.has_decision;
  if (!DecisionRepeatable(trigger, honor)) return Status::kNothingToDo;
  const EdgeIds ids =
      NewIds(in.request_id, now, kNeedFetchId | (!continuing ? kNeedTraceId : kNeedEdgeRandom));
  open.trace_id = continuing ? extracted.parent.trace_id : ids.trace_id;
  const RequestFacts facts{in.host, PathOf(in.uri), in.method};
  const EdgeSamplingResult sampling =
      sampler_->Decide(continuing ? &extracted.parent : nullptr, honor, open.trace_id,
                       ids.edge_random, facts, /*now_unix_nano=*/0);
  if (!sampling.sampled && !config_.keep_errors) return Status::kNothingToDo;
  const uint8_t known = extracted.format == format_bits::kTraceContext
                            ? static_cast<uint8_t>(extracted.parent.flags & trace_flags::kRandom)
                        : continuing ? uint8_t{0}
                                     : trace_flags::kRandom;
  open.trace_flags = static_cast<uint8_t>(known | (sampling.sampled ? trace_flags::kSampled : 0));
  open.remote_parent = continuing ? extracted.parent.parent_id : SpanId();
  open.root_id = ids.root_id;
  open.root_start = now;
  open.has_fetch = trigger == Trigger::kOriginResponse &&
                   (config_.triggers & trigger_bits::kAllFour) == trigger_bits::kAllFour;
  open.fetch_id = ids.fetch_id;
  open.fetch_start = now;
  open.partial_timing = true;
  return Status::kOk;
}

}  // namespace edge
