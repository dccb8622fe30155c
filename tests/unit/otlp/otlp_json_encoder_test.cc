#include "edge/otlp/otlp_json_encoder.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace edge {
namespace {

using nlohmann::json;

// The exact request body for GoldenServerSpan(). tests/fixtures/otlp/server_span.json holds
// the same bytes (no trailing newline) for other harnesses; a native test checks they agree.
// Split into adjacent literals for reading; the compiler joins them.
constexpr std::string_view kGoldenServerSpan =
    R"json({"resourceSpans":[{"resource":{"attributes":[)json"
    R"json({"key":"service.name","value":{"stringValue":"checkout-edge"}},)json"
    R"json({"key":"service.version","value":{"stringValue":"1.4.2"}},)json"
    R"json({"key":"cloud.provider","value":{"stringValue":"aws"}},)json"
    R"json({"key":"cloud.platform","value":{"stringValue":"aws_lambda"}},)json"
    R"json({"key":"cloud.region","value":{"stringValue":"us-east-1"}}]},)json"
    R"json("scopeSpans":[{"scope":{"name":"edgetrace","version":"0.1.0"},"spans":[{)json"
    R"json("traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"53ce929d0e0e4736",)json"
    R"json("traceState":"ot=th:0,congo=t61rcWkgMzE",)json"
    R"json("parentSpanId":"00f067aa0ba902b7","flags":769,)json"
    R"json("name":"GET /products/{id}","kind":2,)json"
    R"json("startTimeUnixNano":"1700000000123456789","endTimeUnixNano":"1700000000125456789",)json"
    R"json("attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}},)json"
    R"json({"key":"url.path","value":{"stringValue":"/products/42"}},)json"
    R"json({"key":"url.scheme","value":{"stringValue":"https"}},)json"
    R"json({"key":"http.response.status_code","value":{"intValue":"502"}},)json"
    R"json({"key":"faas.coldstart","value":{"boolValue":true}},)json"
    R"json({"key":"edgetrace.sampling.ratio","value":{"doubleValue":0.25}}],)json"
    R"json("status":{"code":2,"message":"origin returned 502"}}]}]}]})json";

// The exact request body for EventsAndLinksSpan() (tests/fixtures/otlp/span_events_links.json):
// events, links and their dropped counts in trace.proto order, between droppedAttributesCount
// and status. Links are remote contexts: flags 769 = 0x301 (sampled), 768 = 0x300.
constexpr std::string_view kGoldenEventsAndLinksSpan =
    R"json({"resourceSpans":[{"resource":{"attributes":[)json"
    R"json({"key":"service.name","value":{"stringValue":"checkout-edge"}},)json"
    R"json({"key":"service.version","value":{"stringValue":"1.4.2"}},)json"
    R"json({"key":"cloud.provider","value":{"stringValue":"aws"}},)json"
    R"json({"key":"cloud.platform","value":{"stringValue":"aws_lambda"}},)json"
    R"json({"key":"cloud.region","value":{"stringValue":"us-east-1"}}]},)json"
    R"json("scopeSpans":[{"scope":{"name":"edgetrace","version":"0.1.0"},"spans":[)json"
    R"json({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"53ce929d0e0e4736",)json"
    R"json("parentSpanId":"00f067aa0ba902b7","flags":769,)json"
    R"json("name":"GET /products/{id}","kind":2,)json"
    R"json("startTimeUnixNano":"1700000000123456789","endTimeUnixNano":"1700000000125456789",)json"
    R"json("attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}}],)json"
    R"json("events":[{"timeUnixNano":"1700000000124000000","name":"exception","attributes":[)json"
    R"json({"key":"exception.type","value":{"stringValue":"OriginTimeout"}},)json"
    R"json({"key":"exception.message",)json"
    R"json("value":{"stringValue":"origin did not answer in 30 s"}}]},)json"
    R"json({"timeUnixNano":"1700000000125000000","name":"exception","attributes":[)json"
    R"json({"key":"exception.message","value":{"stringValue":"retry budget exhausted"}}]}],)json"
    R"json("droppedEventsCount":1,)json"
    R"json("links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",)json"
    R"json("flags":769},)json"
    R"json({"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",)json"
    R"json("flags":768}],"droppedLinksCount":1,)json"
    R"json("status":{"code":2,"message":"origin timeout"}}]}]}]})json";

