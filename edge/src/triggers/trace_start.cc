// The first traced trigger of a request (viewer-request, or origin-request when only the
// origin pair is deployed): the trace is continued or started and sampled here, once; later
// triggers never revisit either.
#include "cloudfront/http_field.h"
#include "triggers/trigger_state.h"

namespace edge {
namespace {

// The `ot` tracestate value of a decision made here: "th:<T>[;rv:<R>]"; 0 when none applies.
size_t OtValue(const EdgeSampler& sampler, const EdgeSamplingResult& sampling, char* out) noexcept {
  char th[EdgeSampler::kMaxThresholdHexDigits];
  const size_t th_size = sampler.FormatThreshold(sampling.ratio, th);
  if (th_size == 0) return 0;
  size_t n = 0;
  for (char c : std::string_view("th:")) out[n++] = c;
  for (size_t i = 0; i < th_size; ++i) out[n++] = th[i];
  if (sampling.explicit_randomness) {
    for (char c : std::string_view(";rv:")) out[n++] = c;
    n += EdgeSampler::FormatRandomness(sampling.randomness, out + n);
  }
  return n;
}

}  // namespace

Status Tracer::StartTrace(const RequestFields& in, int64_t now, bool to_origin,
                          RequestDecision& out) noexcept {
  ExtractedContext extracted;
  if (config_.trust != TrustPolicy::kIgnore)
    extracted = ExtractContext(IncomingHeadersOf(in), config_.extract_order, config_.extract_count);
  const bool continuing = extracted.parent.IsValid();
  const TraceParent* parent = continuing ? &extracted.parent : nullptr;
  const bool from_w3c = continuing && extracted.format == format_bits::kTraceContext;

  // Under ids-only, or when the client's format carried no decision, the edge decides.
  const bool honor = config_.trust == TrustPolicy::kHonor && extracted.has_decision;
  const EdgeIds ids = NewIds(in.request_id, now,
                             !continuing ? kNeedTraceId
                             : honor     ? 0
                                         : kNeedEdgeRandom);
  const TraceId trace_id = continuing ? parent->trace_id : ids.trace_id;
  const RequestFacts facts{in.host, PathOf(in.uri), in.method};
  const EdgeSamplingResult sampling =
      sampler_->Decide(parent, honor, trace_id, ids.edge_random, facts, in.synthetic ? 0 : now);

  // Only W3C promises random trace ids; ids from X-Ray or B3 make no such claim.
  uint8_t flags = from_w3c     ? static_cast<uint8_t>(parent->flags & trace_flags::kKnownMask)
                  : continuing ? uint8_t{0}
                               : trace_flags::kRandom;
  flags = sampling.sampled ? static_cast<uint8_t>(flags | trace_flags::kSampled)
                           : static_cast<uint8_t>(flags & ~trace_flags::kSampled);

  // tracestate: a continued W3C trace keeps its (valid) vendor state; a new trace starts
  // clean. A decision made here is recorded in the `ot` entry (threshold, and the randomness
  // it used when that was not the trace id's), replacing any upstream one.
  TraceState trace_state = from_w3c ? TraceState::Parse(in.tracestate) : TraceState{};
  if (!trace_state.valid()) trace_state = TraceState{};
  char ot[6 + EdgeSampler::kMaxThresholdHexDigits + 4 + EdgeSampler::kRandomnessHexDigits];
  if (sampling.decided_here) {
    const size_t n = OtValue(*sampler_, sampling, ot);
    if (sampling.sampled && n > 0)
      trace_state.Upsert("ot", {ot, n});
    else
      trace_state.Erase("ot");
  }
  ByteWriter state(headers_out_ + TraceParent::kHeaderSize, TraceState::kPropagateLimit);
  trace_state.Serialize(state);
  if (state.size() == 0 || state.overflowed()) {
    out.tracestate = HeaderChange::Remove();
  } else if (from_w3c && state.view() == in.tracestate) {
    // Already in canonical form (the common case): the header stays as it came, which spares
    // the host a string and a header rewrite per request.
    out.tracestate = HeaderChange{};
  } else {
    out.tracestate = HeaderChange::Set(state.view());
  }

  EdgeContext ctx;
  ctx.start_unix_nano = now;
  if (continuing) ctx.remote_parent = parent->parent_id;
  // Every request gets a context, sampled or not: its presence tells the closing triggers
  // that the request side saw this request (an absent one means the event does not show
  // our headers: open_spans.cc), and keepErrors may still export an unsampled span.
  const bool open_span = now > 0;
  const size_t state_size = state.overflowed() ? 0 : state.size();
  WriteRequestHeaders(trace_id, ids.root_id, flags, state_size, open_span ? &ctx : nullptr,
                      to_origin, extracted.xray_lineage, out);
  out.sampled = sampling.sampled;
  return Status::kOk;
}

}  // namespace edge
