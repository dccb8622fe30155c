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
  // Lambda context
  std::string_view invocation_id;  // context.awsRequestId
  bool cold_start = false;
};

}  // namespace edge