// The exact request body for {GoldenServerSpan(), ClientChildSpan()} in one request
// (tests/fixtures/otlp/two_spans.json): both spans in the one scopeSpans[0].spans array.
constexpr std::string_view kGoldenTwoSpans =
    R"json({"resourceSpans":[{"resource":{"attributes":[)json"
    R"json({"key":"service.name","value":{"stringValue":"checkout-edge"}},)json"
    R"json({"key":"service.version","value":{"stringValue":"1.4.2"}},)json"
    R"json({"key":"cloud.provider","value":{"stringValue":"aws"}},)json"
    R"json({"key":"cloud.platform","value":{"stringValue":"aws_lambda"}},)json"
    R"json({"key":"cloud.region","value":{"stringValue":"us-east-1"}}]},)json"
    R"json("scopeSpans":[{"scope":{"name":"edgetrace","version":"0.1.0"},"spans":[)json"
    R"json({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"53ce929d0e0e4736",)json"
    R"json("traceState":"ot=th:0,congo=t61rcWkgMzE",)json"
    R"json("parentSpanId":"00f067aa0ba902b7","flags":769,)json"
    R"json("name":"GET /products/{id}","kind":2,)json"
    R"json("startTimeUnixNano":"1700000000123456789","endTimeUnixNano":"1700000000125456789",)json"
    R"json("attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}},)json"
    R"json({"key":"url.path","value":{"stringValue":"/products/42"}},)json"
    R"json({"key":"url.scheme","value":{"stringValue":"https"}},)json"
    R"json({"key":"http.response.status_code","value":{"intValue":"502"}},)json"
    R"json({"key":"faas.coldstart","value":{"boolValue":true}},)json"
    R"json({"key":"edgetrace.sampling.ratio","value":{"doubleValue":0.25}}],)json"
    R"json("status":{"code":2,"message":"origin returned 502"}},)json"
    R"json({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"e457b5a2e4d86bd1",)json"
    R"json("parentSpanId":"53ce929d0e0e4736","flags":257,"name":"GET","kind":3,)json"
    R"json("startTimeUnixNano":"1700000000123500000","endTimeUnixNano":"1700000000125400000",)json"
    R"json("attributes":[)json"
    R"json({"key":"server.address","value":{"stringValue":"origin.example.com"}},)json"
    R"json({"key":"http.response.status_code","value":{"intValue":"502"}}],)json"
    R"json("events":[{"timeUnixNano":"1700000000125400000","name":"exception","attributes":[)json"
    R"json({"key":"exception.type","value":{"stringValue":"OriginError"}}]}],)json"
    R"json("status":{"code":2}}]}]}]})json";

// deployment.environment.name is unset (empty) and must be skipped.
const ResourceAttribute kResource[] = {
    {"service.name", "checkout-edge"},   {"service.version", "1.4.2"},
    {"deployment.environment.name", ""}, {"cloud.provider", "aws"},
    {"cloud.platform", "aws_lambda"},    {"cloud.region", "us-east-1"},
};
constexpr size_t kResourceCount = sizeof kResource / sizeof kResource[0];

OtlpJsonEncoder MakeEncoder(size_t attribute_value_limit = 0) {
  OtlpJsonEncoder encoder;
  encoder.Init(kResource, kResourceCount, "edgetrace", "0.1.0", attribute_value_limit);
  return encoder;
}

Span GoldenServerSpan() {
  Span span;
  span.trace_id = TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  span.span_id = SpanId::FromHex("53ce929d0e0e4736");
  span.parent_span_id = SpanId::FromHex("00f067aa0ba902b7");
  span.trace_state = "ot=th:0,congo=t61rcWkgMzE";
  span.name = "GET /products/{id}";
  span.kind = SpanKind::kServer;
  span.start_unix_nano = 1700000000123456789;
  span.end_unix_nano = 1700000000125456789;
  span.flags = 0x01 | span_flags::kContextHasIsRemote | span_flags::kContextIsRemote;
  span.status = SpanStatusCode::kError;
  span.status_message = "origin returned 502";
  span.attributes.AddString("http.request.method", "GET");
  span.attributes.AddString("url.path", "/products/42");
  span.attributes.AddString("url.scheme", "https");
  span.attributes.AddInt("http.response.status_code", 502);
  span.attributes.AddBool("faas.coldstart", true);
  span.attributes.AddDouble("edgetrace.sampling.ratio", 0.25);
  return span;
}

// A root span with every optional field at its default.
Span MinimalSpan() {
  Span span;
  span.trace_id = TraceId::FromHex("0af7651916cd43dd8448eb211c80319c");
  span.span_id = SpanId::FromHex("b7ad6b7169203331");
  span.name = "GET";
  span.start_unix_nano = 1;
  span.end_unix_nano = 2;
  return span;
}

// GoldenServerSpan's ids and times with two exception events and two links, one more of each
// than fits (dropped and counted).
Span EventsAndLinksSpan() {
  Span span;
  span.trace_id = TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  span.span_id = SpanId::FromHex("53ce929d0e0e4736");
  span.parent_span_id = SpanId::FromHex("00f067aa0ba902b7");
  span.name = "GET /products/{id}";
  span.kind = SpanKind::kServer;
  span.start_unix_nano = 1700000000123456789;
  span.end_unix_nano = 1700000000125456789;
  span.flags = 0x01 | span_flags::kContextHasIsRemote | span_flags::kContextIsRemote;
  span.status = SpanStatusCode::kError;
  span.status_message = "origin timeout";
  span.attributes.AddString("http.request.method", "GET");
  REQUIRE(span.AddExceptionEvent(1700000000124000000, "OriginTimeout",
                                 "origin did not answer in 30 s"));
  REQUIRE(span.AddExceptionEvent(1700000000125000000, "", "retry budget exhausted"));
  REQUIRE_FALSE(span.AddExceptionEvent(1700000000125400000, "Late", "dropped"));
  REQUIRE(span.AddLink({TraceId::FromHex("0af7651916cd43dd8448eb211c80319c"),
                        SpanId::FromHex("b7ad6b7169203331"), 0x01}));
  REQUIRE(span.AddLink({TraceId::FromHex("5b8efff798038103d269b633813fc60c"),
                        SpanId::FromHex("eee19b7ec3c1b174"), 0x00}));
  REQUIRE_FALSE(span.AddLink({TraceId::FromHex("5b8efff798038103d269b633813fc60c"),
                              SpanId::FromHex("eee19b7ec3c1b175"), 0x00}));
  return span;
}

