// origin-response: closes the span the origin-request trigger opened. Everything it needs
// comes back in the request headers that trigger injected (traceparent, tracestate,
// x-edgetrace-ctx), because the two invocations share no memory.
#include "cloudfront/http_field.h"
#include "cloudfront/http_span_attributes.h"
#include "edge/cloudfront/query_redaction.h"
#include "edge/tracer.h"

namespace edge {
namespace {

constexpr size_t kMaxQueryBytes = 8192;  // CloudFront's URL limit
constexpr int64_t kMinStatus = 100;
constexpr int64_t kMaxStatus = 599;
constexpr int64_t kNanosPerSecond = 1000000000;
// The span covers origin-request to origin-response: at most the origin-request timeout (30 s)
// plus CloudFront's longest origin response timeout (180 s by quota increase). A start further
// back, or ahead of this host's clock by more than NTP-level skew, is not one edgetrace wrote.
constexpr int64_t kMaxSpanAge = 600 * kNanosPerSecond;
constexpr int64_t kMaxClockSkew = 60 * kNanosPerSecond;

// cf.response.status is a string: "200". Returns 0 when it is not a 3-digit status.
int64_t ParseStatus(std::string_view s) noexcept {
  if (s.size() != 3) return 0;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v >= kMinStatus && v <= kMaxStatus ? v : 0;
}

}  // namespace

Status Tracer::OnOriginResponse(const RequestFields& in, int64_t now_unix_nano,
                                ByteWriter& body) noexcept {
  problem_ = {};
  if (!configured_) return Status::kNotConfigured;
  // origin-request sets x-edgetrace-ctx on sampled spans only: without it, this request
  // carries no span of ours. With it, a span was sampled, and losing it must be reported.
  if (in.edge_context.empty()) return Status::kNothingToDo;
  EdgeContext ctx = ParseEdgeContext(in.edge_context);
  if (!ctx.IsValid()) return Reject("x-edgetrace-ctx is malformed");
  TraceParent tp = ParseTraceParent(internal::TrimOptionalWhitespace(in.traceparent));
  if (!tp.IsValid()) return Reject("traceparent is missing or invalid next to x-edgetrace-ctx");
  if (!tp.sampled()) return Reject("traceparent is unsampled next to x-edgetrace-ctx");
  if (ctx.start_unix_nano < now_unix_nano - kMaxSpanAge ||
      ctx.start_unix_nano > now_unix_nano + kMaxClockSkew)
    return Reject("x-edgetrace-ctx start time is not within the last 10 minutes");

  Span span;
  span.trace_id = tp.trace_id;
  span.span_id = tp.parent_id;  // the id the origin sees as its parent is this span's id
  span.parent_span_id = ctx.remote_parent;
  span.name = internal::SpanName(in.method);
  span.kind = SpanKind::kServer;
  span.start_unix_nano = ctx.start_unix_nano;
  // The two triggers may run on different hosts: never report a negative duration.
  span.end_unix_nano = now_unix_nano > ctx.start_unix_nano ? now_unix_nano : ctx.start_unix_nano;
  span.flags = (tp.flags & trace_flags::kKnownMask) | span_flags::kContextHasIsRemote |
               (ctx.remote_parent.IsValid() ? span_flags::kContextIsRemote : 0);

  char state_buf[TraceState::kPropagateLimit];
  ByteWriter state(state_buf, sizeof(state_buf));
  TraceState parsed_state = TraceState::Parse(in.tracestate);
  if (parsed_state.valid()) parsed_state.Serialize(state);
  span.trace_state = state.overflowed() ? std::string_view() : state.view();

  char query_buf[kMaxQueryBytes];
  size_t query_len = RedactQuery(in.querystring, query_buf, sizeof(query_buf));
  internal::AddRequestAttributes(in, "origin-request", {query_buf, query_len}, span.attributes);

  int64_t status = ParseStatus(in.response_status);
  if (status != 0) span.attributes.AddInt("http.response.status_code", status);
  // Server span: 5xx is an error, 4xx is the client's problem (HTTP semantic conventions).
  if (status >= 500) span.status = SpanStatusCode::kError;

  return encoder_.Encode(span, body);
}

}  // namespace edge
