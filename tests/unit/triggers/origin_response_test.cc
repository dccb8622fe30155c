// origin-response: recover the span from the headers origin-request injected, close it with
// the origin's status and encode one OTLP/HTTP JSON request. Every body is checked field by
// field through nlohmann_json (JSON_NOEXCEPTION: parse(..., nullptr, false) and type checks
// before every access).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "edge/request_ids.h"
#include "edge/tracer.h"
#include "support/fixed_random_source.h"

namespace edge {
namespace {

using nlohmann::json;

constexpr int64_t kStart = 1700000000123456789;
constexpr int64_t kEnd = 1700000000125456789;  // 2 ms later
constexpr int64_t kMinute = int64_t{60} * 1000000000;
constexpr RuntimeInfo kRuntime{"eu-west-1", "us-east-1.edgetrace-origin", "7"};

constexpr std::string_view kRequestId = "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==";
constexpr std::string_view kTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kParentId = "00f067aa0ba902b7";  // the viewer's span

// What origin-request generated: the root span id derived from the request id (a context
// naming another span was not written for this request, and is not trusted).
std::string DerivedRootId() {
  char hex[SpanId::kHexSize];
  SpanIdFromRequestId(kRequestId, EdgeSpanRole::kRoot).ToHex(hex);
  return std::string(hex, sizeof hex);
}
const std::string kSpanId = DerivedRootId();

std::string Traceparent(std::string_view flags, std::string_view span_id = kSpanId) {
  return "00-" + std::string(kTraceId) + "-" + std::string(span_id) + "-" + std::string(flags);
}
const std::string kSampled = Traceparent("03");
const std::string kContinued = Traceparent("01");
const std::string kRootContext = "1-" + std::to_string(kStart);
const std::string kChildContext = kRootContext + "-" + std::string(kParentId);

constexpr std::string_view kDefaultConfig =
    R"({"service":{"name":"checkout-edge","version":"1.4.2","environment":"production"}})";

struct Edge {
  explicit Edge(std::string_view config = kDefaultConfig, const RuntimeInfo& runtime = kRuntime)
      : random(0x5a), tracer(random) {
    std::string error;
    CAPTURE(config);
    REQUIRE(tracer.Configure(config, runtime, error) == Status::kOk);
  }
  testing::FixedRandomSource random;
  Tracer tracer;
};

// What origin-response sees: the request as origin-request left it, plus the origin's status.
RequestFields Response(std::string_view traceparent, std::string_view edge_context,
                       std::string_view status = "200") {
  RequestFields in;
  in.traceparent = traceparent;
  in.edge_context = edge_context;
  in.response_status = status;
  in.method = "GET";
  in.uri = "/products/42";
  in.host = "d111111abcdef8.cloudfront.net";
  in.user_agent = "Mozilla/5.0";
  in.forwarded_proto = "https";
  in.client_ip = "203.0.113.178";
  in.distribution_id = "EDFDVBD6EXAMPLE";
  in.distribution_domain = "d111111abcdef8.cloudfront.net";
  in.request_id = kRequestId;
  in.invocation_id = "c0ffee00-0000-4000-8000-000000000001";
  return in;
}

char g_body[1 << 17];

struct Result {
  Status status = Status::kOk;
  std::string body;
  std::string problem;
};

Result Run(Edge& edge, const RequestFields& in, int64_t now = kEnd) {
  ByteWriter out(g_body, sizeof g_body);
  Result r;
  r.status = edge.tracer.OnOriginResponse(in, now, out);
  r.body.assign(out.view());
  r.problem.assign(edge.tracer.problem());
  return r;
}

// kInvalidInput with `problem`, and nothing written.
void CheckInvalid(const Result& r, std::string_view problem) {
  CHECK(r.status == Status::kInvalidInput);
  CHECK(r.problem == problem);
  CHECK(r.body.empty());
}

// ---- safe JSON navigation -------------------------------------------------------------------

const json* Member(const json* j, const char* key) {
  return j != nullptr && j->is_object() && j->contains(key) ? &(*j)[key] : nullptr;
}
const json* Element(const json* j, size_t i) {
  return j != nullptr && j->is_array() && j->size() > i ? &(*j)[i] : nullptr;
}
std::string StringAt(const json* j) {
  return j != nullptr && j->is_string() ? j->get<std::string>() : "<absent>";
}
int64_t IntAt(const json* j) {
  return j != nullptr && j->is_number_integer() ? j->get<int64_t>() : -1;
}
const json* AttributeValue(const json* attributes, const std::string& key) {
  if (attributes == nullptr || !attributes->is_array()) return nullptr;
  for (const json& a : *attributes) {
    if (StringAt(Member(&a, "key")) == key) return Member(&a, "value");
  }
  return nullptr;
}
std::string StringAttribute(const json* attributes, const std::string& key) {
  return StringAt(Member(AttributeValue(attributes, key), "stringValue"));
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

struct Body {
  json root;
  const json* resource_attributes = nullptr;
  const json* scope = nullptr;
  const json* span = nullptr;
  const json* attributes = nullptr;  // the span's
};

// Parses an ExportTraceServiceRequest and checks it holds exactly one resource, scope and span.
Body ParseBody(const Result& r) {
  CAPTURE(r.body);
  REQUIRE(r.status == Status::kOk);
  CHECK(IsAscii(r.body));
  Body b;
  b.root = json::parse(r.body, nullptr, false);
  REQUIRE_FALSE(b.root.is_discarded());
  REQUIRE(b.root.is_object());
  const json* resource_spans = Member(&b.root, "resourceSpans");
  REQUIRE((resource_spans != nullptr && resource_spans->is_array() && resource_spans->size() == 1));
  b.resource_attributes = Member(Member(Element(resource_spans, 0), "resource"), "attributes");
  const json* scope_spans = Member(Element(resource_spans, 0), "scopeSpans");
  REQUIRE((scope_spans != nullptr && scope_spans->is_array() && scope_spans->size() == 1));
  b.scope = Member(Element(scope_spans, 0), "scope");
  const json* spans = Member(Element(scope_spans, 0), "spans");
  REQUIRE((spans != nullptr && spans->is_array() && spans->size() == 1));
  b.span = Element(spans, 0);
  REQUIRE(b.span != nullptr);
  REQUIRE(b.span->is_object());
  b.attributes = Member(b.span, "attributes");
  REQUIRE(b.attributes != nullptr);
  REQUIRE(b.attributes->is_array());
  return b;
}

std::string SpanString(const Body& b, const char* key) { return StringAt(Member(b.span, key)); }

TEST_CASE("origin-response: before Configure the call is kNotConfigured and writes nothing") {
  testing::FixedRandomSource random(1);
  Tracer tracer(random);
  ByteWriter out(g_body, sizeof g_body);
  CHECK(tracer.OnOriginResponse(Response(kSampled, kRootContext), kEnd, out) ==
        Status::kNotConfigured);
  CHECK(out.size() == 0);
}

TEST_CASE("origin-response: span id = traceparent parent-id, parent = the edge context's parent") {
  Edge edge;
  const Body b = ParseBody(Run(edge, Response(kContinued, kChildContext)));
  CHECK(SpanString(b, "traceId") == kTraceId);
  CHECK(SpanString(b, "spanId") == kSpanId);
  CHECK(SpanString(b, "parentSpanId") == kParentId);
  CHECK(IntAt(Member(b.span, "kind")) == 2);  // SERVER
  CHECK(SpanString(b, "name") == "GET");
}

TEST_CASE("origin-response: a root span has no parentSpanId") {
  Edge edge;
  const Body b = ParseBody(Run(edge, Response(kSampled, kRootContext)));
  CHECK(SpanString(b, "spanId") == kSpanId);
  CHECK_FALSE(b.span->contains("parentSpanId"));
}

TEST_CASE("origin-response: flags are the W3C flags plus 0x100, and 0x200 with a remote parent") {
  struct Case {
    std::string_view traceparent_flags;
    bool remote_parent;
    int64_t flags;
  };
  for (const Case c :
       {Case{"03", false, 0x103}, Case{"01", false, 0x101}, Case{"03", true, 0x303},
        Case{"01", true, 0x301}, Case{"ff", true, 0x303}, Case{"f1", false, 0x101}}) {
    CAPTURE(c.traceparent_flags);
    CAPTURE(c.remote_parent);
    Edge edge;
    const std::string traceparent = Traceparent(c.traceparent_flags);
    const Body b =
        ParseBody(Run(edge, Response(traceparent, c.remote_parent ? kChildContext : kRootContext)));
    CHECK(IntAt(Member(b.span, "flags")) == c.flags);
  }
}

TEST_CASE("origin-response: start is the edge context's time, end is now") {
  Edge edge;
  const Body b = ParseBody(Run(edge, Response(kSampled, kRootContext), kEnd));
  CHECK(SpanString(b, "startTimeUnixNano") == "1700000000123456789");
  CHECK(SpanString(b, "endTimeUnixNano") == "1700000000125456789");
}

TEST_CASE("origin-response: end is clamped to start when the response host's clock is behind") {
  Edge edge;
  const Body behind = ParseBody(Run(edge, Response(kSampled, kRootContext), kStart - 5000000));
  CHECK(SpanString(behind, "startTimeUnixNano") == "1700000000123456789");
  CHECK(SpanString(behind, "endTimeUnixNano") == "1700000000123456789");
  const Body same = ParseBody(Run(edge, Response(kSampled, kRootContext), kStart));
  CHECK(SpanString(same, "endTimeUnixNano") == "1700000000123456789");
  // The most clock skew accepted: a minute.
  const Body minute = ParseBody(Run(edge, Response(kSampled, kRootContext), kStart - kMinute));
  CHECK(SpanString(minute, "endTimeUnixNano") == "1700000000123456789");
}

TEST_CASE("origin-response: a start time more than 10 minutes old or 1 minute ahead is rejected") {
  const std::string_view problem = "x-edgetrace-ctx start time is not within the last 10 minutes";
  Edge edge;
  const RequestFields in = Response(kSampled, kRootContext);
  CHECK(Run(edge, in, kStart + 10 * kMinute).status == Status::kOk);
  CheckInvalid(Run(edge, in, kStart + 10 * kMinute + 1), problem);
  CHECK(Run(edge, in, kStart - kMinute).status == Status::kOk);
  CheckInvalid(Run(edge, in, kStart - kMinute - 1), problem);
  // A broken response-side clock (the glue passes 0) or a forged ancient start.
  CheckInvalid(Run(edge, in, 0), problem);
  CheckInvalid(Run(edge, Response(kSampled, "1-1"), kEnd), problem);
  CheckInvalid(Run(edge, Response(kSampled, "1-9223372036854775807"), kEnd), problem);
}

TEST_CASE("origin-response: 5xx sets status ERROR") {
  for (std::string_view status : {"500", "502", "503", "504", "599"}) {
    CAPTURE(status);
    Edge edge;
    const Body b = ParseBody(Run(edge, Response(kSampled, kRootContext, status)));
    const json* s = Member(b.span, "status");
    REQUIRE(s != nullptr);
    REQUIRE(s->is_object());
    CHECK(IntAt(Member(s, "code")) == 2);
    CHECK(s->size() == 1);  // no message
    CHECK(StringAt(Member(AttributeValue(b.attributes, "http.response.status_code"), "intValue")) ==
          status);
  }
}

TEST_CASE("origin-response: 1xx to 4xx leave the status unset on a server span") {
  for (std::string_view status : {"100", "200", "204", "301", "304", "400", "403", "404", "499"}) {
    CAPTURE(status);
    Edge edge;
    const Body b = ParseBody(Run(edge, Response(kSampled, kRootContext, status)));
    CHECK_FALSE(b.span->contains("status"));
    CHECK(StringAt(Member(AttributeValue(b.attributes, "http.response.status_code"), "intValue")) ==
          status);
  }
}

TEST_CASE("origin-response: a status that is not three digits from 100 to 599 is not recorded") {
  for (std::string_view status : {"", "20", "2000", "abc", "600", "999", "099", "000", " 200",
                                  "200 ", "-20", "+20", "5e2", "50x", "\xd9\xa5\xd9\xa0\xd9\xa0"}) {
    CAPTURE(status);
    Edge edge;
    const Body b = ParseBody(Run(edge, Response(kSampled, kRootContext, status)));
    CHECK(AttributeValue(b.attributes, "http.response.status_code") == nullptr);
    CHECK_FALSE(b.span->contains("status"));
  }
}

TEST_CASE("origin-response: without x-edgetrace-ctx or a request id there is nothing to close") {
  // origin-request sets x-edgetrace-ctx on every request it sees; without it and without a
  // request id to recompute the spans from, there is nothing of ours.
  for (std::string_view traceparent :
       {std::string_view(kSampled), std::string_view("garbage"), std::string_view("")}) {
    CAPTURE(traceparent);
    Edge edge;
    RequestFields in = Response(traceparent, "");
    in.request_id = {};
    const Result r = Run(edge, in);
    CHECK(r.status == Status::kNothingToDo);
    CHECK(r.body.empty());
    CHECK(r.problem.empty());
  }
}

TEST_CASE("origin-response: a context naming spans not derived from the request id is not ours") {
  // A client can send traceparent and x-edgetrace-ctx itself; a response event that does not
  // show the request side's headers would carry them. The request side always names its span
  // by the id derived from cf.config.requestId, so anything else is recovered as if no
  // context were visible: the client chooses neither the ids, nor the start, nor sampling.
  const std::string forged = Traceparent("03", "bbbbbbbbbbbbbbbb");
  Edge edge(R"({"sampling":{"ratio":0}})");
  CHECK(Run(edge, Response(forged, kChildContext)).status == Status::kNothingToDo);
  Edge sampled;
  const Body b = ParseBody(Run(sampled, Response(forged, kChildContext)));
  REQUIRE(b.span != nullptr);
  CHECK(SpanString(b, "spanId") == kSpanId);
  CHECK(SpanString(b, "traceId") != kTraceId);
  CHECK_FALSE(b.span->contains("parentSpanId"));
  CHECK(StringAttribute(b.attributes, "aws.cloudfront.timing") == "partial");
}

TEST_CASE("origin-response: without x-edgetrace-ctx, ids come from the request id") {
  // The response event does not show what origin-request added: the span is recomputed from
  // cf.config.requestId and marked partial (its start is unknown).
  Edge edge;
  const Body b = ParseBody(Run(edge, Response("", "", "200")));
  REQUIRE(b.span != nullptr);
  const std::string request_id = "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==";
  char hex[TraceId::kHexSize];
  TraceIdFromRequestId(request_id).ToHex(hex);
  CHECK(StringAt(Member(b.span, "traceId")) == std::string(hex, TraceId::kHexSize));
  SpanIdFromRequestId(request_id, EdgeSpanRole::kRoot).ToHex(hex);
  CHECK(StringAt(Member(b.span, "spanId")) == std::string(hex, SpanId::kHexSize));
  CHECK(StringAttribute(b.attributes, "aws.cloudfront.timing") == "partial");
  CHECK(StringAt(Member(b.span, "startTimeUnixNano")) ==
        StringAt(Member(b.span, "endTimeUnixNano")));
  // The same request at ratio 0 recomputes the same (negative) decision: nothing.
  Edge never(R"({"sampling":{"ratio":0}})");
  CHECK(Run(never, Response("", "", "200")).status == Status::kNothingToDo);
  // A client's own traceparent is the viewer header the request side saw: under the default
  // trust policy it was replaced, so the recomputed span is the same.
  Edge again;
  const Body with_client = ParseBody(Run(again, Response(kSampled, "", "200")));
  REQUIRE(with_client.span != nullptr);
  CHECK(StringAt(Member(with_client.span, "spanId")) == StringAt(Member(b.span, "spanId")));
}

TEST_CASE("origin-response: an unsampled traceparent next to x-edgetrace-ctx closes nothing") {
  for (std::string_view flags : {"00", "02", "fe"}) {
    CAPTURE(flags);
    Edge edge;
    const Result r = Run(edge, Response(Traceparent(flags), kRootContext));
    CHECK(r.status == Status::kNothingToDo);
    CHECK(r.body.empty());
    CHECK(r.problem.empty());
  }
}

TEST_CASE("origin-response: a missing or invalid traceparent next to x-edgetrace-ctx is invalid") {
  for (std::string_view traceparent :
       {std::string_view(""), std::string_view("garbage"),
        std::string_view("00-00000000000000000000000000000000-53ce929d0e0e4736-01"),
        std::string_view("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
        std::string_view("ff-4bf92f3577b34da6a3ce929d0e0e4736-53ce929d0e0e4736-01"),
        std::string_view("00-4BF92F3577B34DA6A3CE929D0E0E4736-53ce929d0e0e4736-01")}) {
    CAPTURE(traceparent);
    Edge edge;
    CheckInvalid(Run(edge, Response(traceparent, kRootContext)),
                 "traceparent is missing or invalid next to x-edgetrace-ctx");
  }
}

TEST_CASE("origin-response: a malformed x-edgetrace-ctx is invalid input") {
  for (std::string_view context :
       {std::string_view("1-0"), std::string_view("2-1700000000"),
        std::string_view("1-1700000000-0000000000000000"), std::string_view("garbage"),
        std::string_view(" "), std::string_view("1-1700000000123456789,1-1700000000123456789")}) {
    CAPTURE(context);
    Edge edge;
    CheckInvalid(Run(edge, Response(kSampled, context)), "x-edgetrace-ctx is malformed");
  }
}

TEST_CASE("origin-response: problem() describes only the last call") {
  Edge edge;
  CheckInvalid(Run(edge, Response(kSampled, "garbage")), "x-edgetrace-ctx is malformed");
  const Result ok = Run(edge, Response(kSampled, kRootContext));
  CHECK(ok.status == Status::kOk);
  CHECK(ok.problem.empty());
  CheckInvalid(Run(edge, Response("", kRootContext)),
               "traceparent is missing or invalid next to x-edgetrace-ctx");
  CHECK(Run(edge, Response(kSampled, "")).problem.empty());
}

TEST_CASE("origin-response: optional whitespace around the traceparent is not part of it") {
  Edge edge;
  const Body b = ParseBody(Run(edge, Response(" \t" + kSampled + "\t ", kRootContext)));
  CHECK(SpanString(b, "spanId") == kSpanId);
}

TEST_CASE("origin-response: a body buffer too small is kOutputFull; an exact fit is kOk") {
  Edge edge;
  const RequestFields in = Response(kContinued, kChildContext, "503");
  const Result full = Run(edge, in);
  REQUIRE(full.status == Status::kOk);
  static char small[1 << 12];
  for (size_t capacity :
       {size_t{0}, size_t{1}, size_t{64}, full.body.size() / 2, full.body.size() - 1}) {
    CAPTURE(capacity);
    REQUIRE(capacity + 1 <= sizeof small);
    small[capacity] = '#';
    ByteWriter out(small, capacity);
    CHECK(edge.tracer.OnOriginResponse(in, kEnd, out) == Status::kOutputFull);
    CHECK(out.overflowed());
    CHECK(small[capacity] == '#');
  }
  ByteWriter exact(small, full.body.size());
  CHECK(edge.tracer.OnOriginResponse(in, kEnd, exact) == Status::kOk);
  CHECK(exact.view() == full.body);
}

TEST_CASE("origin-response: the resource names the service, the cloud, the region and function") {
  Edge edge;
  const Body b = ParseBody(Run(edge, Response(kSampled, kRootContext)));
  const json* r = b.resource_attributes;
  REQUIRE(r != nullptr);
  CHECK(StringAttribute(r, "service.name") == "checkout-edge");
  CHECK(StringAttribute(r, "service.version") == "1.4.2");
  CHECK(StringAttribute(r, "deployment.environment.name") == "production");
  CHECK(StringAttribute(r, "telemetry.sdk.name") == "edgetrace");
  CHECK(StringAttribute(r, "telemetry.sdk.language") == "cpp");
  CHECK(StringAttribute(r, "telemetry.sdk.version") == EDGETRACE_VERSION);
  CHECK(StringAttribute(r, "cloud.provider") == "aws");
  CHECK(StringAttribute(r, "cloud.platform") == "aws_lambda");
  CHECK(StringAttribute(r, "cloud.region") == "eu-west-1");
  CHECK(StringAttribute(r, "faas.name") == "us-east-1.edgetrace-origin");
  CHECK(StringAttribute(r, "faas.version") == "7");
  CHECK(r->size() == 11);
  CHECK(StringAt(Member(b.scope, "name")) == "edgetrace");
  CHECK(StringAt(Member(b.scope, "version")) == EDGETRACE_VERSION);
}

TEST_CASE("origin-response: every request attribute is in the span") {
  Edge edge;
  RequestFields in = Response(kContinued, kChildContext, "404");
  in.querystring = "size=large&page=2";
  in.cold_start = true;
  const Body b = ParseBody(Run(edge, in));
  const json* a = b.attributes;
  CHECK(StringAttribute(a, "http.request.method") == "GET");
  CHECK(StringAttribute(a, "url.path") == "/products/42");
  CHECK(StringAttribute(a, "url.query") == "size=large&page=2");
  CHECK(StringAttribute(a, "url.scheme") == "https");
  CHECK(StringAttribute(a, "server.address") == "d111111abcdef8.cloudfront.net");
  CHECK(StringAttribute(a, "client.address") == "203.0.113.178");
  CHECK(StringAttribute(a, "user_agent.original") == "Mozilla/5.0");
  CHECK(StringAttribute(a, "aws.cloudfront.distribution_id") == "EDFDVBD6EXAMPLE");
  CHECK(StringAttribute(a, "aws.cloudfront.distribution_domain") ==
        "d111111abcdef8.cloudfront.net");
  CHECK(StringAttribute(a, "aws.cloudfront.request_id") ==
        "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==");
  CHECK(StringAttribute(a, "aws.cloudfront.event_type") == "origin-request");
  CHECK(StringAttribute(a, "faas.trigger") == "http");
  CHECK(StringAttribute(a, "faas.invocation_id") == "c0ffee00-0000-4000-8000-000000000001");
  const json* cold = Member(AttributeValue(a, "faas.coldstart"), "boolValue");
  REQUIRE(cold != nullptr);
  REQUIRE(cold->is_boolean());
  CHECK(cold->get<bool>());
  CHECK(StringAt(Member(AttributeValue(a, "http.response.status_code"), "intValue")) == "404");
  CHECK(StringAttribute(a, "aws.cloudfront.edge_region") == kRuntime.region);
  CHECK(a->size() == 16);
  CHECK_FALSE(b.span->contains("droppedAttributesCount"));
}

TEST_CASE("origin-response: an unknown method names the span HTTP and is recorded as _OTHER") {
  Edge edge;
  RequestFields in = Response(kSampled, kRootContext);
  in.method = "PROPFIND";
  const Body b = ParseBody(Run(edge, in));
  CHECK(SpanString(b, "name") == "HTTP");
  CHECK(StringAttribute(b.attributes, "http.request.method") == "_OTHER");
  CHECK(StringAttribute(b.attributes, "http.request.method_original") == "PROPFIND");
}

TEST_CASE("origin-response: url.query is redacted and the secrets appear nowhere in the body") {
  Edge edge;
  RequestFields in = Response(kSampled, kRootContext);
  in.querystring =
      "a=1&Signature=SECRET1&Key-Pair-Id=SECRET2&Policy=SECRET3&X-Amz-Signature=SECRET4"
      "&X-Amz-Credential=SECRET5&X-Amz-Security-Token=SECRET6&signature=kept";
  const Result r = Run(edge, in);
  const Body b = ParseBody(r);
  CHECK(StringAttribute(b.attributes, "url.query") ==
        "a=1&Signature=REDACTED&Key-Pair-Id=REDACTED&Policy=REDACTED&X-Amz-Signature=REDACTED"
        "&X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&signature=kept");
  CHECK(r.body.find("SECRET") == std::string::npos);
}

TEST_CASE("origin-response: string attribute values honour limits.attributeValueLength") {
  Edge edge(R"({"limits":{"attributeValueLength":16}})");
  RequestFields in = Response(kSampled, kRootContext);
  const std::string agent(100, 'a');
  const std::string path = "/" + std::string(99, 'p');
  const std::string query = "q=" + std::string(98, 'x');
  in.user_agent = agent;
  in.uri = path;
  in.querystring = query;
  const Body b = ParseBody(Run(edge, in));
  CHECK(StringAttribute(b.attributes, "user_agent.original") == agent.substr(0, 16));
  CHECK(StringAttribute(b.attributes, "url.path") == path.substr(0, 16));
  CHECK(StringAttribute(b.attributes, "url.query") == query.substr(0, 16));
  // Short values are untouched.
  CHECK(StringAttribute(b.attributes, "client.address") == "203.0.113.178");
  // The resource is not a span attribute: its values are not cut.
  CHECK(StringAttribute(b.resource_attributes, "faas.name") == "us-east-1.edgetrace-origin");
}

TEST_CASE("origin-response: the attribute value limit counts code points, never splitting one") {
  Edge edge(R"({"limits":{"attributeValueLength":16}})");
  RequestFields in = Response(kSampled, kRootContext);
  std::string agent;
  for (int i = 0; i < 20; ++i) agent += "\xc3\xa9";  // U+00E9, two bytes each
  in.user_agent = agent;
  const Body b = ParseBody(Run(edge, in));
  CHECK(StringAttribute(b.attributes, "user_agent.original") == agent.substr(0, 32));
}

TEST_CASE("origin-response: the default attribute value limit is 256") {
  Edge edge;
  RequestFields in = Response(kSampled, kRootContext);
  const std::string agent(300, 'a');
  in.user_agent = agent;
  const Body b = ParseBody(Run(edge, in));
  CHECK(StringAttribute(b.attributes, "user_agent.original") == agent.substr(0, 256));
}

TEST_CASE("origin-response: the span's traceState is the request's tracestate, normalised") {
  Edge edge;
  RequestFields in = Response(kSampled, kRootContext);
  in.tracestate = " ot=th:0 ,, congo=t61rcWkgMzE";
  CHECK(SpanString(ParseBody(Run(edge, in)), "traceState") == "ot=th:0,congo=t61rcWkgMzE");
  in.tracestate = "Invalid=1";
  CHECK_FALSE(ParseBody(Run(edge, in)).span->contains("traceState"));
  in.tracestate = "";
  CHECK_FALSE(ParseBody(Run(edge, in)).span->contains("traceState"));
}

TEST_CASE("origin-response: untrusted bytes in any field still give a pure-ASCII, valid body") {
  Edge edge;
  RequestFields in = Response(kSampled, kRootContext);
  in.user_agent = "evil\"},\r\n\x01\xff\xc3(\xf0\x9f\x98\x80";
  in.uri = "/\\u0000\"";
  in.host = "\xed\xa0\x80";  // a UTF-8-encoded surrogate: ill-formed
  in.method = "G\"ET";
  const Body b = ParseBody(Run(edge, in));
  CHECK(StringAttribute(b.attributes, "user_agent.original") ==
        "evil\"},\r\n\x01\xef\xbf\xbd\xef\xbf\xbd(\xf0\x9f\x98\x80");
  CHECK(StringAttribute(b.attributes, "url.path") == "/\\u0000\"");
  CHECK(StringAttribute(b.attributes, "http.request.method_original") == "G\"ET");
}

// ---- the two triggers together ------------------------------------------------------------

struct Pair {
  std::string traceparent;
  std::string tracestate;
  std::string edge_context;
  bool sampled = false;
};

// Runs origin-request and returns the headers as CloudFront hands them to origin-response.
Pair RunRequest(Edge& edge, std::string_view traceparent, std::string_view tracestate,
                int64_t now) {
  RequestFields in;
  in.traceparent = traceparent;
  in.tracestate = tracestate;
  in.method = "GET";
  in.request_id = kRequestId;  // the one both events of the request carry
  RequestDecision d;
  REQUIRE(edge.tracer.OnOriginRequest(in, now, d) == Status::kOk);
  Pair p;
  p.sampled = d.sampled;
  auto apply = [](const HeaderChange& h, std::string_view incoming) {
    if (h.action == HeaderChange::Action::kSet) return std::string(h.value);
    if (h.action == HeaderChange::Action::kRemove) return std::string();
    return std::string(incoming);
  };
  p.traceparent = apply(d.traceparent, traceparent);
  p.tracestate = apply(d.tracestate, tracestate);
  p.edge_context = apply(d.edge_context, "");
  return p;
}

TEST_CASE("origin pair: a continued trace closes as a child of the viewer's span") {
  Edge edge(R"({"propagation":{"trustIncoming":true}})");
  const Pair p =
      RunRequest(edge, "00-" + std::string(kTraceId) + "-" + std::string(kParentId) + "-01",
                 "congo=t61rcWkgMzE", kStart);
  REQUIRE(p.sampled);
  RequestFields in = Response(p.traceparent, p.edge_context, "201");
  in.tracestate = p.tracestate;
  const Body b = ParseBody(Run(edge, in, kEnd));
  CHECK(SpanString(b, "traceId") == kTraceId);
  CHECK(SpanString(b, "spanId") == p.traceparent.substr(36, 16));  // what the origin sees
  CHECK(SpanString(b, "parentSpanId") == kParentId);
  CHECK(SpanString(b, "traceState") == "congo=t61rcWkgMzE");
  CHECK(IntAt(Member(b.span, "flags")) == 0x301);
  CHECK(SpanString(b, "startTimeUnixNano") == std::to_string(kStart));
  CHECK(SpanString(b, "endTimeUnixNano") == std::to_string(kEnd));
}

TEST_CASE("origin pair: a new sampled trace closes as a root with ot=th:0") {
  Edge edge;
  const Pair p = RunRequest(edge, "", "", kStart);
  REQUIRE(p.sampled);
  RequestFields in = Response(p.traceparent, p.edge_context);
  in.tracestate = p.tracestate;
  const Body b = ParseBody(Run(edge, in, kEnd));
  CHECK(SpanString(b, "traceId") == p.traceparent.substr(3, 32));
  CHECK(SpanString(b, "spanId") == p.traceparent.substr(36, 16));
  CHECK_FALSE(b.span->contains("parentSpanId"));
  CHECK(SpanString(b, "traceState") == "ot=th:0");
  CHECK(IntAt(Member(b.span, "flags")) == 0x103);
}

TEST_CASE("origin pair: a request-side decision made 9 minutes before the response still closes") {
  Edge edge;
  const Pair p = RunRequest(edge, "", "", kStart);
  REQUIRE(p.sampled);
  const Body b =
      ParseBody(Run(edge, Response(p.traceparent, p.edge_context), kStart + 9 * kMinute));
  CHECK(SpanString(b, "endTimeUnixNano") == std::to_string(kStart + 9 * kMinute));
}

TEST_CASE("origin pair: an unsampled request leaves a context but nothing to close") {
  Edge edge(R"({"sampling":{"ratio":0}})");
  const Pair p = RunRequest(edge, "", "", kStart);
  REQUIRE_FALSE(p.sampled);
  CHECK_FALSE(p.edge_context.empty());
  const Result r = Run(edge, Response(p.traceparent, p.edge_context), kEnd);
  CHECK(r.status == Status::kNothingToDo);
  CHECK(r.body.empty());
}

}  // namespace
}  // namespace edge