// The CLIENT child of GoldenServerSpan() (the call to the origin): a local parent.
Span ClientChildSpan() {
  Span span;
  span.trace_id = TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
  span.span_id = SpanId::FromHex("e457b5a2e4d86bd1");
  span.parent_span_id = SpanId::FromHex("53ce929d0e0e4736");
  span.name = "GET";
  span.kind = SpanKind::kClient;
  span.start_unix_nano = 1700000000123500000;
  span.end_unix_nano = 1700000000125400000;
  span.flags = 0x01 | span_flags::kContextHasIsRemote;
  span.status = SpanStatusCode::kError;
  span.attributes.AddString("server.address", "origin.example.com");
  span.attributes.AddInt("http.response.status_code", 502);
  REQUIRE(span.AddExceptionEvent(1700000000125400000, "OriginError", ""));
  return span;
}

char g_buffer[1 << 16];

std::string Encode(const OtlpJsonEncoder& encoder, const Span& span) {
  ByteWriter out(g_buffer, sizeof g_buffer);
  REQUIRE(encoder.Encode(span, out) == Status::kOk);
  return std::string(out.view());
}

std::string EncodeAll(const OtlpJsonEncoder& encoder, const Span* const* spans, size_t count) {
  ByteWriter out(g_buffer, sizeof g_buffer);
  REQUIRE(encoder.Encode(spans, count, out) == Status::kOk);
  return std::string(out.view());
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Safe navigation under JSON_NOEXCEPTION: a missing key or index gives nullptr, never a trap.
const json* Member(const json* j, const char* key) {
  return j != nullptr && j->is_object() && j->contains(key) ? &(*j)[key] : nullptr;
}
const json* Element(const json* j, size_t i) {
  return j != nullptr && j->is_array() && j->size() > i ? &(*j)[i] : nullptr;
}
std::string StringAt(const json* j) {
  return j != nullptr && j->is_string() ? j->get<std::string>() : "<absent>";
}

struct ParsedRequest {
  json root;
  const json* resource = nullptr;
  const json* scope = nullptr;
  const json* spans = nullptr;
  const json* span = nullptr;  // the first
};

// Parses a request body and checks the one-resource, one-scope shape around `span_count` spans.
ParsedRequest Parse(const std::string& body, size_t span_count = 1) {
  ParsedRequest r;
  r.root = json::parse(body, nullptr, false);
  REQUIRE_FALSE(r.root.is_discarded());
  REQUIRE(r.root.is_object());
  REQUIRE(r.root.size() == 1);
  const json* resource_spans = Member(&r.root, "resourceSpans");
  REQUIRE((resource_spans != nullptr && resource_spans->is_array() && resource_spans->size() == 1));
  r.resource = Member(Element(resource_spans, 0), "resource");
  const json* scope_spans = Member(Element(resource_spans, 0), "scopeSpans");
  REQUIRE((scope_spans != nullptr && scope_spans->is_array() && scope_spans->size() == 1));
  r.scope = Member(Element(scope_spans, 0), "scope");
  r.spans = Member(Element(scope_spans, 0), "spans");
  REQUIRE((r.spans != nullptr && r.spans->is_array() && r.spans->size() == span_count));
  r.span = Element(r.spans, 0);
  REQUIRE(r.resource != nullptr);
  REQUIRE(r.scope != nullptr);
  REQUIRE(r.span != nullptr);
  REQUIRE(r.span->is_object());
  return r;
}

// The value object of the attribute named `key` in an OTLP attribute array, or nullptr.
const json* AttributeValue(const json* attributes, const std::string& key) {
  if (attributes == nullptr || !attributes->is_array()) return nullptr;
  for (const json& a : *attributes) {
    if (StringAt(Member(&a, "key")) == key) return Member(&a, "value");
  }
  return nullptr;
}

TEST_CASE("golden: a fully specified server span encodes to the exact expected body") {
  CHECK(Encode(MakeEncoder(), GoldenServerSpan()) == kGoldenServerSpan);
}

#ifndef __wasm__  // the Node WASI runner has no preopened directory to read fixtures from
std::string ReadFixture(const char* name) {
  const std::string path = std::string(EDGETRACE_FIXTURES_DIR) + "/otlp/" + name;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  REQUIRE_MESSAGE(file != nullptr, "cannot open " << path);
  std::string content;
  char chunk[4096];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0) content.append(chunk, n);
  std::fclose(file);
  return content;
}

TEST_CASE("golden: tests/fixtures/otlp/server_span.json equals the embedded golden body") {
  CHECK(ReadFixture("server_span.json") == kGoldenServerSpan);
}

TEST_CASE("golden: tests/fixtures/otlp/span_events_links.json equals the embedded golden body") {
  CHECK(ReadFixture("span_events_links.json") == kGoldenEventsAndLinksSpan);
}

TEST_CASE("golden: tests/fixtures/otlp/two_spans.json equals the embedded golden body") {
  CHECK(ReadFixture("two_spans.json") == kGoldenTwoSpans);
}
#endif

