#pragma once
// The per-sandbox tracer: configuration, id generation, sampling and encoding for the
// CloudFront triggers. One instance lives for the lifetime of the Wasm instance; calls are
// bounded in time and memory and never allocate after Configure.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "edge/cloudfront/header_change.h"
#include "edge/cloudfront/request_fields.h"
#include "edge/config.h"
#include "edge/id_generator.h"
#include "edge/json/byte_writer.h"
#include "edge/otlp/otlp_json_encoder.h"
#include "edge/propagation/edge_context.h"
#include "edge/propagation/traceparent.h"
#include "edge/propagation/tracestate.h"
#include "edge/random_source.h"
#include "edge/sampling/parent_based_sampler.h"
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

  // origin-request: continue or start the trace, decide sampling, and say which trace
  // headers to set on the request to the origin.
  Status OnOriginRequest(const RequestFields& in, int64_t now_unix_nano,
                         RequestDecision& out) noexcept;

  // origin-response: recover the span from the request headers, close it with the origin's
  // status, and write one OTLP JSON body into `body`. kNothingToDo when the request carries
  // no sampled edgetrace span.
  // kInvalidInput when the request carries edgetrace's context but it cannot be trusted;
  // problem() then says why.
  Status OnOriginResponse(const RequestFields& in, int64_t now_unix_nano,
                          ByteWriter& body) noexcept;

  // Why the last call returned kInvalidInput (a static, one-line message).
  std::string_view problem() const noexcept { return problem_; }

 private:
  Status Reject(std::string_view why) noexcept {
    problem_ = why;
    return Status::kInvalidInput;
  }

  RandomSource& random_;
  std::string_view problem_;
  bool configured_ = false;
  Config config_;
  std::unique_ptr<IdGenerator> ids_;
  std::unique_ptr<ParentBasedSampler> sampler_;
  OtlpJsonEncoder encoder_;
  // Request-side header values, written back to back so the host reads them in one go:
  // traceparent, then tracestate, then x-edgetrace-ctx.
  char headers_out_[TraceParent::kHeaderSize + TraceState::kPropagateLimit +
                    EdgeContext::kMaxHeaderSize];
};

}  // namespace edge
