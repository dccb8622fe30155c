#include "cloudfront/http_span_attributes.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace edge::internal {
namespace {

RequestFields FullRequest() {
  RequestFields in;
  in.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  in.host = "d111111abcdef8.cloudfront.net";
  in.user_agent = "curl/8.4.0";
  in.forwarded_proto = "https";
  in.method = "GET";
  in.uri = "/products/42";
  in.querystring = "Signature=must-not-be-used";
  in.client_ip = "203.0.113.178";
  in.distribution_id = "EDFDVBD6EXAMPLE";
  in.distribution_domain = "d111111abcdef8.cloudfront.net";
  in.request_id = "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==";
  in.response_status = "200";
  in.invocation_id = "c0ffee00-0000-4000-8000-000000000001";
  in.cold_start = true;
  return in;
}

const Attribute* Find(const AttributeList& attrs, std::string_view key) {
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (attrs.at(i).key == key) return &attrs.at(i);
  }
  return nullptr;
}

// The string value of `key`, or "<absent>" (also when the attribute is not a string).
std::string StringOf(const AttributeList& attrs, std::string_view key) {
  const Attribute* a = Find(attrs, key);
  return a != nullptr && a->type == AttributeType::kString ? std::string(a->string_value)
                                                           : "<absent>";
}

TEST_CASE("span name: each semantic-conventions method names the span") {
  for (std::string_view method :
       {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}) {
    CHECK(SpanName(method) == method);
  }
}

