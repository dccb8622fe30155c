#pragma once
// Shared by the tests of edge/src/triggers/: a configured Tracer, CloudFront request fields,
// the ids derived from a request id, and safe navigation of OTLP JSON bodies (nlohmann_json
// without exceptions: parse(..., nullptr, false) and type checks before every access).
#include <doctest/doctest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "edge/request_ids.h"
#include "edge/tracer.h"
#include "support/fixed_random_source.h"

namespace edge {
namespace trigger_test {

using nlohmann::json;

constexpr int64_t kSecond = 1000000000;
constexpr int64_t kViewerStart = 1700000000100000000;  // viewer-request runs
constexpr int64_t kFetchStart = 1700000000150000000;   // origin-request runs, 50 ms later
constexpr int64_t kNow = 1700000000400000000;          // the response trigger runs
constexpr RuntimeInfo kRuntime{"eu-west-1", "us-east-1.edgetrace", "3"};
constexpr std::string_view kRequestId = "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==";

// `triggers` values for the three deployments the config accepts.
constexpr std::string_view kOriginPair = R"("triggers":["origin-request","origin-response"])";
constexpr std::string_view kViewerPair = R"("triggers":["viewer-request","viewer-response"])";
constexpr std::string_view kAllFour =
    R"("triggers":["viewer-request","origin-request","origin-response","viewer-response"])";

// `{<triggers>,<rest>}`: rest is more top-level members, or empty.
inline std::string ConfigFor(std::string_view triggers, std::string_view rest = {}) {
  std::string config = "{" + std::string(triggers);
  if (!rest.empty()) config += "," + std::string(rest);
  return config + "}";
}

inline std::string Hex(const TraceId& id) {
  char hex[TraceId::kHexSize];
  id.ToHex(hex);
  return std::string(hex, sizeof hex);
}
inline std::string Hex(const SpanId& id) {
  char hex[SpanId::kHexSize];
  id.ToHex(hex);
  return std::string(hex, sizeof hex);
}
inline std::string TraceOf(std::string_view request_id) {
  return Hex(TraceIdFromRequestId(request_id));
}
inline std::string RootOf(std::string_view request_id) {
  return Hex(SpanIdFromRequestId(request_id, EdgeSpanRole::kRoot));
}
inline std::string FetchOf(std::string_view request_id) {
  return Hex(SpanIdFromRequestId(request_id, EdgeSpanRole::kOriginFetch));
}
inline std::string Traceparent(std::string_view trace_id, std::string_view span_id,
                               std::string_view flags) {
  return "00-" + std::string(trace_id) + "-" + std::string(span_id) + "-" + std::string(flags);
}

// The first of "req-0", "req-1", ... whose derived trace id's low 56 bits (the randomness of a
// ratio decision) are at or above 2^55 (`high`: sampled at ratio 0.5) or below it.
inline std::string RequestIdWithRandomness(bool high) {
  constexpr uint64_t kHalf = uint64_t{1} << 55;
  for (int i = 0;; ++i) {
    std::string id = "req-" + std::to_string(i) + "-EXAMPLEkZ3o9Q==";
    if ((TraceIdFromRequestId(id).Low56() >= kHalf) == high) return id;
  }
}

inline bool IsSet(const HeaderChange& h) { return h.action == HeaderChange::Action::kSet; }
inline bool IsKeep(const HeaderChange& h) {
  return h.action == HeaderChange::Action::kKeep && h.value.empty();
}
inline bool IsRemove(const HeaderChange& h) {
  return h.action == HeaderChange::Action::kRemove && h.value.empty();
}
inline std::string ValueOf(const HeaderChange& h) {
  return IsSet(h) ? std::string(h.value) : "<not set>";
}
// The header as the next trigger sees it.
inline std::string Apply(const HeaderChange& h, std::string_view incoming) {
  if (h.action == HeaderChange::Action::kSet) return std::string(h.value);
  if (h.action == HeaderChange::Action::kRemove) return std::string();
  return std::string(incoming);
}

// A viewer's GET, with the request id every trigger of the request shares.
inline RequestFields Request(std::string_view request_id = kRequestId) {
  RequestFields in;
  in.method = "GET";
  in.uri = "/products/42";
  in.host = "d111111abcdef8.cloudfront.net";
  in.user_agent = "Mozilla/5.0";
  in.forwarded_proto = "https";
  in.client_ip = "203.0.113.178";
  in.distribution_id = "EDFDVBD6EXAMPLE";
  in.distribution_domain = "d111111abcdef8.cloudfront.net";
  in.request_id = request_id;
  in.invocation_id = "c0ffee00-0000-4000-8000-000000000001";
  return in;
}

// A response event: the request as the request side left it, and the response's status.
inline RequestFields Response(std::string_view traceparent, std::string_view edge_context,
                              std::string_view status = "200",
                              std::string_view request_id = kRequestId) {
  RequestFields in = Request(request_id);
  in.traceparent = traceparent;
  in.edge_context = edge_context;
  in.response_status = status;
  return in;
}

// What a request-side trigger decided, copied out of the Tracer's buffers.
struct Decided {
  Status status = Status::kOk;
  RequestDecision d;
  std::string problem;
  // The headers as the next trigger sees them (from the incoming ones and the changes).
  std::string traceparent;
  std::string tracestate;
  std::string edge_context;
};

// What a closing trigger did, copied out of the Tracer's buffers.
struct Closed {
  Status status = Status::kOk;
  std::string body;
  std::string problem;
  HeaderChange::Action fill_action = HeaderChange::Action::kKeep;
  std::string fill_stamp;
  HeaderChange::Action correlation_action = HeaderChange::Action::kKeep;
  std::string correlation;
  int span_count = -1;
};

struct Edge {
  explicit Edge(const std::string& config) : random(0x5a), tracer(random) {
    std::string error;
    CAPTURE(config);
    const Status s = tracer.Configure(config, kRuntime, error);
    CAPTURE(error);
    REQUIRE(s == Status::kOk);
  }

