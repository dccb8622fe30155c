#include "cloudfront/http_span_attributes.h"

namespace edge::internal {
namespace {

constexpr std::string_view kKnownMethods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                              "CONNECT", "OPTIONS", "TRACE", "PATCH"};

bool IsKnownMethod(std::string_view method) noexcept {
  for (std::string_view m : kKnownMethods)
    if (method == m) return true;
  return false;
}

void AddIfPresent(AttributeList& attrs, std::string_view key, std::string_view value) noexcept {
  if (!value.empty()) attrs.AddString(key, value);
}

}  // namespace

std::string_view SpanName(std::string_view method) noexcept {
  return IsKnownMethod(method) ? method : std::string_view("HTTP");
}

void AddRequestAttributes(const RequestFields& in, std::string_view event_type,
                          std::string_view redacted_query, AttributeList& attrs) noexcept {
  if (IsKnownMethod(in.method)) {
    attrs.AddString("http.request.method", in.method);
  } else {
    attrs.AddString("http.request.method", "_OTHER");
    AddIfPresent(attrs, "http.request.method_original", in.method);
  }
  AddIfPresent(attrs, "url.path", in.uri);
  AddIfPresent(attrs, "url.query", redacted_query);
  // CloudFront-Forwarded-Proto appears only if an origin request policy asks for it; the
  // viewer side of a CloudFront distribution is HTTPS unless configured otherwise.
  attrs.AddString("url.scheme", in.forwarded_proto == "http" ? "http" : "https");
  AddIfPresent(attrs, "server.address", in.host);
  AddIfPresent(attrs, "client.address", in.client_ip);
  AddIfPresent(attrs, "user_agent.original", in.user_agent);
  AddIfPresent(attrs, "aws.cloudfront.distribution_id", in.distribution_id);
  AddIfPresent(attrs, "aws.cloudfront.distribution_domain", in.distribution_domain);
  AddIfPresent(attrs, "aws.cloudfront.request_id", in.request_id);
  attrs.AddString("aws.cloudfront.event_type", event_type);
  attrs.AddString("faas.trigger", "http");
  AddIfPresent(attrs, "faas.invocation_id", in.invocation_id);
  attrs.AddBool("faas.coldstart", in.cold_start);
}

}  // namespace edge::internal
