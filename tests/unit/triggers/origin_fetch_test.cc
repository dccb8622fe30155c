// origin-request under a viewer-request root, all four triggers deployed (origin_fetch.cc):
// opens the CLIENT span "origin fetch", whose id the origin sees as its parent, and rewrites
// x-edgetrace-ctx to version 2 so that origin-response can close the root too. Every test
// runs viewer-request first and feeds its output headers in, as CloudFront does.
#include <string>
#include <string_view>

#include "trigger_harness.h"

namespace edge {
namespace {

using namespace trigger_test;

constexpr std::string_view kClientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kClientSpan = "00f067aa0ba902b7";
constexpr std::string_view kPolicyHint = "origin request policy";

// The headers viewer-request left on the request, which origin-request receives.
struct ViewerHeaders {
  std::string traceparent;
  std::string tracestate;
  std::string edge_context;
  bool sampled = false;
};

ViewerHeaders RunViewerRequest(Edge& edge, std::string_view client_traceparent = {},
                               std::string_view client_tracestate = {}) {
  RequestFields in = Request();
  in.traceparent = client_traceparent;
  in.tracestate = client_tracestate;
  const Decided r = edge.OnRequest(Trigger::kViewerRequest, in, kViewerStart);
  REQUIRE(r.status == Status::kOk);
  return {r.traceparent, r.tracestate, r.edge_context, r.d.sampled};
}

RequestFields AtOrigin(std::string_view traceparent, std::string_view tracestate,
                       std::string_view edge_context) {
  RequestFields in = Request();
  in.traceparent = traceparent;
  in.tracestate = tracestate;
  in.edge_context = edge_context;
  return in;
}

Decided OriginRequest(Edge& edge, const ViewerHeaders& v, int64_t now = kFetchStart) {
  return edge.OnRequest(Trigger::kOriginRequest,
                        AtOrigin(v.traceparent, v.tracestate, v.edge_context), now);
}

std::string Version2(int64_t fetch_start, std::string_view root, int64_t root_start) {
  return "2-" + std::to_string(fetch_start) + "-" + std::string(root) + "-" +
         std::to_string(root_start);
}

const std::string kAllFourConfig = ConfigFor(kAllFour);

TEST_CASE("origin fetch: continues the viewer's trace with the fetch span id, ctx version 2") {
  Edge edge(kAllFourConfig);
  const ViewerHeaders v = RunViewerRequest(edge);
  REQUIRE(v.sampled);
  REQUIRE(v.traceparent == Traceparent(TraceOf(kRequestId), RootOf(kRequestId), "03"));
  const Decided r = OriginRequest(edge, v);
  REQUIRE(r.status == Status::kOk);
  CHECK(r.problem.empty());
  CHECK(r.d.sampled);
  CHECK(ValueOf(r.d.traceparent) == Traceparent(TraceOf(kRequestId), FetchOf(kRequestId), "03"));
  CHECK(IsKeep(r.d.tracestate));  // viewer-request's "ot=th:0" goes on as it is
  CHECK(r.tracestate == "ot=th:0");
  CHECK(ValueOf(r.d.edge_context) == Version2(kFetchStart, RootOf(kRequestId), kViewerStart));
  CHECK(FetchOf(kRequestId) != RootOf(kRequestId));
  CHECK(edge.random.fill_calls() == 0);  // the fetch id came from the request id
  CHECK(r.d.notice.empty());
}

TEST_CASE("origin fetch: a remote parent of the root is carried in ctx version 2") {
  Edge edge(ConfigFor(kAllFour, R"("propagation":{"trust":"honor"})"));
  const ViewerHeaders v =
      RunViewerRequest(edge, Traceparent(kClientTrace, kClientSpan, "01"), "congo=t61rcWkgMzE");
  REQUIRE(v.sampled);
  REQUIRE(v.edge_context == "1-" + std::to_string(kViewerStart) + "-" + std::string(kClientSpan));
  const Decided r = OriginRequest(edge, v);
  REQUIRE(r.status == Status::kOk);
  CHECK(ValueOf(r.d.traceparent) == Traceparent(kClientTrace, FetchOf(kRequestId), "01"));
  CHECK(IsKeep(r.d.tracestate));
  CHECK(r.tracestate == "congo=t61rcWkgMzE");
  CHECK(ValueOf(r.d.edge_context) ==
        Version2(kFetchStart, RootOf(kRequestId), kViewerStart) + "-" + std::string(kClientSpan));
}

TEST_CASE("origin fetch: the origin gets the other formats with the fetch span as parent") {
  Edge edge(ConfigFor(kAllFour, R"("propagation":{"inject":["xray","b3"]})"));
  const ViewerHeaders v = RunViewerRequest(edge);
  const Decided r = OriginRequest(edge, v);
  REQUIRE(r.status == Status::kOk);
  const std::string trace = TraceOf(kRequestId);
  const std::string fetch = FetchOf(kRequestId);
  CHECK(ValueOf(r.d.xray) ==
        "Root=1-" + trace.substr(0, 8) + "-" + trace.substr(8) + ";Parent=" + fetch + ";Sampled=1");
  CHECK(ValueOf(r.d.b3) == trace + "-" + fetch + "-1");
  CHECK(IsRemove(r.d.b3_trace_id));  // not injected: a client's x-b3-* must not reach the origin
}

TEST_CASE("origin fetch: an unsampled traceparent without ctx goes on untouched") {
  Edge edge(ConfigFor(kAllFour, R"("propagation":{"inject":["b3"]})"));
  const std::string unsampled = Traceparent(TraceOf(kRequestId), RootOf(kRequestId), "02");
  const Decided r =
      edge.OnRequest(Trigger::kOriginRequest, AtOrigin(unsampled, "", ""), kFetchStart);
  REQUIRE(r.status == Status::kOk);
  CHECK(r.problem.empty());
  CHECK_FALSE(r.d.sampled);
  CHECK(IsKeep(r.d.traceparent));
  CHECK(r.traceparent == unsampled);
  CHECK(IsKeep(r.d.edge_context));  // none came in, none goes out
  // The origin continues from the root in every injected format too.
  CHECK(ValueOf(r.d.b3) == TraceOf(kRequestId) + "-" + RootOf(kRequestId) + "-0");
}

TEST_CASE("origin fetch: unsampled at viewer-request, the fetch still gets its own id and ctx") {
  // Every request carries a ctx (its presence is what the closing triggers rely on), so an
  // unsampled one takes the same path, with the sampled flag off.
  Edge edge(ConfigFor(kAllFour, R"("sampling":{"ratio":0})"));
  const ViewerHeaders v = RunViewerRequest(edge);
  REQUIRE_FALSE(v.sampled);
  CHECK_FALSE(v.edge_context.empty());
  const Decided r = OriginRequest(edge, v);
  REQUIRE(r.status == Status::kOk);
  CHECK(r.problem.empty());
  CHECK_FALSE(r.d.sampled);
  CHECK(r.traceparent == Traceparent(TraceOf(kRequestId), FetchOf(kRequestId), "02"));
  CHECK(r.edge_context.substr(0, 2) == "2-");
}

TEST_CASE("origin fetch: unsampled under keepErrors, the fetch span is open all the same") {
  Edge edge(ConfigFor(kAllFour, R"("sampling":{"ratio":0,"keepErrors":true})"));
  const ViewerHeaders v = RunViewerRequest(edge);
  REQUIRE_FALSE(v.sampled);
  REQUIRE_FALSE(v.edge_context.empty());
  const Decided r = OriginRequest(edge, v);
  REQUIRE(r.status == Status::kOk);
  CHECK_FALSE(r.d.sampled);
  CHECK(ValueOf(r.d.traceparent) == Traceparent(TraceOf(kRequestId), FetchOf(kRequestId), "02"));
  CHECK(ValueOf(r.d.edge_context) == Version2(kFetchStart, RootOf(kRequestId), kViewerStart));
}

TEST_CASE("origin fetch: a sampled traceparent without a usable ctx is invalid input") {
  Edge edge(kAllFourConfig);
  const ViewerHeaders v = RunViewerRequest(edge);
  REQUIRE(v.sampled);
  for (std::string_view context :
       {std::string_view(""), std::string_view("garbage"), std::string_view("1-"),
        std::string_view("1-0"), std::string_view("3-1700000000100000000"),
        // version 2 is what origin-request writes, never what it receives
        std::string_view("2-1700000000100000000-00f067aa0ba902b7-1700000000100000000")}) {
    CAPTURE(context);
    const Decided r = edge.OnRequest(Trigger::kOriginRequest,
                                     AtOrigin(v.traceparent, v.tracestate, context), kFetchStart);
    CHECK(r.status == Status::kInvalidInput);
    CAPTURE(r.problem);
    CHECK(r.problem.find(kPolicyHint) != std::string::npos);
    CHECK(IsKeep(r.d.traceparent));
    CHECK(IsKeep(r.d.tracestate));
    CHECK(IsKeep(r.d.edge_context));
    CHECK_FALSE(r.d.sampled);
  }
}

TEST_CASE("origin fetch: an unsampled traceparent beside a garbled ctx is invalid input too") {
  Edge edge(kAllFourConfig);
  const std::string unsampled = Traceparent(TraceOf(kRequestId), RootOf(kRequestId), "02");
  const Decided r =
      edge.OnRequest(Trigger::kOriginRequest, AtOrigin(unsampled, "", "garbage"), kFetchStart);
  CHECK(r.status == Status::kInvalidInput);
  CHECK(r.problem.find(kPolicyHint) != std::string::npos);
}

TEST_CASE("origin fetch: problem() is cleared by the next call") {
  Edge edge(kAllFourConfig);
  const ViewerHeaders v = RunViewerRequest(edge);
  const Decided bad = edge.OnRequest(Trigger::kOriginRequest,
                                     AtOrigin(v.traceparent, v.tracestate, ""), kFetchStart);
  REQUIRE(bad.status == Status::kInvalidInput);
  const Decided good = OriginRequest(edge, v);
  CHECK(good.status == Status::kOk);
  CHECK(good.problem.empty());
}

TEST_CASE("origin fetch: without viewer-request's traceparent it repeats its decision") {
  // The origin request policy did not forward viewer-request's headers: viewer-request's ids
  // come from the request id, so the fetch opens under the very root viewer-request opened.
  Edge edge(ConfigFor(kAllFour, R"("propagation":{"inject":["b3"]})"));
  for (std::string_view traceparent : {std::string_view(""), std::string_view("garbage")}) {
    CAPTURE(traceparent);
    const Decided r =
        edge.OnRequest(Trigger::kOriginRequest, AtOrigin(traceparent, "", ""), kFetchStart);
    REQUIRE(r.status == Status::kOk);
    CHECK(r.d.sampled);
    CHECK(ValueOf(r.d.traceparent) == Traceparent(TraceOf(kRequestId), FetchOf(kRequestId), "03"));
    const std::string start = std::to_string(kFetchStart);
    CHECK(ValueOf(r.d.edge_context) == "2-" + start + "-" + RootOf(kRequestId) + "-" + start);
    CHECK(ValueOf(r.d.b3) == TraceOf(kRequestId) + "-" + FetchOf(kRequestId) + "-1");
    // Traced, but the operator is told (once per sandbox, by the host) what is missing.
    CHECK(std::string(r.d.notice).find("origin request policy") != std::string::npos);
  }
}

TEST_CASE("origin fetch: a traceparent naming another root is the client's, not viewer-request's") {
  // viewer-request names the root by the id derived from the request id. A client's own
  // sampled traceparent reaching origin-request (viewer-request failed and passed the request
  // through) is not taken for it: the decision is repeated, under the default trust policy
  // without the client.
  Edge edge(ConfigFor(kAllFour, R"("sampling":{"ratio":0})"));
  const std::string client = Traceparent(std::string(32, 'a'), std::string(16, 'b'), "01");
  const Decided r =
      edge.OnRequest(Trigger::kOriginRequest,
                     AtOrigin(client, "", "1-" + std::to_string(kViewerStart)), kFetchStart);
  REQUIRE(r.status == Status::kOk);
  CHECK_FALSE(r.d.sampled);
  CHECK(r.traceparent == Traceparent(TraceOf(kRequestId), FetchOf(kRequestId), "02"));
}

TEST_CASE("origin fetch: a decision it cannot repeat is not guessed") {
  // The rate limit is per sandbox and a host rule saw the viewer's Host, which origin-request
  // does not: repeating either could contradict viewer-request. The request is left alone
  // (and the shim logs the problem).
  for (const std::string_view rest :
       {std::string_view(R"("sampling":{"maxPerSecond":5})"),
        std::string_view(R"("sampling":{"rules":[{"host":"www.example.com","ratio":0}]})"),
        std::string_view(R"("ids":{"xrayCompatible":true})")}) {
    CAPTURE(rest);
    Edge edge(ConfigFor(kAllFour, rest));
    const Decided r = edge.OnRequest(Trigger::kOriginRequest, AtOrigin("", "", ""), kFetchStart);
    CHECK(r.status == Status::kInvalidInput);
    CHECK(r.problem.find("cannot be repeated") != std::string::npos);
    CHECK(IsKeep(r.d.traceparent));
  }
  // A path rule is the same at every trigger: repeated.
  Edge paths(ConfigFor(kAllFour, R"("sampling":{"rules":[{"path":"/products/*","ratio":0}]})"));
  const Decided r = paths.OnRequest(Trigger::kOriginRequest, AtOrigin("", "", ""), kFetchStart);
  REQUIRE(r.status == Status::kOk);
  CHECK_FALSE(r.d.sampled);
}

TEST_CASE("regression: with viewer-request's headers dropped, no span is exported twice") {
  // docs/trace-model.md: "each span has exactly one closing trigger". Here origin-request
  // starts its own trace (above), origin-response closes what it opened, and viewer-response
  // closes viewer-request's root from the viewer request's headers.
  Edge edge(kAllFourConfig);
  const ViewerHeaders v = RunViewerRequest(edge);
  REQUIRE(v.sampled);
  const Decided o = edge.OnRequest(Trigger::kOriginRequest, AtOrigin("", "", ""), kFetchStart);
  REQUIRE(o.status == Status::kOk);

  const Closed at_origin =
      edge.OnResponse(Trigger::kOriginResponse, Response(o.traceparent, o.edge_context, "200"));
  const Export origin_spans = ParseExport(at_origin);
  RequestFields viewer = Response(v.traceparent, v.edge_context, "200");
  viewer.tracestate = v.tracestate;
  const Closed at_viewer = edge.OnResponse(Trigger::kViewerResponse, viewer);
  const Export viewer_spans = ParseExport(at_viewer);

  for (const SpanView& a : origin_spans.spans) {
    for (const SpanView& b : viewer_spans.spans) {
      CAPTURE(a.Str("spanId"));
      CAPTURE(a.Str("startTimeUnixNano"));
      CAPTURE(b.Str("startTimeUnixNano"));
      CHECK_FALSE((a.Str("traceId") == b.Str("traceId") && a.Str("spanId") == b.Str("spanId")));
    }
  }
}

TEST_CASE("origin fetch: viewer pair deploys no origin-request: nothing to do there") {
  Edge edge(ConfigFor(kViewerPair));
  const ViewerHeaders v = RunViewerRequest(edge);
  const Decided r = OriginRequest(edge, v);
  CHECK(r.status == Status::kNothingToDo);
  CHECK(IsKeep(r.d.traceparent));
  CHECK(IsKeep(r.d.edge_context));
}

TEST_CASE("origin fetch: the fetch start is this call's time, the root start viewer-request's") {
  Edge edge(kAllFourConfig);
  const ViewerHeaders v = RunViewerRequest(edge);
  const int64_t later = kViewerStart + 7 * kSecond;
  const Decided r = OriginRequest(edge, v, later);
  REQUIRE(r.status == Status::kOk);
  CHECK(ValueOf(r.d.edge_context) == Version2(later, RootOf(kRequestId), kViewerStart));
}

}  // namespace
}  // namespace edge
