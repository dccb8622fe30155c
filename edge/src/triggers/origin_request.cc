// origin-request: the first trigger that sees the request on its way to the origin. Here the
// trace is continued or started and sampled, once; later triggers never revisit either.
#include "cloudfront/http_field.h"
#include "edge/tracer.h"

namespace edge {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

}  // namespace

Status Tracer::OnOriginRequest(const RequestFields& in, int64_t now_unix_nano,
                               RequestDecision& out) noexcept {
  out = RequestDecision{};
  if (!configured_) return Status::kNotConfigured;

  TraceParent parent;
  if (config_.trust_incoming && !in.traceparent.empty())
    parent = ParseTraceParent(internal::TrimOptionalWhitespace(in.traceparent));
  const bool continuing = parent.IsValid();

  TraceId trace_id =
      continuing ? parent.trace_id : ids_->NewTraceId(now_unix_nano / kNanosPerSecond);
  SpanId span_id = ids_->NewSpanId();
  SamplingResult sampling = sampler_->Decide(continuing ? &parent : nullptr, trace_id, {});

  uint8_t flags = continuing ? static_cast<uint8_t>(parent.flags & trace_flags::kKnownMask)
                             : trace_flags::kRandom;
  flags = sampling.sampled ? static_cast<uint8_t>(flags | trace_flags::kSampled)
                           : static_cast<uint8_t>(flags & ~trace_flags::kSampled);
  char* const traceparent_out = headers_out_;
  FormatTraceParent(trace_id, span_id, flags, traceparent_out);
  out.traceparent = HeaderChange::Set({traceparent_out, TraceParent::kHeaderSize});
  out.sampled = sampling.sampled;

  // tracestate: a continued trace keeps its (valid) vendor state; a new trace starts clean,
  // with the threshold of the decision made here when it was sampled.
  char* const tracestate_out = traceparent_out + TraceParent::kHeaderSize;
  ByteWriter state(tracestate_out, TraceState::kPropagateLimit);
  if (continuing) {
    TraceState incoming = TraceState::Parse(in.tracestate);
    if (incoming.valid() && incoming.size() > 0) incoming.Serialize(state);
  } else if (sampling.sampled && sampling.decided_here) {
    char th[14];
    size_t n = sampler_->root().FormatThreshold(th);
    state.Append("ot=th:");
    state.Append(std::string_view(th, n));
  }
  if (state.size() == 0 || state.overflowed()) {
    out.tracestate = HeaderChange::Remove();
  } else if (continuing && state.view() == in.tracestate) {
    // Already in canonical form (the common case): the header stays as it came, which spares
    // the host a string and a header rewrite per request.
    out.tracestate = HeaderChange{};
  } else {
    out.tracestate = HeaderChange::Set(state.view());
  }

  if (sampling.sampled) {
    EdgeContext ctx;
    ctx.start_unix_nano = now_unix_nano;
    if (continuing) ctx.remote_parent = parent.parent_id;
    char* const context_out = tracestate_out + state.size();
    out.edge_context = HeaderChange::Set({context_out, FormatEdgeContext(ctx, context_out)});
  } else {
    out.edge_context = HeaderChange::Remove();
  }
  return Status::kOk;
}

}  // namespace edge