TEST_CASE("span name: any other method is HTTP, so span-name cardinality stays bounded") {
  for (std::string_view method :
       {"get", "Get", "PROPFIND", "QUERY", "", "GET ", " GET", "GETX", "G", "PURGE",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    CAPTURE(method);
    CHECK(SpanName(method) == "HTTP");
  }
  CHECK(SpanName(std::string_view("GET\0", 4)) == "HTTP");
}

TEST_CASE("request attributes: every field maps to its semantic-conventions key, in order") {
  AttributeList attrs;
  AddRequestAttributes(FullRequest(), "origin-request", "a=1&Signature=REDACTED", attrs);
  struct Expected {
    std::string_view key;
    std::string_view value;
  };
  const Expected expected[] = {
      {"http.request.method", "GET"},
      {"url.path", "/products/42"},
      {"url.query", "a=1&Signature=REDACTED"},
      {"url.scheme", "https"},
      {"server.address", "d111111abcdef8.cloudfront.net"},
      {"client.address", "203.0.113.178"},
      {"user_agent.original", "curl/8.4.0"},
      {"aws.cloudfront.distribution_id", "EDFDVBD6EXAMPLE"},
      {"aws.cloudfront.distribution_domain", "d111111abcdef8.cloudfront.net"},
      {"aws.cloudfront.request_id", "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ=="},
      {"aws.cloudfront.event_type", "origin-request"},
      {"faas.trigger", "http"},
      {"faas.invocation_id", "c0ffee00-0000-4000-8000-000000000001"},
  };
  constexpr size_t kStringCount = sizeof expected / sizeof expected[0];
  REQUIRE(attrs.size() == kStringCount + 1);
  for (size_t i = 0; i < kStringCount; ++i) {
    CAPTURE(i);
    CHECK(attrs.at(i).key == expected[i].key);
    CHECK(attrs.at(i).type == AttributeType::kString);
    CHECK(attrs.at(i).string_value == expected[i].value);
  }
  CHECK(attrs.at(kStringCount).key == "faas.coldstart");
  CHECK(attrs.at(kStringCount).type == AttributeType::kBool);
  CHECK(attrs.at(kStringCount).bool_value);
  CHECK(attrs.dropped() == 0);
}

TEST_CASE("request attributes: url.query is the redacted query given, never the raw one") {
  AttributeList attrs;
  AddRequestAttributes(FullRequest(), "origin-request", "Signature=REDACTED", attrs);
  CHECK(StringOf(attrs, "url.query") == "Signature=REDACTED");
  AttributeList none;
  AddRequestAttributes(FullRequest(), "origin-request", "", none);
  CHECK(Find(none, "url.query") == nullptr);
}

TEST_CASE("request attributes: an unknown method is _OTHER with the original kept") {
  RequestFields in = FullRequest();
  in.method = "PROPFIND";
  AttributeList attrs;
  AddRequestAttributes(in, "origin-request", "", attrs);
  CHECK(StringOf(attrs, "http.request.method") == "_OTHER");
  CHECK(StringOf(attrs, "http.request.method_original") == "PROPFIND");
  in.method = "get";  // methods are case-sensitive
  AttributeList lower;
  AddRequestAttributes(in, "origin-request", "", lower);
  CHECK(StringOf(lower, "http.request.method") == "_OTHER");
  CHECK(StringOf(lower, "http.request.method_original") == "get");
}

TEST_CASE("request attributes: a known method has no method_original") {
  AttributeList attrs;
  AddRequestAttributes(FullRequest(), "origin-request", "", attrs);
  CHECK(Find(attrs, "http.request.method_original") == nullptr);
}

TEST_CASE("request attributes: an empty method is _OTHER without an empty original") {
  RequestFields in = FullRequest();
  in.method = "";
  AttributeList attrs;
  AddRequestAttributes(in, "origin-request", "", attrs);
  CHECK(StringOf(attrs, "http.request.method") == "_OTHER");
  CHECK(Find(attrs, "http.request.method_original") == nullptr);
}

TEST_CASE("request attributes: absent fields are omitted, required ones are always there") {
  RequestFields in;  // everything empty
  in.method = "HEAD";
  AttributeList attrs;
  AddRequestAttributes(in, "origin-request", "", attrs);
  CHECK(StringOf(attrs, "http.request.method") == "HEAD");
  CHECK(StringOf(attrs, "url.scheme") == "https");
  CHECK(StringOf(attrs, "aws.cloudfront.event_type") == "origin-request");
  CHECK(StringOf(attrs, "faas.trigger") == "http");
  const Attribute* cold = Find(attrs, "faas.coldstart");
  REQUIRE(cold != nullptr);
  CHECK(cold->type == AttributeType::kBool);
  CHECK_FALSE(cold->bool_value);
  for (std::string_view absent :
       {"url.path", "url.query", "server.address", "client.address", "user_agent.original",
        "aws.cloudfront.distribution_id", "aws.cloudfront.distribution_domain",
        "aws.cloudfront.request_id", "faas.invocation_id"}) {
    CAPTURE(absent);
    CHECK(Find(attrs, absent) == nullptr);
  }
  CHECK(attrs.size() == 5);
}

TEST_CASE("request attributes: url.scheme is http only when CloudFront-Forwarded-Proto says so") {
  struct Case {
    std::string_view proto;
    std::string_view scheme;
  };
  for (const Case c : {Case{"http", "http"}, Case{"https", "https"}, Case{"", "https"},
                       Case{"HTTP", "https"}, Case{"http ", "https"}, Case{"ftp", "https"}}) {
    CAPTURE(c.proto);
    RequestFields in = FullRequest();
    in.forwarded_proto = c.proto;
    AttributeList attrs;
    AddRequestAttributes(in, "origin-request", "", attrs);
    CHECK(StringOf(attrs, "url.scheme") == c.scheme);
  }
}

TEST_CASE("request attributes: the event type is recorded as given") {
  AttributeList attrs;
  AddRequestAttributes(FullRequest(), "viewer-request", "", attrs);
  CHECK(StringOf(attrs, "aws.cloudfront.event_type") == "viewer-request");
}

TEST_CASE("request attributes: values are views into the request, never copies") {
  const RequestFields in = FullRequest();
  AttributeList attrs;
  AddRequestAttributes(in, "origin-request", "", attrs);
  const Attribute* path = Find(attrs, "url.path");
  REQUIRE(path != nullptr);
  CHECK(path->string_value.data() == in.uri.data());
}

TEST_CASE("request attributes: a nearly full list drops and counts instead of overflowing") {
  AttributeList attrs;
  for (size_t i = 0; i + 3 < AttributeList::kCapacity; ++i) attrs.AddInt("filler", 1);
  AddRequestAttributes(FullRequest(), "origin-request", "q=1", attrs);
  CHECK(attrs.size() == AttributeList::kCapacity);
  CHECK(attrs.dropped() == 14 - 3);
}

}  // namespace
}  // namespace edge::internal
