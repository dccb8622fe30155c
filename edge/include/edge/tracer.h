#pragma once
// The per-sandbox tracer: configuration, id generation, sampling and encoding for the
// CloudFront triggers. One instance lives for the lifetime of the Wasm instance; calls are
// bounded in time and memory and never allocate after Configure.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "edge/cloudfront/captured_headers.h"
#include "edge/cloudfront/header_change.h"
#include "edge/cloudfront/request_fields.h"
#include "edge/cloudfront/trigger.h"
#include "edge/config.h"
#include "edge/id_generator.h"
#include "edge/json/byte_writer.h"
#include "edge/otlp/otlp_json_encoder.h"
#include "edge/propagation/edge_context.h"
#include "edge/propagation/extract.h"
#include "edge/propagation/inject.h"
#include "edge/propagation/traceparent.h"
#include "edge/propagation/tracestate.h"
#include "edge/random_source.h"
#include "edge/sampling/edge_sampler.h"
#include "edge/status.h"

namespace edge {

// Facts about the Lambda sandbox, for the resource (from Lambda's reserved variables).
struct RuntimeInfo {
  std::string_view region;            // AWS_REGION: the region the replica runs in
  std::string_view function_name;     // AWS_LAMBDA_FUNCTION_NAME
  std::string_view function_version;  // AWS_LAMBDA_FUNCTION_VERSION
};

class Tracer {
 public:
  explicit Tracer(RandomSource& random) noexcept : random_(random) {}

  // Validates and applies the configuration; on error nothing changes (a tracer that was
  // never configured stays unconfigured) and `error` names the offending key.
  Status Configure(std::string_view config_json, const RuntimeInfo& runtime, std::string& error);
  bool configured() const noexcept { return configured_; }
  const Config& config() const noexcept { return config_; }

  // A request-side trigger (viewer-request, origin-request): continue or start the trace and
  // decide sampling at the first traced trigger, open this trigger's span, and say which
  // headers to set on the request. kNothingToDo when `trigger` is not traced in this
  // deployment (config `triggers`). See docs/trace-model.md.
  Status OnRequest(Trigger trigger, const RequestFields& in, int64_t now_unix_nano,
                   RequestDecision& out) noexcept;

  // Closes the spans this trigger closes and writes them as one OTLP JSON body:
  // - origin-response / viewer-response, with the response's status;
  // - viewer-request / origin-request when `flags` has kClosedByGeneratedResponse (the
  //   wrapped user handler answered without the origin) or kClosedByThrow (it threw).
  // `in` carries the request as the request side left it (traceparent, x-edgetrace-ctx).
  // kNothingToDo when the request carries no sampled span of ours; kInvalidInput when it
  // carries edgetrace's context but that cannot be trusted (problem() says why).
  Status OnResponse(Trigger trigger, const RequestFields& in, int64_t now_unix_nano, uint32_t flags,
                    ResponseDecision& out, ByteWriter& body) noexcept;

  static constexpr uint32_t kClosedByGeneratedResponse = 1;
  static constexpr uint32_t kClosedByThrow = 2;

  // The origin pair, as the core issue defined it (kept for callers and tests).
  Status OnOriginRequest(const RequestFields& in, int64_t now_unix_nano,
                         RequestDecision& out) noexcept {
    return OnRequest(Trigger::kOriginRequest, in, now_unix_nano, out);
  }
  Status OnOriginResponse(const RequestFields& in, int64_t now_unix_nano,
                          ByteWriter& body) noexcept {
    ResponseDecision ignored;
    return OnResponse(Trigger::kOriginResponse, in, now_unix_nano, 0, ignored, body);
  }

  // Why the last call returned kInvalidInput (a static, one-line message).
  std::string_view problem() const noexcept { return problem_; }

 private:
  struct EdgeIds;
  struct OpenSpans;
  struct Closing;

  Status Reject(std::string_view why) noexcept {
    problem_ = why;
    return Status::kInvalidInput;
  }
  bool Deployed(uint8_t trigger_bit) const noexcept {
    return (config_.triggers & trigger_bit) != 0;
  }

  // triggers/trace_start.cc: the first traced trigger of a request.
  Status StartTrace(const RequestFields& in, int64_t now, bool to_origin,
                    RequestDecision& out) noexcept;
  // triggers/origin_request.cc: origin-request below a viewer-request root (all four).
  Status OpenOriginFetch(const RequestFields& in, int64_t now, RequestDecision& out) noexcept;
  // triggers/request_headers.cc
  // The root span id, and what `needs` asks for besides (kNeed* bits).
  static constexpr uint32_t kNeedTraceId = 1;     // a trace that starts at the edge
  static constexpr uint32_t kNeedEdgeRandom = 2;  // a decision the client must not steer
  static constexpr uint32_t kNeedFetchId = 4;     // the origin fetch span
  EdgeIds NewIds(std::string_view request_id, int64_t now, uint32_t needs) noexcept;
  // traceparent, then x-edgetrace-ctx after the `state_size` bytes of tracestate the caller
  // wrote behind it (Remove when ctx is null), then the injected formats when `to_origin`.
  void WriteRequestHeaders(const TraceId& trace_id, const SpanId& span_id, uint8_t flags,
                           size_t state_size, const EdgeContext* ctx, bool to_origin,
                           std::string_view lineage, RequestDecision& out) noexcept;
  // triggers/open_spans.cc
  // Whether a later trigger (`at`) can repeat the request side's sampling decision from the
  // request id alone: not for a decision the per-sandbox rate limit took part in, nor for a
  // host rule evaluated at viewer-request when `at` faces the origin (its Host header is the
  // origin's). `honored`: the decision followed a trusted upstream flag.
  bool DecisionRepeatable(Trigger at, bool honored) const noexcept;
  Status RecoverOpenSpans(Trigger trigger, const RequestFields& in, int64_t now,
                          OpenSpans& open) noexcept;
  Status RecoverFromRequestId(Trigger trigger, const RequestFields& in, int64_t now,
                              OpenSpans& open) noexcept;
  // triggers/close_spans.cc
  Status CloseSpans(const RequestFields& in, const OpenSpans& open, const Closing& closing,
                    ResponseDecision& out, ByteWriter& body) noexcept;
  void WriteCorrelationHeader(const TraceId& trace_id, const SpanId& span_id, uint8_t flags,
                              ResponseDecision& out) noexcept;

  RandomSource& random_;
  std::string_view problem_;
  bool configured_ = false;
  Config config_;
  std::string region_;
  std::unique_ptr<IdGenerator> ids_;
  std::unique_ptr<EdgeSampler> sampler_;
  internal::CapturedHeaders request_capture_;
  internal::CapturedHeaders response_capture_;
  OtlpJsonEncoder encoder_;
  // Request-side header values, written back to back so the host reads them in one go:
  // traceparent, then tracestate, then x-edgetrace-ctx.
  char headers_out_[TraceParent::kHeaderSize + TraceState::kPropagateLimit +
                    EdgeContext::kMaxHeaderSize];
  char inject_out_[kInjectBufferSize];
  // Response-side header values: x-edgetrace-fill, then the correlation header.
  char response_out_[2 * TraceParent::kHeaderSize + 32];
};

}  // namespace edge
