// What a closing trigger finds open (open_spans.cc): read back from traceparent +
// x-edgetrace-ctx, checked for plausibility, or, when the response event shows none of the
// request side's headers, recomputed from cf.config.requestId (spans then marked partial).
#include <string>
#include <string_view>

#include "trigger_harness.h"

namespace edge {
namespace {

using namespace trigger_test;

constexpr int64_t kMaxAge = 600 * kSecond;
constexpr int64_t kMaxSkew = 60 * kSecond;
constexpr std::string_view kOutOfWindow =
    "x-edgetrace-ctx start time is not within the last 10 minutes";

const std::string kTrace = TraceOf(kRequestId);
const std::string kRoot = RootOf(kRequestId);
const std::string kFetch = FetchOf(kRequestId);

// A response event that shows none of the request side's headers.
RequestFields Bare(std::string_view status = "200", std::string_view request_id = kRequestId) {
  return Response("", "", status, request_id);
}

void CheckPartial(const SpanView& s) {
  CHECK(s.Attr("aws.cloudfront.timing") == "partial");
  CHECK(s.Str("startTimeUnixNano") == std::to_string(kNow));
  CHECK(s.Str("endTimeUnixNano") == std::to_string(kNow));
}

// ---- the requestId fallback -----------------------------------------------------------------

TEST_CASE("fallback: no traceparent, no ctx: the root is recomputed from the request id") {
  for (const std::string& config : {ConfigFor(kOriginPair), ConfigFor(kViewerPair)}) {
    CAPTURE(config);
    Edge edge(config);
    const Trigger closer =
        config == ConfigFor(kOriginPair) ? Trigger::kOriginResponse : Trigger::kViewerResponse;
    const Export e = ParseExport(edge.OnResponse(closer, Bare()));
    REQUIRE(e.spans.size() == 1);
    const SpanView& s = e.spans[0];
    CHECK(s.Str("traceId") == kTrace);
    CHECK(s.Str("spanId") == kRoot);
    CHECK_FALSE(s.Has("parentSpanId"));
    CHECK(s.Int("kind") == 2);
    CHECK(s.Int("flags") == 0x103);  // a trace started at the edge: random + sampled
    CheckPartial(s);
  }
}

TEST_CASE("fallback: the recomputed ids are the ones viewer-request wrote") {
  Edge edge(ConfigFor(kViewerPair));
  const Decided request = edge.OnRequest(Trigger::kViewerRequest, Request(), kViewerStart);
  REQUIRE(request.status == Status::kOk);
  const Export e = ParseExport(edge.OnResponse(Trigger::kViewerResponse, Bare()));
  REQUIRE(e.spans.size() == 1);
  CHECK(request.traceparent ==
        Traceparent(e.spans[0].Str("traceId"), e.spans[0].Str("spanId"), "03"));
  CHECK(e.spans[0].Attr("aws.cloudfront.cache_status") == "unknown");
}

TEST_CASE("fallback, all four: origin-response recomputes the fetch span below the root") {
  Edge edge(ConfigFor(kAllFour));
  const Closed stamped = edge.OnResponse(Trigger::kOriginResponse, Bare("200"));
  // The stamp names the recomputed fetch span, so viewer-response can still tell a miss.
  CHECK(stamped.fill_action == HeaderChange::Action::kSet);
  CHECK(stamped.fill_stamp == Traceparent(kTrace, kFetch, "03"));
  const Export ok = ParseExport(stamped);
  REQUIRE(ok.spans.size() == 1);
  CHECK(ok.spans[0].Str("spanId") == kFetch);
  CHECK(ok.spans[0].Str("parentSpanId") == kRoot);
  CHECK(ok.spans[0].Int("kind") == 3);
  CheckPartial(ok.spans[0]);

  const Export error = ParseExport(edge.OnResponse(Trigger::kOriginResponse, Bare("404")));
  REQUIRE(error.spans.size() == 2);
  CHECK(error.spans[0].Str("spanId") == kFetch);
  CheckPartial(error.spans[0]);
  CHECK(error.spans[1].Str("spanId") == kRoot);
  CHECK(error.spans[1].Attr("aws.cloudfront.root_closed_at") == "origin-response");
  CheckPartial(error.spans[1]);
}

TEST_CASE("fallback: the sampling decision is recomputed, so ratio 0 exports nothing") {
  for (std::string_view triggers : {kOriginPair, kViewerPair, kAllFour}) {
    CAPTURE(triggers);
    Edge edge(ConfigFor(triggers, R"("sampling":{"ratio":0})"));
    const Trigger closer =
        triggers == kOriginPair ? Trigger::kOriginResponse : Trigger::kViewerResponse;
    CheckNothing(edge.OnResponse(closer, Bare()));
  }
}

TEST_CASE("fallback at ratio 0.5 repeats the request side's decision") {
  for (const bool high : {false, true}) {
    CAPTURE(high);
    const std::string id = RequestIdWithRandomness(high);
    Edge edge(ConfigFor(kViewerPair, R"("sampling":{"ratio":0.5})"));
    const Decided request = edge.OnRequest(Trigger::kViewerRequest, Request(id), kViewerStart);
    REQUIRE(request.status == Status::kOk);
    CHECK(request.d.sampled == high);
    const Closed r = edge.OnResponse(Trigger::kViewerResponse, Bare("200", id));
    if (!high) {
      CheckNothing(r);
      continue;
    }
    const Export e = ParseExport(r);
    REQUIRE(e.spans.size() == 1);
    CHECK(e.spans[0].Str("traceId") == TraceOf(id));
    CHECK(e.spans[0].Str("spanId") == RootOf(id));
  }
}

TEST_CASE("fallback: X-Ray-compatible trace ids cannot be recomputed: nothing") {
  for (std::string_view triggers : {kOriginPair, kViewerPair}) {
    CAPTURE(triggers);
    Edge edge(ConfigFor(triggers, R"("ids":{"xrayCompatible":true})"));
    const Trigger closer =
        triggers == kOriginPair ? Trigger::kOriginResponse : Trigger::kViewerResponse;
    CheckNothing(edge.OnResponse(closer, Bare()));
  }
}

TEST_CASE("fallback: a trusted client context from the event is continued") {
  constexpr std::string_view kXRay =
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  RequestFields in = Bare();
  in.xray = kXRay;
  Edge honor(ConfigFor(
      kViewerPair, R"("propagation":{"trust":"honor","extract":["xray"]},"sampling":{"ratio":0})"));
  const Export e = ParseExport(honor.OnResponse(Trigger::kViewerResponse, in));
  REQUIRE(e.spans.size() == 1);
  CHECK(e.spans[0].Str("traceId") == "5759e988bd862e3fe1be46a994272793");
  CHECK(e.spans[0].Str("spanId") == kRoot);
  CHECK(e.spans[0].Str("parentSpanId") == "53995c3f42cd8ad8");
  CHECK(e.spans[0].Int("flags") == 0x301);

  Edge ignore(ConfigFor(kViewerPair, R"("propagation":{"extract":["xray"]})"));
  const Export own = ParseExport(ignore.OnResponse(Trigger::kViewerResponse, in));
  REQUIRE(own.spans.size() == 1);
  CHECK(own.spans[0].Str("traceId") == kTrace);
  CHECK_FALSE(own.spans[0].Has("parentSpanId"));
}

TEST_CASE("fallback, keepErrors: an unsampled 5xx at origin-response is still exported") {
  Edge edge(ConfigFor(kOriginPair, R"("sampling":{"ratio":0,"keepErrors":true})"));
  const Export e = ParseExport(edge.OnResponse(Trigger::kOriginResponse, Bare("503")));
  REQUIRE(e.spans.size() == 1);
  CHECK(e.spans[0].Int("flags") == 0x102);
  CHECK(BoolAttribute(e.spans[0].attributes(), "edgetrace.sampling.kept_error") == "true");
  CheckPartial(e.spans[0]);
  CheckNothing(edge.OnResponse(Trigger::kOriginResponse, Bare("200")));
}

TEST_CASE("fallback: a decision the rate limit took part in is not repeated, nor a token taken") {
  // The limit is per sandbox: the request side may have been over it, so a recomputed
  // "sampled" could contradict what the origin was told. Nothing is exported instead.
  Edge edge(ConfigFor(kViewerPair, R"("sampling":{"maxPerSecond":1})"));
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    CheckNothing(edge.OnResponse(Trigger::kViewerResponse, Bare()));
  }
  // The one token of this second is still there for a real request, and only one.
  CHECK(edge.OnRequest(Trigger::kViewerRequest, Request(), kNow).d.sampled);
  CHECK_FALSE(edge.OnRequest(Trigger::kViewerRequest, Request(), kNow).d.sampled);
}

TEST_CASE(
    "fallback: host rules decided at viewer-request are not repeated where Host is the origin's") {
  // Origin-facing events carry the origin's Host, not the viewer's: a host rule evaluated
  // there could contradict viewer-request's decision.
  const std::string rules =
      R"("sampling":{"ratio":0,"rules":[{"host":"www.example.com","ratio":1}]})";
  Edge four(ConfigFor(kAllFour, rules));
  CheckNothing(four.OnResponse(Trigger::kOriginResponse, Bare()));
  // viewer-response sees the viewer's request: the same Host viewer-request saw.
  RequestFields viewer = Bare();
  viewer.host = "www.example.com";
  CHECK(four.OnResponse(Trigger::kViewerResponse, viewer).status == Status::kOk);
  // In the origin pair origin-request decided on the Host origin-response sees too.
  Edge pair(ConfigFor(kOriginPair, rules));
  RequestFields origin = Bare();
  origin.host = "www.example.com";
  CHECK(pair.OnResponse(Trigger::kOriginResponse, origin).status == Status::kOk);
  // Path and method rules are the same at every trigger.
  Edge paths(
      ConfigFor(kAllFour, R"("sampling":{"ratio":0,"rules":[{"path":"/api/*","ratio":1}]})"));
  RequestFields api = Bare();
  api.uri = "/api/items";
  CHECK(paths.OnResponse(Trigger::kOriginResponse, api).status == Status::kOk);
}

TEST_CASE("fallback needs a request id and a clock") {
  Edge edge(ConfigFor(kOriginPair));
  CheckNothing(edge.OnResponse(Trigger::kOriginResponse, Bare("200", ""), kNow));
  CheckNothing(edge.OnResponse(Trigger::kOriginResponse, Bare(), 0));
}

// ---- recovered from headers -----------------------------------------------------------------

TEST_CASE("a traceparent without ctx and without a request id: nothing to recover") {
  for (std::string_view triggers : {kOriginPair, kViewerPair, kAllFour}) {
    CAPTURE(triggers);
    Edge edge(ConfigFor(triggers));
    const Trigger closer =
        triggers == kOriginPair ? Trigger::kOriginResponse : Trigger::kViewerResponse;
    for (std::string_view flags : {"00", "01", "03"}) {
      CAPTURE(flags);
      const std::string traceparent = Traceparent(kTrace, kRoot, flags);
      RequestFields in = Response(traceparent, "");
      in.request_id = {};
      CheckNothing(edge.OnResponse(closer, in));
    }
  }
}

TEST_CASE("ctx start must lie within [now - 600 s, now + 60 s]") {
  Edge edge(ConfigFor(kViewerPair));
  const std::string traceparent = Traceparent(kTrace, kRoot, "01");
  struct Case {
    int64_t start;
    bool ok;
  };
  for (const Case c :
       {Case{kNow - kMaxAge, true}, Case{kNow - kMaxAge - 1, false}, Case{kNow + kMaxSkew, true},
        Case{kNow + kMaxSkew + 1, false}, Case{kNow, true}, Case{1, false}}) {
    CAPTURE(c.start);
    const std::string ctx = "1-" + std::to_string(c.start);
    const Closed r = edge.OnResponse(Trigger::kViewerResponse, Response(traceparent, ctx));
    if (c.ok) {
      const Export e = ParseExport(r);
      REQUIRE(e.spans.size() == 1);
      CHECK(e.spans[0].Str("startTimeUnixNano") == std::to_string(c.start));
      CHECK(e.spans[0].Str("endTimeUnixNano") ==
            std::to_string(c.start > kNow ? c.start : kNow));  // never a negative duration
    } else {
      CHECK(r.status == Status::kInvalidInput);
      CHECK(r.problem == kOutOfWindow);
      CHECK(r.body.empty());
    }
  }
}

TEST_CASE("ctx v2: the root start must lie in the window too") {
  Edge edge(ConfigFor(kAllFour));
  const std::string traceparent = Traceparent(kTrace, kFetch, "01");
  const auto ctx = [](int64_t root_start) {
    return "2-" + std::to_string(kFetchStart) + "-" + kRoot + "-" + std::to_string(root_start);
  };
  for (int64_t root_start : {kNow - kMaxAge - 1, kNow + kMaxSkew + 1, int64_t{1}}) {
    CAPTURE(root_start);
    const Closed r =
        edge.OnResponse(Trigger::kOriginResponse, Response(traceparent, ctx(root_start), "503"));
    CHECK(r.status == Status::kInvalidInput);
    CHECK(r.problem == kOutOfWindow);
    CHECK(r.body.empty());
  }
  const Export e = ParseExport(
      edge.OnResponse(Trigger::kOriginResponse, Response(traceparent, ctx(kNow - kMaxAge), "503")));
  REQUIRE(e.spans.size() == 2);
  CHECK(e.spans[1].Str("startTimeUnixNano") == std::to_string(kNow - kMaxAge));
}

TEST_CASE("recovered: unknown traceparent flag bits are dropped from the spans") {
  Edge edge(ConfigFor(kAllFour));
  const std::string v2 =
      "2-" + std::to_string(kFetchStart) + "-" + kRoot + "-" + std::to_string(kViewerStart);
  const Export e = ParseExport(edge.OnResponse(
      Trigger::kOriginResponse, Response(Traceparent(kTrace, kFetch, "ff"), v2, "500")));
  REQUIRE(e.spans.size() == 2);
  CHECK(e.spans[0].Int("flags") == 0x103);
  CHECK(e.spans[1].Int("flags") == 0x103);
}

TEST_CASE("recovered: a malformed ctx, or a ctx without a valid traceparent, is rejected") {
  Edge edge(ConfigFor(kViewerPair));
  const std::string v1 = "1-" + std::to_string(kViewerStart);
  const Closed malformed = edge.OnResponse(Trigger::kViewerResponse,
                                           Response(Traceparent(kTrace, kRoot, "01"), "1-abc"));
  CHECK(malformed.status == Status::kInvalidInput);
  CHECK(malformed.problem == "x-edgetrace-ctx is malformed");
  CHECK(malformed.body.empty());
  for (std::string_view traceparent : {std::string_view(""), std::string_view("garbage")}) {
    CAPTURE(traceparent);
    const Closed missing = edge.OnResponse(Trigger::kViewerResponse, Response(traceparent, v1));
    CHECK(missing.status == Status::kInvalidInput);
    CHECK(missing.problem == "traceparent is missing or invalid next to x-edgetrace-ctx");
    CHECK(missing.body.empty());
  }
}

}  // namespace
}  // namespace edge
