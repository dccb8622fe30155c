// viewer-request (on_request.cc, trace_start.cc, request_headers.cc): the first traced trigger
// when viewer triggers are deployed. It starts or continues the trace, decides sampling once,
// and leaves traceparent + x-edgetrace-ctx for the triggers after it. Ids of a trace started
// here derive from cf.config.requestId, so response triggers can recompute them.
#include <string>
#include <string_view>

#include "trigger_harness.h"

namespace edge {
namespace {

using namespace trigger_test;

// The W3C Trace Context example parent, as a client sends it.
constexpr std::string_view kClientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kClientSpan = "00f067aa0ba902b7";
std::string ClientParent(std::string_view flags, std::string_view trace = kClientTrace) {
  return Traceparent(trace, kClientSpan, flags);
}

RequestFields FromClient(std::string_view traceparent, std::string_view tracestate = {},
                         std::string_view request_id = kRequestId) {
  RequestFields in = Request(request_id);
  in.traceparent = traceparent;
  in.tracestate = tracestate;
  return in;
}

Decided ViewerRequest(Edge& edge, const RequestFields& in, int64_t now = kViewerStart) {
  Decided r = edge.OnRequest(Trigger::kViewerRequest, in, now);
  CAPTURE(r.problem);
  REQUIRE(r.status == Status::kOk);
  return r;
}

const std::string kViewerContext = "1-" + std::to_string(kViewerStart);

// An unsampled request leaves no context or edgetrace's own for this call, never anything
// else. Whether it leaves one outside keepErrors is pinned by the keepErrors test alone.
void CheckUnsampledContext(const RequestDecision& d, const std::string& own) {
  CAPTURE(d.edge_context.value);
  CHECK((IsRemove(d.edge_context) || ValueOf(d.edge_context) == own));
}

void CheckNothingInjected(const RequestDecision& d) {
  CHECK(IsKeep(d.xray));
  CHECK(IsKeep(d.b3));
  CHECK(IsKeep(d.b3_trace_id));
  CHECK(IsKeep(d.b3_span_id));
  CHECK(IsKeep(d.b3_sampled));
}

// ---- deployments ----------------------------------------------------------------------------

TEST_CASE("viewer-request, all four: starts the trace from the request id, writes ctx v1") {
  Edge edge(ConfigFor(kAllFour, R"("propagation":{"inject":["xray","b3","b3multi"]})"));
  const Decided r = ViewerRequest(edge, Request());
  CHECK(r.d.sampled);
  CHECK(ValueOf(r.d.traceparent) == Traceparent(TraceOf(kRequestId), RootOf(kRequestId), "03"));
  CHECK(ValueOf(r.d.tracestate) == "ot=th:0");
  CHECK(ValueOf(r.d.edge_context) == kViewerContext);
  // origin-request talks to the origin in this deployment: it injects the other formats.
  CheckNothingInjected(r.d);
  CHECK(edge.random.fill_calls() == 0);  // every id came from the request id
}

TEST_CASE("viewer-request, viewer pair: the root talks to the origin, so it injects too") {
  Edge edge(ConfigFor(kViewerPair, R"("propagation":{"inject":["xray","b3","b3multi"]})"));
  const Decided r = ViewerRequest(edge, Request());
  const std::string trace = TraceOf(kRequestId);
  const std::string root = RootOf(kRequestId);
  CHECK(r.d.sampled);
  CHECK(ValueOf(r.d.traceparent) == Traceparent(trace, root, "03"));
  CHECK(ValueOf(r.d.edge_context) == kViewerContext);
  CHECK(ValueOf(r.d.xray) ==
        "Root=1-" + trace.substr(0, 8) + "-" + trace.substr(8) + ";Parent=" + root + ";Sampled=1");
  CHECK(ValueOf(r.d.b3) == trace + "-" + root + "-1");
  CHECK(ValueOf(r.d.b3_trace_id) == trace);
  CHECK(ValueOf(r.d.b3_span_id) == root);
  CHECK(ValueOf(r.d.b3_sampled) == "1");
}

TEST_CASE("viewer-request, origin pair: not traced here, nothing decided") {
  Edge edge(ConfigFor(kOriginPair));
  const Decided r =
      edge.OnRequest(Trigger::kViewerRequest, FromClient(ClientParent("01")), kViewerStart);
  CHECK(r.status == Status::kNothingToDo);
  CHECK(IsKeep(r.d.traceparent));
  CHECK(IsKeep(r.d.tracestate));
  CHECK(IsKeep(r.d.edge_context));
  CHECK_FALSE(r.d.sampled);
  // A response trigger opens nothing on the request path either.
  CHECK(edge.OnRequest(Trigger::kViewerResponse, Request(), kViewerStart).status ==
        Status::kNothingToDo);
}

TEST_CASE("viewer-request: different request ids give different traces and roots") {
  Edge edge(ConfigFor(kViewerPair));
  const Decided a = ViewerRequest(edge, Request("request-A"));
  const Decided b = ViewerRequest(edge, Request("request-B"));
  CHECK(a.traceparent == Traceparent(TraceOf("request-A"), RootOf("request-A"), "03"));
  CHECK(b.traceparent == Traceparent(TraceOf("request-B"), RootOf("request-B"), "03"));
  CHECK(a.traceparent.substr(3, 32) != b.traceparent.substr(3, 32));
  CHECK(a.traceparent.substr(36, 16) != b.traceparent.substr(36, 16));
}

// ---- trust policies -------------------------------------------------------------------------

TEST_CASE("viewer-request, trust ignore: a client traceparent is replaced, not continued") {
  Edge edge(ConfigFor(kAllFour, R"("propagation":{"trust":"ignore"})"));
  const Decided r = ViewerRequest(edge, FromClient(ClientParent("01"), "congo=t61rcWkgMzE"));
  CHECK(ValueOf(r.d.traceparent) == Traceparent(TraceOf(kRequestId), RootOf(kRequestId), "03"));
  CHECK(ValueOf(r.d.tracestate) == "ot=th:0");         // the client's state is dropped
  CHECK(ValueOf(r.d.edge_context) == kViewerContext);  // no remote parent
}

TEST_CASE("viewer-request, trust ids-only: ids continued, but ratio 0 ignores the client's 01") {
  Edge edge(ConfigFor(kAllFour, R"("propagation":{"trust":"ids-only"},"sampling":{"ratio":0})"));
  const Decided r = ViewerRequest(edge, FromClient(ClientParent("01"), "congo=t61rcWkgMzE"));
  CHECK_FALSE(r.d.sampled);
  CHECK(ValueOf(r.d.traceparent) == Traceparent(kClientTrace, RootOf(kRequestId), "00"));
  CHECK(r.tracestate == "congo=t61rcWkgMzE");  // forwarded, no ot entry: not sampled
  CheckUnsampledContext(r.d, kViewerContext + "-" + std::string(kClientSpan));
}

TEST_CASE(
    "viewer-request, trust ids-only at 0.5: the edge's randomness decides, not the client's") {
  const std::string config =
      ConfigFor(kAllFour, R"("propagation":{"trust":"ids-only"},"sampling":{"ratio":0.5})");
  // A client trace id whose low 56 bits are all ones would always be sampled if they counted.
  const std::string all_ones = "4bf92f3577b34da6a3ffffffffffffff";
  const std::string all_zeros = "4bf92f3577b34da6a300000000000000";

  SUBCASE("low edge randomness: not sampled, whatever the client's trace id") {
    const std::string id = RequestIdWithRandomness(false);
    Edge edge(config);
    const Decided r = ViewerRequest(edge, FromClient(ClientParent("01", all_ones), "", id));
    CHECK_FALSE(r.d.sampled);
    CHECK(ValueOf(r.d.traceparent) == Traceparent(all_ones, RootOf(id), "00"));
    CHECK(r.tracestate.empty());
    CheckUnsampledContext(r.d, kViewerContext + "-" + std::string(kClientSpan));
  }
  SUBCASE("high edge randomness: sampled, and the rv written is that randomness") {
    const std::string id = RequestIdWithRandomness(true);
    Edge edge(config);
    const Decided r =
        ViewerRequest(edge, FromClient(ClientParent("00", all_zeros), "congo=t61rcWkgMzE", id));
    CHECK(r.d.sampled);
    CHECK(ValueOf(r.d.traceparent) == Traceparent(all_zeros, RootOf(id), "01"));
    // rv: the low 56 bits (14 right-most hex digits) of the request id's derived trace id.
    const std::string rv = TraceOf(id).substr(18);
    REQUIRE(rv.size() == 14);
    CHECK(ValueOf(r.d.tracestate) == "ot=th:8;rv:" + rv + ",congo=t61rcWkgMzE");
    CHECK(ValueOf(r.d.edge_context) == kViewerContext + "-" + std::string(kClientSpan));
  }
}

TEST_CASE("viewer-request, trust honor: the client's flag decides; rules and rate limit do not") {
  const std::string config = ConfigFor(
      kAllFour, R"("propagation":{"trust":"honor"},)"
                R"("sampling":{"ratio":0,"maxPerSecond":1,"rules":[{"path":"/*","ratio":0}]})");
  Edge edge(config);
  for (int i = 0; i < 3; ++i) {  // three in one nanosecond, one token per second
    CAPTURE(i);
    const Decided r =
        ViewerRequest(edge, FromClient(ClientParent("01"), "congo=t61rcWkgMzE"), kViewerStart);
    CHECK(r.d.sampled);
    CHECK(ValueOf(r.d.traceparent) == Traceparent(kClientTrace, RootOf(kRequestId), "01"));
    CHECK(IsKeep(r.d.tracestate));  // the edge decided nothing: no ot entry
    CHECK(ValueOf(r.d.edge_context) == kViewerContext + "-" + std::string(kClientSpan));
  }
  Edge always(ConfigFor(kAllFour, R"("propagation":{"trust":"honor"},"sampling":{"ratio":1})"));
  const Decided unsampled = ViewerRequest(always, FromClient(ClientParent("00")));
  CHECK_FALSE(unsampled.d.sampled);
  CHECK(ValueOf(unsampled.d.traceparent) == Traceparent(kClientTrace, RootOf(kRequestId), "00"));
  CheckUnsampledContext(unsampled.d, kViewerContext + "-" + std::string(kClientSpan));
}

// ---- sampling -------------------------------------------------------------------------------

TEST_CASE("viewer-request: sampling rules, the first matching one wins") {
  Edge edge(ConfigFor(kViewerPair, R"("sampling":{"ratio":0,"rules":[)"
                                   R"({"path":"/static/*","ratio":0},)"
                                   R"({"host":"*.example.com","ratio":1},)"
                                   R"({"path":"/static/*","ratio":1},)"
                                   R"({"method":"POST","ratio":1}]})"));
  struct Case {
    std::string_view host;
    std::string_view uri;
    std::string_view method;
    bool sampled;
  };
  for (const Case c : {
           Case{"shop.example.com", "/static/app.css", "GET", false},  // rule 0, not rule 2
           Case{"shop.example.com", "/cart", "GET", true},             // rule 1
           Case{"shop.example.com:443", "/cart", "GET", true},         // port ignored
           Case{"example.com", "/cart", "GET", false},                 // "*." needs a label
           Case{"other.org", "/static/app.css", "POST", false},        // rule 0 before rule 3
           Case{"other.org", "/cart", "POST", true},                   // rule 3
           Case{"other.org", "/cart", "GET", false},                   // default ratio 0
       }) {
    CAPTURE(c.host);
    CAPTURE(c.uri);
    CAPTURE(c.method);
    RequestFields in = Request();
    in.host = c.host;
    in.uri = c.uri;
    in.method = c.method;
    const Decided r = ViewerRequest(edge, in);
    CHECK(r.d.sampled == c.sampled);
    CHECK(r.traceparent.substr(53) == (c.sampled ? "03" : "02"));
    if (c.sampled) {
      CHECK(ValueOf(r.d.tracestate) == "ot=th:0");
      CHECK(ValueOf(r.d.edge_context) == kViewerContext);
    } else {
      CHECK(IsRemove(r.d.tracestate));
      CheckUnsampledContext(r.d, kViewerContext);
    }
  }
}

TEST_CASE("viewer-request: maxPerSecond caps sampled requests per second of `now`") {
  Edge edge(ConfigFor(kViewerPair, R"("sampling":{"maxPerSecond":2})"));
  const auto sampled_at = [&edge](int64_t now) {
    const Decided r = ViewerRequest(edge, Request(), now);
    CHECK(r.traceparent.substr(53) == (r.d.sampled ? "03" : "02"));
    if (r.d.sampled) {
      CHECK(r.edge_context == "1-" + std::to_string(now));
    } else {
      CheckUnsampledContext(r.d, "1-" + std::to_string(now));
      CHECK(IsRemove(r.d.tracestate));  // no ot=th for a request the limit refused
    }
    return r.d.sampled;
  };
  CHECK(sampled_at(kViewerStart));
  CHECK(sampled_at(kViewerStart));
  CHECK_FALSE(sampled_at(kViewerStart));  // the burst of 2 is spent
  CHECK_FALSE(sampled_at(kViewerStart + kSecond / 4));
  CHECK(sampled_at(kViewerStart + kSecond / 2));  // one token back after half a second
  CHECK_FALSE(sampled_at(kViewerStart + kSecond / 2));
  CHECK(sampled_at(kViewerStart + 3 * kSecond));
  CHECK(sampled_at(kViewerStart + 3 * kSecond));
  CHECK_FALSE(sampled_at(kViewerStart + 3 * kSecond));
}

TEST_CASE("viewer-request: an unsampled request carries a ctx, keepErrors or not") {
  Edge keep(ConfigFor(kAllFour, R"("sampling":{"ratio":0,"keepErrors":true})"));
  const Decided kept = ViewerRequest(keep, Request());
  CHECK_FALSE(kept.d.sampled);
  CHECK(ValueOf(kept.d.traceparent) == Traceparent(TraceOf(kRequestId), RootOf(kRequestId), "02"));
  CHECK(ValueOf(kept.d.edge_context) == kViewerContext);
  CHECK(IsRemove(kept.d.tracestate));

  // Without keepErrors too: its presence tells the closing triggers that the request side
  // saw the request (an absent one sends them to the request-id fallback).
  Edge drop(ConfigFor(kAllFour, R"("sampling":{"ratio":0})"));
  const Decided dropped = ViewerRequest(drop, Request());
  CHECK_FALSE(dropped.d.sampled);
  CHECK(ValueOf(dropped.d.edge_context) == kViewerContext);
}

TEST_CASE("viewer-request: a client-sent x-edgetrace-ctx never survives") {
  RequestFields in = Request();
  in.edge_context = "2-1-ffffffffffffffff-1-eeeeeeeeeeeeeeee";  // forged open spans
  Edge sampled(ConfigFor(kAllFour));
  CHECK(ValueOf(ViewerRequest(sampled, in).d.edge_context) == kViewerContext);
  Edge unsampled(ConfigFor(kAllFour, R"("sampling":{"ratio":0})"));
  CheckUnsampledContext(ViewerRequest(unsampled, in).d, kViewerContext);
}

// ---- extraction -----------------------------------------------------------------------------

TEST_CASE("viewer-request: propagation.extract order decides which client header wins") {
  constexpr std::string_view kXRay =
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  const std::string client = ClientParent("00");  // outlives `in`, which views it
  RequestFields in = FromClient(client, "congo=t61rcWkgMzE");
  in.xray = kXRay;

  SUBCASE("xray before tracecontext") {
    Edge edge(ConfigFor(kViewerPair,
                        R"("propagation":{"trust":"honor","extract":["xray","tracecontext"]})"));
    const Decided r = ViewerRequest(edge, in);
    CHECK(r.d.sampled);
    // X-Ray ids make no randomness promise: no random flag.
    CHECK(ValueOf(r.d.traceparent) ==
          Traceparent("5759e988bd862e3fe1be46a994272793", RootOf(kRequestId), "01"));
    CHECK(IsRemove(r.d.tracestate));  // the W3C tracestate goes with the W3C parent
    CHECK(ValueOf(r.d.edge_context) == kViewerContext + "-53995c3f42cd8ad8");
  }
  SUBCASE("tracecontext before xray") {
    Edge edge(ConfigFor(kViewerPair,
                        R"("propagation":{"trust":"honor","extract":["tracecontext","xray"]})"));
    const Decided r = ViewerRequest(edge, in);
    CHECK_FALSE(r.d.sampled);
    CHECK(ValueOf(r.d.traceparent) == Traceparent(kClientTrace, RootOf(kRequestId), "00"));
    CHECK(IsKeep(r.d.tracestate));
    CheckUnsampledContext(r.d, kViewerContext + "-" + std::string(kClientSpan));
  }
  SUBCASE("xray only: a traceparent alone is not read") {
    Edge edge(ConfigFor(kViewerPair, R"("propagation":{"trust":"honor","extract":["xray"]})"));
    const Decided r = ViewerRequest(edge, FromClient(ClientParent("01")));
    CHECK(ValueOf(r.d.traceparent) == Traceparent(TraceOf(kRequestId), RootOf(kRequestId), "03"));
    CHECK(ValueOf(r.d.edge_context) == kViewerContext);
  }
}

}  // namespace
}  // namespace edge