  Decided OnRequest(Trigger trigger, const RequestFields& in, int64_t now) {
    Decided r;
    r.status = tracer.OnRequest(trigger, in, now, r.d);
    r.problem.assign(tracer.problem());
    r.traceparent = Apply(r.d.traceparent, in.traceparent);
    r.tracestate = Apply(r.d.tracestate, in.tracestate);
    r.edge_context = Apply(r.d.edge_context, in.edge_context);
    return r;
  }

  Closed OnResponse(Trigger trigger, const RequestFields& in, int64_t now = kNow,
                    uint32_t flags = 0) {
    static char body[1 << 17];
    ByteWriter out(body, sizeof body);
    ResponseDecision d;
    d.span_count = -1;
    Closed r;
    r.status = tracer.OnResponse(trigger, in, now, flags, d, out);
    r.body.assign(out.view());
    r.problem.assign(tracer.problem());
    r.fill_action = d.fill_stamp.action;
    r.fill_stamp.assign(d.fill_stamp.value);
    r.correlation_action = d.correlation.action;
    r.correlation.assign(d.correlation.value);
    r.span_count = d.span_count;
    return r;
  }

  testing::FixedRandomSource random;
  Tracer tracer;
};

// ---- OTLP JSON -------------------------------------------------------------------------------

inline const json* Member(const json* j, const char* key) {
  return j != nullptr && j->is_object() && j->contains(key) ? &(*j)[key] : nullptr;
}
inline const json* Element(const json* j, size_t i) {
  return j != nullptr && j->is_array() && j->size() > i ? &(*j)[i] : nullptr;
}
inline std::string StringAt(const json* j) {
  return j != nullptr && j->is_string() ? j->get<std::string>() : "<absent>";
}
inline int64_t IntAt(const json* j) {
  return j != nullptr && j->is_number_integer() ? j->get<int64_t>() : -1;
}
inline const json* AttributeValue(const json* attributes, const std::string& key) {
  if (attributes == nullptr || !attributes->is_array()) return nullptr;
  for (const json& a : *attributes) {
    if (StringAt(Member(&a, "key")) == key) return Member(&a, "value");
  }
  return nullptr;
}
inline std::string StringAttribute(const json* attributes, const std::string& key) {
  return StringAt(Member(AttributeValue(attributes, key), "stringValue"));
}
// "true" / "false", or "<absent>" when there is no such boolean attribute.
inline std::string BoolAttribute(const json* attributes, const std::string& key) {
  const json* v = Member(AttributeValue(attributes, key), "boolValue");
  if (v == nullptr || !v->is_boolean()) return "<absent>";
  return v->get<bool>() ? "true" : "false";
}

// One exported span, with shortcuts to what the tests look at.
struct SpanView {
  const json* span = nullptr;
  std::string Str(const char* key) const { return StringAt(Member(span, key)); }
  int64_t Int(const char* key) const { return IntAt(Member(span, key)); }
  bool Has(const char* key) const { return Member(span, key) != nullptr; }
  const json* attributes() const { return Member(span, "attributes"); }
  std::string Attr(const std::string& key) const { return StringAttribute(attributes(), key); }
  bool HasAttr(const std::string& key) const {
    return AttributeValue(attributes(), key) != nullptr;
  }
  int64_t StatusCode() const { return IntAt(Member(Member(span, "status"), "code")); }  // -1: unset
};

// An ExportTraceServiceRequest with one resource and one scope; spans in body order.
struct Export {
  json root;
  std::vector<SpanView> spans;
};

inline Export ParseExport(const Closed& r) {
  CAPTURE(r.body);
  CAPTURE(r.problem);
  REQUIRE(r.status == Status::kOk);
  Export e;
  e.root = json::parse(r.body, nullptr, false);
  REQUIRE_FALSE(e.root.is_discarded());
  const json* resource_spans = Member(&e.root, "resourceSpans");
  REQUIRE((resource_spans != nullptr && resource_spans->is_array() && resource_spans->size() == 1));
  const json* scope_spans = Member(Element(resource_spans, 0), "scopeSpans");
  REQUIRE((scope_spans != nullptr && scope_spans->is_array() && scope_spans->size() == 1));
  const json* spans = Member(Element(scope_spans, 0), "spans");
  REQUIRE((spans != nullptr && spans->is_array()));
  for (const json& s : *spans) {
    REQUIRE(s.is_object());
    e.spans.push_back(SpanView{&s});
  }
  CHECK(r.span_count == static_cast<int>(e.spans.size()));
  return e;
}

// Nothing exported, nothing said about the response.
inline void CheckNothing(const Closed& r) {
  const std::string body_start = r.body.substr(0, 160);  // enough to tell what was exported
  CAPTURE(body_start);
  CAPTURE(r.problem);
  CHECK(r.status == Status::kNothingToDo);
  CHECK(r.body.empty());
  CHECK(r.problem.empty());
  CHECK(r.span_count == 0);
  CHECK(r.fill_action == HeaderChange::Action::kKeep);
  CHECK(r.correlation_action == HeaderChange::Action::kKeep);
}

}  // namespace trigger_test
}  // namespace edge