TEST_CASE("golden: every field has the OTLP JSON name, type and value") {
  const ParsedRequest r = Parse(Encode(MakeEncoder(), GoldenServerSpan()));

  const json* resource_attributes = Member(r.resource, "attributes");
  REQUIRE(resource_attributes != nullptr);
  CHECK(resource_attributes->size() == kResourceCount - 1);  // the empty value is skipped
  CHECK(StringAt(Member(AttributeValue(resource_attributes, "service.name"), "stringValue")) ==
        "checkout-edge");
  CHECK(StringAt(Member(AttributeValue(resource_attributes, "cloud.region"), "stringValue")) ==
        "us-east-1");
  CHECK(AttributeValue(resource_attributes, "deployment.environment.name") == nullptr);
  CHECK(StringAt(Member(r.scope, "name")) == "edgetrace");
  CHECK(StringAt(Member(r.scope, "version")) == "0.1.0");

  const json* span = r.span;
  CHECK(StringAt(Member(span, "traceId")) == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(StringAt(Member(span, "spanId")) == "53ce929d0e0e4736");
  CHECK(StringAt(Member(span, "parentSpanId")) == "00f067aa0ba902b7");
  CHECK(StringAt(Member(span, "traceState")) == "ot=th:0,congo=t61rcWkgMzE");
  const json* flags = Member(span, "flags");
  REQUIRE(flags != nullptr);
  CHECK(flags->is_number_unsigned());
  CHECK(flags->get<uint32_t>() == 0x301);
  CHECK(StringAt(Member(span, "name")) == "GET /products/{id}");
  const json* kind = Member(span, "kind");
  REQUIRE(kind != nullptr);
  CHECK(kind->is_number_unsigned());
  CHECK(kind->get<int>() == 2);
  // fixed64 times are decimal strings in proto3 JSON.
  CHECK(StringAt(Member(span, "startTimeUnixNano")) == "1700000000123456789");
  CHECK(StringAt(Member(span, "endTimeUnixNano")) == "1700000000125456789");

  const json* attributes = Member(span, "attributes");
  REQUIRE(attributes != nullptr);
  CHECK(attributes->size() == 6);
  CHECK(StringAt(Member(AttributeValue(attributes, "url.path"), "stringValue")) == "/products/42");
  CHECK(StringAt(Member(AttributeValue(attributes, "http.response.status_code"), "intValue")) ==
        "502");
  const json* coldstart = Member(AttributeValue(attributes, "faas.coldstart"), "boolValue");
  REQUIRE(coldstart != nullptr);
  CHECK(coldstart->is_boolean());
  CHECK(coldstart->get<bool>());
  const json* ratio = Member(AttributeValue(attributes, "edgetrace.sampling.ratio"), "doubleValue");
  REQUIRE(ratio != nullptr);
  CHECK(ratio->is_number_float());
  CHECK(ratio->get<double>() == 0.25);
  CHECK(Member(span, "droppedAttributesCount") == nullptr);

  const json* status = Member(span, "status");
  REQUIRE(status != nullptr);
  const json* code = Member(status, "code");
  REQUIRE(code != nullptr);
  CHECK(code->is_number_unsigned());
  CHECK(code->get<int>() == 2);
  CHECK(StringAt(Member(status, "message")) == "origin returned 502");
}

TEST_CASE("default values are omitted: traceState, parentSpanId, flags, attributes, status") {
  const ParsedRequest r = Parse(Encode(MakeEncoder(), MinimalSpan()));
  CHECK(r.span->size() == 6);
  for (const char* key :
       {"traceId", "spanId", "name", "kind", "startTimeUnixNano", "endTimeUnixNano"}) {
    CHECK_MESSAGE(Member(r.span, key) != nullptr, key);
  }
  for (const char* key :
       {"traceState", "parentSpanId", "flags", "attributes", "droppedAttributesCount", "status"}) {
    CHECK_MESSAGE(Member(r.span, key) == nullptr, key);
  }
}

TEST_CASE("status OK without a message is {\"code\":1}") {
  Span span = MinimalSpan();
  span.status = SpanStatusCode::kOk;
  const std::string body = Encode(MakeEncoder(), span);
  CHECK(body.find(R"(,"status":{"code":1}})") != std::string::npos);
}

TEST_CASE("span kinds are written as their OTLP enum integers") {
  Span span = MinimalSpan();
  span.kind = SpanKind::kClient;
  CHECK(Encode(MakeEncoder(), span).find(R"("kind":3,)") != std::string::npos);
  span.kind = SpanKind::kInternal;
  CHECK(Encode(MakeEncoder(), span).find(R"("kind":1,)") != std::string::npos);
}

TEST_CASE("64-bit integers are decimal strings, extremes included") {
  Span span = MinimalSpan();
  span.start_unix_nano = std::numeric_limits<int64_t>::max();
  span.end_unix_nano = std::numeric_limits<int64_t>::max();
  span.attributes.AddInt("min", std::numeric_limits<int64_t>::min());
  span.attributes.AddInt("max", std::numeric_limits<int64_t>::max());
  span.attributes.AddInt("zero", 0);
  const ParsedRequest r = Parse(Encode(MakeEncoder(), span));
  CHECK(StringAt(Member(r.span, "startTimeUnixNano")) == "9223372036854775807");
  const json* attributes = Member(r.span, "attributes");
  CHECK(StringAt(Member(AttributeValue(attributes, "min"), "intValue")) == "-9223372036854775808");
  CHECK(StringAt(Member(AttributeValue(attributes, "max"), "intValue")) == "9223372036854775807");
  CHECK(StringAt(Member(AttributeValue(attributes, "zero"), "intValue")) == "0");
}

TEST_CASE("a negative time (broken clock) is written as 0, never as a negative fixed64") {
  Span span = MinimalSpan();
  span.start_unix_nano = -5;
  const ParsedRequest r = Parse(Encode(MakeEncoder(), span));
  CHECK(StringAt(Member(r.span, "startTimeUnixNano")) == "0");
}

TEST_CASE("doubles: NaN and infinities are proto3 JSON strings") {
  Span span = MinimalSpan();
  span.attributes.AddDouble("nan", std::numeric_limits<double>::quiet_NaN());
  span.attributes.AddDouble("inf", -std::numeric_limits<double>::infinity());
  span.attributes.AddDouble("third", 1.0 / 3);
  const ParsedRequest r = Parse(Encode(MakeEncoder(), span));
  const json* attributes = Member(r.span, "attributes");
  CHECK(StringAt(Member(AttributeValue(attributes, "nan"), "doubleValue")) == "NaN");
  CHECK(StringAt(Member(AttributeValue(attributes, "inf"), "doubleValue")) == "-Infinity");
  const json* third = Member(AttributeValue(attributes, "third"), "doubleValue");
  REQUIRE(third != nullptr);
  CHECK(third->get<double>() == 1.0 / 3);
}

TEST_CASE("untrusted strings are escaped: quotes, backslash, control characters, CR/LF") {
  Span span = MinimalSpan();
  span.name = "GET \"/a\\b\"";
  span.status = SpanStatusCode::kError;
  span.status_message = "line1\r\nline2\t\x01";
  span.attributes.AddString("user_agent.original", "evil\"},{\"key\":\"injected\r\n");
  const std::string body = Encode(MakeEncoder(), span);
  CHECK(body.find(R"("name":"GET \"/a\\b\"")") != std::string::npos);
  CHECK(body.find(R"("message":"line1\r\nline2\t\u0001")") != std::string::npos);
  CHECK(body.find('\n') == std::string::npos);
  const ParsedRequest r = Parse(body);
  CHECK(StringAt(Member(r.span, "name")) == "GET \"/a\\b\"");
  CHECK(StringAt(Member(Member(r.span, "status"), "message")) == "line1\r\nline2\t\x01");
  const json* attributes = Member(r.span, "attributes");
  REQUIRE(attributes != nullptr);
  CHECK(attributes->size() == 1);  // the injected "key" stayed inside the string
  CHECK(StringAt(Member(AttributeValue(attributes, "user_agent.original"), "stringValue")) ==
        "evil\"},{\"key\":\"injected\r\n");
}

TEST_CASE("invalid UTF-8 becomes \\ufffd and the body stays pure ASCII") {
  Span span = MinimalSpan();
  span.attributes.AddString("url.path", "/caf\xC3\xA9/\xFF\xC0\x80/\xE2\x82");
  const std::string body = Encode(MakeEncoder(), span);
  CHECK(IsAscii(body));
  CHECK(body.find(R"("/caf\u00e9/\ufffd\ufffd\ufffd/\ufffd")") != std::string::npos);
  const ParsedRequest r = Parse(body);
  CHECK(StringAt(Member(AttributeValue(Member(r.span, "attributes"), "url.path"), "stringValue")) ==
        "/caf\xC3\xA9/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD/\xEF\xBF\xBD");
}

TEST_CASE("4-byte UTF-8 sequences become surrogate pairs") {
  Span span = MinimalSpan();
  span.name = "GET /\xF0\x9F\x98\x80";
  const std::string body = Encode(MakeEncoder(), span);
  CHECK(IsAscii(body));
  CHECK(body.find(R"("name":"GET /\ud83d\ude00")") != std::string::npos);
  CHECK(StringAt(Member(Parse(body).span, "name")) == "GET /\xF0\x9F\x98\x80");
}

TEST_CASE("attribute_value_limit truncates string attribute values by code point only") {
  Span span = MinimalSpan();
  span.name = "GET /a-long-route";
  span.trace_state = "vendor=abcdefgh";
  span.attributes.AddString("ascii", "abcdefgh");
  span.attributes.AddString("accented", "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");
  span.attributes.AddString("emoji",
                            "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80x");
  span.attributes.AddString("short", "ab");
  const ParsedRequest r = Parse(Encode(MakeEncoder(4), span));
  const json* attributes = Member(r.span, "attributes");
  CHECK(StringAt(Member(AttributeValue(attributes, "ascii"), "stringValue")) == "abcd");
  CHECK(StringAt(Member(AttributeValue(attributes, "accented"), "stringValue")) ==
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9");
  CHECK(StringAt(Member(AttributeValue(attributes, "emoji"), "stringValue")) ==
        "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
  CHECK(StringAt(Member(AttributeValue(attributes, "short"), "stringValue")) == "ab");
  // The limit applies to attribute values only.
  CHECK(StringAt(Member(r.span, "name")) == "GET /a-long-route");
  CHECK(StringAt(Member(r.span, "traceState")) == "vendor=abcdefgh");

  const ParsedRequest unlimited = Parse(Encode(MakeEncoder(0), span));
  CHECK(StringAt(Member(AttributeValue(Member(unlimited.span, "attributes"), "ascii"),
                        "stringValue")) == "abcdefgh");
}

TEST_CASE("attributes beyond capacity are counted in droppedAttributesCount") {
  Span span = MinimalSpan();
  for (size_t i = 0; i < AttributeList::kCapacity + 2; ++i) span.attributes.AddBool("k", true);
  const ParsedRequest r = Parse(Encode(MakeEncoder(), span));
  const json* attributes = Member(r.span, "attributes");
  REQUIRE(attributes != nullptr);
  CHECK(attributes->size() == AttributeList::kCapacity);
  const json* dropped = Member(r.span, "droppedAttributesCount");
  REQUIRE(dropped != nullptr);
  CHECK(dropped->is_number_unsigned());
  CHECK(dropped->get<int>() == 2);
}

TEST_CASE("overflow: a buffer one byte short gives kOutputFull, an exact one kOk") {
  const OtlpJsonEncoder encoder = MakeEncoder();
  const Span span = GoldenServerSpan();
  const std::string expected = Encode(encoder, span);
  std::string buffer(expected.size(), '\0');
  {
    ByteWriter out(&buffer[0], expected.size());
    CHECK(encoder.Encode(span, out) == Status::kOk);
    CHECK(out.view() == expected);
  }
  {
    ByteWriter out(&buffer[0], expected.size() - 1);
    CHECK(encoder.Encode(span, out) == Status::kOutputFull);
    CHECK(out.overflowed());
  }
  {
    char small[64];
    ByteWriter out(small, sizeof small);
    CHECK(encoder.Encode(span, out) == Status::kOutputFull);
  }
  {
    // Every prefix length fails cleanly (no write past the end: ASan would catch it).
    for (size_t capacity = 0; capacity < expected.size(); capacity += 7) {
      ByteWriter out(&buffer[0], capacity);
      REQUIRE(encoder.Encode(span, out) == Status::kOutputFull);
    }
  }
}

TEST_CASE("Init: the prefix opens the spans array; empty resource and scope give {}") {
  OtlpJsonEncoder encoder;
  encoder.Init(nullptr, 0, "", "", 0);
  CHECK(encoder.prefix() ==
        R"({"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{},"spans":[)");
  encoder.Init(nullptr, 0, "", "1.0", 0);
  CHECK(encoder.prefix() ==
        R"({"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{"version":"1.0"},"spans":[)");
  const ResourceAttribute only_empty[] = {{"service.version", ""}};
  encoder.Init(only_empty, 1, "edgetrace", "", 0);
  CHECK(
      encoder.prefix() ==
      R"({"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{"name":"edgetrace"},"spans":[)");
  Parse(Encode(encoder, MinimalSpan()));
}

TEST_CASE("Init sizes the prefix for the worst-case escaping of its inputs") {
  // Control characters and invalid bytes expand 6x, 4-byte sequences 3x.
  const std::string controls(300, '\x01');
  const std::string invalid(300, '\xFF');
  std::string emoji;
  for (int i = 0; i < 100; ++i) emoji += "\xF0\x9F\x98\x80";
  const ResourceAttribute resource[] = {{"a\x01", controls}, {"b", invalid}, {"c", emoji}};
  OtlpJsonEncoder encoder;
  encoder.Init(resource, 3, invalid, controls, 0);
  const std::string body = Encode(encoder, MinimalSpan());
  CHECK(IsAscii(body));
  const ParsedRequest r = Parse(body);
  const json* attributes = Member(r.resource, "attributes");
  CHECK(StringAt(Member(AttributeValue(attributes, "a\x01"), "stringValue")) == controls);
  CHECK(StringAt(Member(AttributeValue(attributes, "c"), "stringValue")) == emoji);
  CHECK(StringAt(Member(r.scope, "version")) == controls);
}

TEST_CASE("Init again replaces the previous resource and scope") {
  OtlpJsonEncoder encoder = MakeEncoder();
  const ResourceAttribute other[] = {{"service.name", "other"}};
  encoder.Init(other, 1, "s", "v", 0);
  CHECK(
      encoder.prefix() ==
      R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":)"
      R"({"stringValue":"other"}}]},"scopeSpans":[{"scope":{"name":"s","version":"v"},"spans":[)");
}

// ---------------------------------------------------------------------------------------------
// Events, links and their dropped counts

TEST_CASE("golden: a span with events, links and dropped counts encodes to the exact body") {
  CHECK(Encode(MakeEncoder(), EventsAndLinksSpan()) == kGoldenEventsAndLinksSpan);
}

TEST_CASE("events: every field has the OTLP JSON name, type and value") {
  const ParsedRequest r = Parse(Encode(MakeEncoder(), EventsAndLinksSpan()));
  const json* events = Member(r.span, "events");
  REQUIRE(events != nullptr);
  REQUIRE(events->is_array());
  REQUIRE(events->size() == Span::kMaxEvents);

  const json* first = Element(events, 0);
  REQUIRE(first != nullptr);
  CHECK(first->size() == 3);
  CHECK(StringAt(Member(first, "timeUnixNano")) == "1700000000124000000");  // fixed64: a string
  CHECK(StringAt(Member(first, "name")) == "exception");
  const json* attributes = Member(first, "attributes");
  REQUIRE(attributes != nullptr);
  CHECK(attributes->size() == 2);
  CHECK(StringAt(Member(AttributeValue(attributes, "exception.type"), "stringValue")) ==
        "OriginTimeout");
  CHECK(StringAt(Member(AttributeValue(attributes, "exception.message"), "stringValue")) ==
        "origin did not answer in 30 s");

  const json* second = Element(events, 1);
  REQUIRE(second != nullptr);
  CHECK(StringAt(Member(second, "timeUnixNano")) == "1700000000125000000");
  const json* second_attributes = Member(second, "attributes");
  REQUIRE(second_attributes != nullptr);
  CHECK(second_attributes->size() == 1);  // the empty exception.type is left out
  CHECK(AttributeValue(second_attributes, "exception.type") == nullptr);
  CHECK(StringAt(Member(AttributeValue(second_attributes, "exception.message"), "stringValue")) ==
        "retry budget exhausted");

  const json* dropped = Member(r.span, "droppedEventsCount");
  REQUIRE(dropped != nullptr);
  CHECK(dropped->is_number_unsigned());  // uint32: a JSON number
  CHECK(dropped->get<int>() == 1);
}

TEST_CASE("links: ids as hex, flags = W3C flags | 0x100 | 0x200, droppedLinksCount") {
  const ParsedRequest r = Parse(Encode(MakeEncoder(), EventsAndLinksSpan()));
  const json* links = Member(r.span, "links");
  REQUIRE(links != nullptr);
  REQUIRE(links->is_array());
  REQUIRE(links->size() == Span::kMaxLinks);

  const json* sampled = Element(links, 0);
  REQUIRE(sampled != nullptr);
  CHECK(sampled->size() == 3);  // traceState, attributes, droppedAttributesCount: defaults
  CHECK(StringAt(Member(sampled, "traceId")) == "0af7651916cd43dd8448eb211c80319c");
  CHECK(StringAt(Member(sampled, "spanId")) == "b7ad6b7169203331");
  const json* sampled_flags = Member(sampled, "flags");
  REQUIRE(sampled_flags != nullptr);
  CHECK(sampled_flags->is_number_unsigned());  // fixed32: a JSON number
  CHECK(sampled_flags->get<uint32_t>() ==
        (0x01 | span_flags::kContextHasIsRemote | span_flags::kContextIsRemote));

  const json* unsampled = Element(links, 1);
  REQUIRE(unsampled != nullptr);
  CHECK(StringAt(Member(unsampled, "traceId")) == "5b8efff798038103d269b633813fc60c");
  CHECK(StringAt(Member(unsampled, "spanId")) == "eee19b7ec3c1b174");
  const json* unsampled_flags = Member(unsampled, "flags");
  REQUIRE(unsampled_flags != nullptr);
  CHECK(unsampled_flags->get<uint32_t>() == 0x300);  // never 0, so never omitted

  const json* dropped = Member(r.span, "droppedLinksCount");
  REQUIRE(dropped != nullptr);
  CHECK(dropped->is_number_unsigned());
  CHECK(dropped->get<int>() == 1);
}

TEST_CASE("links: only the low 8 bits of SpanLink::flags are W3C flags; the rest is ignored") {
  Span span = MinimalSpan();
  REQUIRE(span.AddLink({TraceId::FromHex("0af7651916cd43dd8448eb211c80319c"),
                        SpanId::FromHex("b7ad6b7169203331"), 0xFFFFFF03}));
  const std::string body = Encode(MakeEncoder(), span);
  CHECK(body.find(R"("links":[{"traceId":"0af7651916cd43dd8448eb211c80319c",)"
                  R"("spanId":"b7ad6b7169203331","flags":771}])") != std::string::npos);
}

TEST_CASE("events and links at their defaults are omitted, dropped counts included") {
  const ParsedRequest r = Parse(Encode(MakeEncoder(), GoldenServerSpan()));
  for (const char* key : {"events", "droppedEventsCount", "links", "droppedLinksCount"}) {
    CHECK_MESSAGE(Member(r.span, key) == nullptr, key);
  }
  // A dropped count is written even when nothing of its kind was kept.
  Span span = MinimalSpan();
  span.dropped_events = 3;
  span.dropped_links = 4;
  const std::string body = Encode(MakeEncoder(), span);
  CHECK(body.find(R"("endTimeUnixNano":"2","droppedEventsCount":3,"droppedLinksCount":4})") !=
        std::string::npos);
}

TEST_CASE("an event without attributes is {timeUnixNano, name}") {
  Span span = MinimalSpan();
  REQUIRE(span.AddExceptionEvent(1500, "", ""));
  const std::string body = Encode(MakeEncoder(), span);
  CHECK(body.find(R"("events":[{"timeUnixNano":"1500","name":"exception"}])") != std::string::npos);
  const ParsedRequest r = Parse(body);
  const json* event = Element(Member(r.span, "events"), 0);
  REQUIRE(event != nullptr);
  CHECK(event->size() == 2);
}

TEST_CASE("event times: decimal strings, a negative time written as 0") {
  Span span = MinimalSpan();
  REQUIRE(span.AddExceptionEvent(std::numeric_limits<int64_t>::max(), "T", ""));
  REQUIRE(span.AddExceptionEvent(-1, "T", ""));
  const ParsedRequest r = Parse(Encode(MakeEncoder(), span));
  const json* events = Member(r.span, "events");
  CHECK(StringAt(Member(Element(events, 0), "timeUnixNano")) == "9223372036854775807");
  CHECK(StringAt(Member(Element(events, 1), "timeUnixNano")) == "0");
}

TEST_CASE("event attribute values: attribute_value_limit applies, untrusted text is escaped") {
  Span span = MinimalSpan();
  REQUIRE(span.AddExceptionEvent(1, "abcdefgh", "\"},{\"key\":\"x\xFF\r\n"));
  const std::string limited = Encode(MakeEncoder(4), span);
  CHECK(IsAscii(limited));
  CHECK(limited.find(R"({"key":"exception.type","value":{"stringValue":"abcd"}})") !=
        std::string::npos);
  const ParsedRequest r = Parse(limited);
  const json* event = Element(Member(r.span, "events"), 0);
  CHECK(StringAt(Member(event, "name")) == "exception");  // names are not attribute values
  CHECK(StringAt(Member(AttributeValue(Member(event, "attributes"), "exception.message"),
                        "stringValue")) == "\"},{");

  const std::string unlimited = Encode(MakeEncoder(0), span);
  CHECK(IsAscii(unlimited));
  const ParsedRequest u = Parse(unlimited);
  const json* attributes = Member(Element(Member(u.span, "events"), 0), "attributes");
  REQUIRE(attributes != nullptr);
  CHECK(attributes->size() == 2);  // the injected "key" stayed inside the string
  CHECK(StringAt(Member(AttributeValue(attributes, "exception.type"), "stringValue")) ==
        "abcdefgh");
  CHECK(StringAt(Member(AttributeValue(attributes, "exception.message"), "stringValue")) ==
        "\"},{\"key\":\"x\xEF\xBF\xBD\r\n");
}

// ---------------------------------------------------------------------------------------------
// Several spans in one request

TEST_CASE("golden: two spans share one resource, one scope and one spans array") {
  const Span server = GoldenServerSpan();
  const Span client = ClientChildSpan();
  const Span* const spans[] = {&server, &client};
  CHECK(EncodeAll(MakeEncoder(), spans, 2) == kGoldenTwoSpans);
}

TEST_CASE("two spans: in the order given, each exactly as it encodes alone") {
  const OtlpJsonEncoder encoder = MakeEncoder();
  const Span server = EventsAndLinksSpan();
  const Span client = ClientChildSpan();
  const Span* const spans[] = {&client, &server};
  const std::string body = EncodeAll(encoder, spans, 2);

  // Alone, each body is prefix + span + "]}]}]}"; together the span objects are joined by ','.
  const std::string_view close = "]}]}]}";
  const std::string prefix(encoder.prefix());
  const std::string alone_client = Encode(encoder, client);
  const std::string alone_server = Encode(encoder, server);
  const auto span_json = [&](const std::string& alone) {
    return alone.substr(prefix.size(), alone.size() - prefix.size() - close.size());
  };
  CHECK(body ==
        prefix + span_json(alone_client) + "," + span_json(alone_server) + std::string(close));

  const ParsedRequest r = Parse(body, 2);
  CHECK(StringAt(Member(Element(r.spans, 0), "spanId")) == "e457b5a2e4d86bd1");
  CHECK(StringAt(Member(Element(r.spans, 1), "spanId")) == "53ce929d0e0e4736");
  CHECK(Member(Element(r.spans, 1), "links") != nullptr);
  CHECK(Member(Element(r.spans, 0), "links") == nullptr);
}

TEST_CASE("Encode(span) is Encode(&span, 1)") {
  const OtlpJsonEncoder encoder = MakeEncoder();
  for (const Span& span : {GoldenServerSpan(), MinimalSpan(), EventsAndLinksSpan()}) {
    const Span* const one[] = {&span};
    CHECK(EncodeAll(encoder, one, 1) == Encode(encoder, span));
  }
}

TEST_CASE("Encode(spans, count): no spans is kNothingToDo, a null pointer kInvalidInput") {
  const OtlpJsonEncoder encoder = MakeEncoder();
  const Span span = MinimalSpan();
  char buffer[4096];
  {
    ByteWriter out(buffer, sizeof buffer);
    const Span* const none[] = {&span};
    CHECK(encoder.Encode(none, 0, out) == Status::kNothingToDo);
    CHECK(encoder.Encode(nullptr, 0, out) == Status::kNothingToDo);
    CHECK(out.size() == 0);
    CHECK_FALSE(out.overflowed());
  }
  {
    ByteWriter out(buffer, sizeof buffer);
    const Span* const with_null[] = {&span, nullptr};
    CHECK(encoder.Encode(with_null, 2, out) == Status::kInvalidInput);
    CHECK(encoder.Encode(nullptr, 1, out) == Status::kInvalidInput);
    CHECK(out.size() == 0);  // checked before anything is written
    CHECK_FALSE(out.overflowed());
  }
}

TEST_CASE("overflow with several spans: all or nothing, earlier output kept") {
  const OtlpJsonEncoder encoder = MakeEncoder();
  const Span server = EventsAndLinksSpan();
  const Span client = ClientChildSpan();
  const Span* const spans[] = {&server, &client};
  const std::string expected = EncodeAll(encoder, spans, 2);
  const std::string_view earlier = "earlier output|";
  std::string buffer(earlier.size() + expected.size(), '\0');
  {
    ByteWriter out(&buffer[0], buffer.size());
    out.Append(earlier);
    CHECK(encoder.Encode(spans, 2, out) == Status::kOk);
    CHECK(out.view() == std::string(earlier) + expected);
  }
  // Every shorter buffer fails cleanly, the partial request is taken back and what was in the
  // writer before stays (ASan would catch a write past the end).
  for (size_t capacity = earlier.size(); capacity < buffer.size(); ++capacity) {
    ByteWriter out(&buffer[0], capacity);
    out.Append(earlier);
    REQUIRE(encoder.Encode(spans, 2, out) == Status::kOutputFull);
    REQUIRE(out.overflowed());
    REQUIRE(out.view() == earlier);
  }
}

}  // namespace
}  // namespace edge
