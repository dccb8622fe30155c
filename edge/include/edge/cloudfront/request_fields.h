#pragma once
// The parts of one CloudFront Lambda@Edge event that tracing needs, as views into buffers the
// caller owns. Every field is untrusted (headers come from the internet); an absent field
// is an empty view. The shim extracts only these fields, so no event is ever serialised
// whole across the Wasm boundary.
#include <string_view>

namespace edge {

struct RequestFields {
  // headers (multi-valued headers joined with ",")
  std::string_view traceparent;
  std::string_view tracestate;
  std::string_view edge_context;  // x-edgetrace-ctx
  std::string_view xray;          // x-amzn-trace-id
  std::string_view b3;
  std::string_view b3_trace_id;  // x-b3-traceid
  std::string_view b3_span_id;   // x-b3-spanid
  std::string_view b3_sampled;   // x-b3-sampled
  std::string_view b3_flags;     // x-b3-flags
  std::string_view host;
  std::string_view user_agent;
  std::string_view forwarded_proto;  // cloudfront-forwarded-proto
  // cf.request
  std::string_view method;
  std::string_view uri;
  std::string_view querystring;
  std::string_view client_ip;
  // cf.config
  std::string_view distribution_id;
  std::string_view distribution_domain;
  std::string_view request_id;
  // cf.response (response triggers only): status is a string in the event
  std::string_view response_status;
  // x-edgetrace-fill on the response: who filled the cache (viewer-response only)
  std::string_view fill_stamp;
  // Allowlisted headers (capture.*), encoded as in cloudfront/captured_headers.h
  std::string_view captured_request_headers;
  std::string_view captured_response_headers;
  // The wrapped user handler threw (wrap(userHandler)): its error's name and message
  std::string_view exception_type;
  std::string_view exception_message;
  // Lambda context
  std::string_view invocation_id;  // context.awsRequestId
  bool cold_start = false;
  // A synthetic request (the host's warm-up at load): takes no rate-limit token.
  bool synthetic = false;
};

}  // namespace edge
