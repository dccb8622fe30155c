// Response-side dispatch: which spans this trigger closes (docs/trace-model.md, "Spans that
// viewer-response never closes"), and the cache status viewer-response infers. Each span has
// exactly one closing trigger, so none is exported twice.
#include "cloudfront/http_field.h"
#include "edge/request_ids.h"
#include "triggers/trigger_state.h"

namespace edge {
namespace {

constexpr int64_t kMinStatus = 100;
constexpr int64_t kMaxStatus = 599;

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

uint8_t TriggerBit(Trigger t) noexcept { return static_cast<uint8_t>(1u << static_cast<int>(t)); }

}  // namespace

Status Tracer::OnResponse(Trigger trigger, const RequestFields& in, int64_t now_unix_nano,
                          uint32_t flags, ResponseDecision& out, ByteWriter& body) noexcept {
  out = ResponseDecision{};
  problem_ = {};
  if (!configured_) return Status::kNotConfigured;
  if (!Deployed(TriggerBit(trigger))) return Status::kNothingToDo;
  const bool request_side =
      trigger == Trigger::kViewerRequest || trigger == Trigger::kOriginRequest;
  const bool threw = (flags & kClosedByThrow) != 0;
  if (request_side && !threw && (flags & kClosedByGeneratedResponse) == 0)
    return Status::kNothingToDo;

  OpenSpans open;
  const Status recovered = RecoverOpenSpans(trigger, in, now_unix_nano, open);
  if (recovered != Status::kOk) return recovered;

  Closing c;
  c.at = trigger;
  c.now = now_unix_nano;
  c.status = ParseStatus(in.response_status);
  c.threw = threw;
  // Stamp what gets cached, so that viewer-response can tell a hit from a miss. Only when
  // viewer-response runs to remove the stamp, and only below 400 (it does not run there).
  bool stamp = false;
  SpanLink fill_link;
  switch (trigger) {
    case Trigger::kViewerRequest:  // a generated response (or a throw): no origin, no cache
      c.close_root = true;
      break;
    case Trigger::kOriginRequest:  // origin-response will not run for this request
    case Trigger::kOriginResponse:
      c.close_fetch = open.has_fetch;
      // CloudFront skips viewer-response for >= 400 and after a failed function.
      c.close_root = !open.has_fetch || c.status >= 400 || threw;
      stamp = !c.close_root && Deployed(trigger_bits::kViewerResponse);
      if (c.close_root && open.has_fetch) c.cache_status = "miss";
      break;
    case Trigger::kViewerResponse: {
      // With both spans open, origin-response closed the root of a >= 400 response.
      if (open.has_fetch && c.status >= 400) return Status::kNothingToDo;
      c.close_root = true;
      const TraceParent fill = ParseTraceParent(internal::TrimOptionalWhitespace(in.fill_stamp));
      const SpanId own_fetch = in.request_id.empty()
                                   ? open.fetch_id
                                   : SpanIdFromRequestId(in.request_id, EdgeSpanRole::kOriginFetch);
      if (fill.IsValid() && fill.trace_id == open.trace_id &&
          (!own_fetch.IsValid() || fill.parent_id == own_fetch)) {
        c.cache_status = "miss";
      } else if (fill.IsValid()) {
        c.cache_status = "hit";
        fill_link.trace_id = fill.trace_id;
        fill_link.span_id = fill.parent_id;
        fill_link.flags = fill.flags & trace_flags::kKnownMask;
        c.fill_link = &fill_link;
      } else if (open.has_fetch) {
        c.cache_status = "miss";
      } else if (c.status >= 500) {
        c.cache_status = "error";  // CloudFront's own error, the origin never answered
      } else {
        // Without origin triggers a miss leaves no stamp: the two cannot be told apart.
        c.cache_status = Deployed(trigger_bits::kOriginResponse) ? "hit" : "unknown";
      }
      break;
    }
  }
  if (!open.sampled()) {
    // keepErrors: the origin's 5xx is exported; the decision sent downstream stands.
    if (!(config_.keep_errors && trigger == Trigger::kOriginResponse && c.status >= 500))
      return Status::kNothingToDo;
    c.kept_error = true;
  }
  if (stamp) {
    FormatTraceParent(open.trace_id, open.fetch_id, open.trace_flags, response_out_);
    out.fill_stamp = HeaderChange::Set({response_out_, TraceParent::kHeaderSize});
  }
  if (c.close_root && (trigger == Trigger::kViewerResponse || trigger == Trigger::kViewerRequest))
    WriteCorrelationHeader(open.trace_id, open.root_id, open.trace_flags, out);
  return CloseSpans(in, open, c, out, body);
}

void Tracer::WriteCorrelationHeader(const TraceId& trace_id, const SpanId& span_id, uint8_t flags,
                                    ResponseDecision& out) noexcept {
  if (config_.response_header == ResponseHeaderMode::kNone) return;
  char* const value = response_out_ + TraceParent::kHeaderSize;
  if (config_.response_header == ResponseHeaderMode::kTraceResponse) {
    FormatTraceParent(trace_id, span_id, flags, value);
    out.correlation = HeaderChange::Set({value, TraceParent::kHeaderSize});
    return;
  }
  // Server-Timing: traceparent;desc="00-...": the form RUM agents read.
  constexpr std::string_view kPrefix = "traceparent;desc=\"";
  size_t n = 0;
  for (char c : kPrefix) value[n++] = c;
  FormatTraceParent(trace_id, span_id, flags, value + n);
  n += TraceParent::kHeaderSize;
  value[n++] = '"';
  out.correlation = HeaderChange::Set({value, n});
}

}  // namespace edge
