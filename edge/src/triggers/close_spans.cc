// Builds the spans a trigger closes (the origin fetch CLIENT span, the edge root SERVER span
// or both) and writes them as one OTLP JSON export request.
#include "cloudfront/http_field.h"
#include "cloudfront/http_span_attributes.h"
#include "edge/cloudfront/query_redaction.h"
#include "triggers/trigger_state.h"

namespace edge {
namespace {

constexpr size_t kMaxQueryBytes = 8192;  // CloudFront's URL limit

void SetTimes(Span& span, int64_t start, int64_t now) noexcept {
  span.start_unix_nano = start;
  // Triggers may run on different hosts: never report a negative duration.
  span.end_unix_nano = now > start ? now : start;
}

void RecordThrow(Span& span, const RequestFields& in, int64_t now) noexcept {
  span.status = SpanStatusCode::kError;
  span.status_message = "edge function threw";
  span.AddExceptionEvent(now, in.exception_type, in.exception_message);
}

}  // namespace

Status Tracer::CloseSpans(const RequestFields& in, const OpenSpans& open, const Closing& c,
                          ResponseDecision& out, ByteWriter& body) noexcept {
  char state_buf[TraceState::kPropagateLimit];
  ByteWriter state(state_buf, sizeof(state_buf));
  TraceState parsed_state = TraceState::Parse(in.tracestate);
  if (parsed_state.valid()) parsed_state.Serialize(state);
  const std::string_view trace_state = state.overflowed() ? std::string_view() : state.view();

  char query_buf[kMaxQueryBytes];
  const size_t query_len =
      RedactQuery(in.querystring, config_.redact_query_keys, query_buf, sizeof(query_buf));
  const std::string_view query(query_buf, query_len);
  const std::string_view opened_at =
      Deployed(trigger_bits::kViewerRequest) ? "viewer-request" : "origin-request";
  const Trigger normal_root_closer =
      Deployed(trigger_bits::kViewerResponse) ? Trigger::kViewerResponse : Trigger::kOriginResponse;

  Span spans[2];
  const Span* to_encode[2];
  size_t n = 0;
  // The response status is what the span saw: the origin fetch saw the origin's, but a root
  // whose function threw did not see what CloudFront answered the viewer instead.
  const auto common = [&](Span& span, bool status_seen) {
    span.trace_id = open.trace_id;
    span.trace_state = trace_state;
    span.name = internal::SpanName(in.method);
    AttributeList& a = span.attributes;
    if (c.status != 0 && status_seen) a.AddInt("http.response.status_code", c.status);
    if (!region_.empty()) a.AddString("aws.cloudfront.edge_region", region_);
    if (open.partial_timing) a.AddString("aws.cloudfront.timing", "partial");
    if (c.kept_error) a.AddBool("edgetrace.sampling.kept_error", true);
  };

  if (c.close_fetch) {
    Span& fetch = spans[n];
    to_encode[n++] = &fetch;
    common(fetch, true);
    fetch.span_id = open.fetch_id;
    fetch.parent_span_id = open.root_id;
    fetch.kind = SpanKind::kClient;
    SetTimes(fetch, open.fetch_start, c.now);
    fetch.flags = open.trace_flags | span_flags::kContextHasIsRemote;  // local parent
    internal::AddRequestAttributes(in, "origin-request", query, fetch.attributes);
    // Client span: 4xx is an error too (HTTP semantic conventions).
    if (c.status >= 400) fetch.status = SpanStatusCode::kError;
    if (c.at == Trigger::kOriginRequest && !c.threw)
      fetch.attributes.AddString("aws.cloudfront.response_source", "origin-request");
    if (c.threw && c.at != Trigger::kViewerResponse) RecordThrow(fetch, in, c.now);
  }
  if (c.close_root) {
    Span& root = spans[n];
    to_encode[n++] = &root;
    common(root, !c.threw);
    root.span_id = open.root_id;
    root.parent_span_id = open.remote_parent;
    root.kind = SpanKind::kServer;
    SetTimes(root, open.root_start, c.now);
    root.flags = open.trace_flags | span_flags::kContextHasIsRemote |
                 (open.remote_parent.IsValid() ? span_flags::kContextIsRemote : 0);
    AttributeList& a = root.attributes;
    internal::AddRequestAttributes(in, opened_at, query, a);
    if (!c.cache_status.empty()) a.AddString("aws.cloudfront.cache_status", c.cache_status);
    if (c.at != normal_root_closer) a.AddString("aws.cloudfront.root_closed_at", TriggerName(c.at));
    if (c.at == Trigger::kViewerRequest && !c.threw)
      a.AddString("aws.cloudfront.response_source", "viewer-request");
    request_capture_.Add(in.captured_request_headers, a);
    response_capture_.Add(in.captured_response_headers, a);
    // Server span: 5xx is an error, 4xx is the client's problem.
    if (c.status >= 500 && !c.threw) root.status = SpanStatusCode::kError;
    if (c.threw) RecordThrow(root, in, c.now);
    if (c.fill_link != nullptr) root.AddLink(*c.fill_link);
  }
  if (n == 0) return Status::kNothingToDo;
  out.span_count = static_cast<int>(n);
  return encoder_.Encode(to_encode, n, body);
}

}  // namespace edge
