// The closing triggers (on_response.cc, close_spans.cc): which spans each one closes, the
// cache status viewer-response infers from the x-edgetrace-fill stamp, responses generated
// (or thrown) by the wrapped handler, the correlation header and keepErrors. Inputs are the
// headers the request side leaves: ctx version 1 (root open) or 2 (fetch + root open).
#include <string>
#include <string_view>

#include "trigger_harness.h"

namespace edge {
namespace {

using namespace trigger_test;

const std::string kTrace = TraceOf(kRequestId);
const std::string kRoot = RootOf(kRequestId);
const std::string kFetch = FetchOf(kRequestId);
constexpr std::string_view kRemote = "00f067aa0ba902b7";

// viewer-request's headers (root open), and origin-request's (fetch open below the root).
const std::string kRootParent = Traceparent(kTrace, kRoot, "01");
const std::string kFetchParent = Traceparent(kTrace, kFetch, "01");
const std::string kV1 = "1-" + std::to_string(kViewerStart);
const std::string kV2 =
    "2-" + std::to_string(kFetchStart) + "-" + kRoot + "-" + std::to_string(kViewerStart);

const std::string kAllFourConfig = ConfigFor(kAllFour);
const std::string kViewerPairConfig = ConfigFor(kViewerPair);

std::string StatusCodeAttr(const SpanView& s) {
  return StringAt(Member(AttributeValue(s.attributes(), "http.response.status_code"), "intValue"));
}

void CheckFetchSpan(const SpanView& s) {
  CHECK(s.Str("traceId") == kTrace);
  CHECK(s.Str("spanId") == kFetch);
  CHECK(s.Str("parentSpanId") == kRoot);
  CHECK(s.Int("kind") == 3);  // CLIENT
  CHECK(s.Int("flags") == 0x101);
  CHECK(s.Str("startTimeUnixNano") == std::to_string(kFetchStart));
  CHECK(s.Str("endTimeUnixNano") == std::to_string(kNow));
  CHECK(s.Attr("aws.cloudfront.event_type") == "origin-request");
  CHECK_FALSE(s.HasAttr("aws.cloudfront.root_closed_at"));
  CHECK_FALSE(s.HasAttr("aws.cloudfront.cache_status"));
}

void CheckRootSpan(const SpanView& s) {
  CHECK(s.Str("traceId") == kTrace);
  CHECK(s.Str("spanId") == kRoot);
  CHECK_FALSE(s.Has("parentSpanId"));
  CHECK(s.Int("kind") == 2);  // SERVER
  CHECK(s.Int("flags") == 0x101);
  CHECK(s.Str("startTimeUnixNano") == std::to_string(kViewerStart));
  CHECK(s.Str("endTimeUnixNano") == std::to_string(kNow));
}

// ---- origin-response ------------------------------------------------------------------------

TEST_CASE("origin-response, ctx v2, 200: closes the CLIENT span only, stamps the response") {
  Edge edge(kAllFourConfig);
  const Closed r = edge.OnResponse(Trigger::kOriginResponse, Response(kFetchParent, kV2, "200"));
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 1);
  CheckFetchSpan(e.spans[0]);
  CHECK(e.spans[0].StatusCode() == -1);
  CHECK(StatusCodeAttr(e.spans[0]) == "200");
  CHECK(r.span_count == 1);
  CHECK(r.fill_action == HeaderChange::Action::kSet);
  CHECK(r.fill_stamp == Traceparent(kTrace, kFetch, "01"));
  CHECK(r.correlation_action == HeaderChange::Action::kKeep);
}

TEST_CASE("origin-response, origin pair: closes the root; no stamp (no viewer-response)") {
  Edge edge(ConfigFor(kOriginPair));
  const Closed r = edge.OnResponse(Trigger::kOriginResponse, Response(kRootParent, kV1, "200"));
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 1);
  CheckRootSpan(e.spans[0]);
  CHECK(e.spans[0].Attr("aws.cloudfront.event_type") == "origin-request");
  CHECK_FALSE(e.spans[0].HasAttr("aws.cloudfront.root_closed_at"));  // its normal closer
  CHECK_FALSE(e.spans[0].HasAttr("aws.cloudfront.cache_status"));
  CHECK(r.fill_action == HeaderChange::Action::kKeep);
  CHECK(r.fill_stamp.empty());
}

TEST_CASE("origin-response, origin pair, ctx v2 (an older all-four version's): no stamp") {
  // During a rollout from all four to the origin pair, origin-response may still meet the
  // version-2 context an older origin-request wrote. Nothing would remove a stamp before the
  // viewer sees it, and the cached object would carry it for every later viewer.
  Edge edge(ConfigFor(kOriginPair));
  const Closed r = edge.OnResponse(Trigger::kOriginResponse, Response(kFetchParent, kV2, "200"));
  CHECK(r.status == Status::kOk);
  CHECK(r.fill_action == HeaderChange::Action::kKeep);
  CHECK(r.fill_stamp.empty());
}

TEST_CASE("origin-response, ctx v2, 404: closes CLIENT (ERROR) and the root (not ERROR)") {
  Edge edge(kAllFourConfig);
  const Closed r = edge.OnResponse(Trigger::kOriginResponse, Response(kFetchParent, kV2, "404"));
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 2);
  CHECK(r.span_count == 2);
  CheckFetchSpan(e.spans[0]);
  CHECK(e.spans[0].StatusCode() == 2);  // a client span: 4xx is an error
  CheckRootSpan(e.spans[1]);
  CHECK(e.spans[1].StatusCode() == -1);  // a server span: 4xx is the client's problem
  CHECK(e.spans[1].Attr("aws.cloudfront.root_closed_at") == "origin-response");
  CHECK(e.spans[1].Attr("aws.cloudfront.cache_status") == "miss");
  CHECK(e.spans[1].Attr("aws.cloudfront.event_type") == "viewer-request");
  CHECK(StatusCodeAttr(e.spans[1]) == "404");
  CHECK(r.fill_action == HeaderChange::Action::kKeep);  // viewer-response will not run
}

TEST_CASE("origin-response, ctx v2, 503: both spans are ERROR, no stamp") {
  Edge edge(kAllFourConfig);
  const Closed r = edge.OnResponse(Trigger::kOriginResponse, Response(kFetchParent, kV2, "503"));
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 2);
  CHECK(e.spans[0].Str("spanId") == kFetch);
  CHECK(e.spans[0].StatusCode() == 2);
  CHECK(e.spans[1].Str("spanId") == kRoot);
  CHECK(e.spans[1].StatusCode() == 2);
  CHECK(e.spans[1].Attr("aws.cloudfront.root_closed_at") == "origin-response");
  CHECK(r.fill_action == HeaderChange::Action::kKeep);
}

TEST_CASE("origin-response, ctx v2 with a remote parent: the root is its child, CLIENT local") {
  Edge edge(kAllFourConfig);
  const std::string ctx = kV2 + "-" + std::string(kRemote);
  const Export e =
      ParseExport(edge.OnResponse(Trigger::kOriginResponse, Response(kFetchParent, ctx, "500")));
  REQUIRE(e.spans.size() == 2);
  CHECK(e.spans[0].Str("parentSpanId") == kRoot);
  CHECK(e.spans[0].Int("flags") == 0x101);
  CHECK(e.spans[1].Str("parentSpanId") == kRemote);
  CHECK(e.spans[1].Int("flags") == 0x301);
}

// ---- viewer-response: cache status ------------------------------------------------------------

Closed ViewerResponse(Edge& edge, std::string_view stamp, std::string_view status = "200",
                      std::string_view ctx = kV1, std::string_view traceparent = kRootParent) {
  RequestFields in = Response(traceparent, ctx, status);
  in.fill_stamp = stamp;
  return edge.OnResponse(Trigger::kViewerResponse, in);
}

TEST_CASE("viewer-response: a stamp of this trace and fetch: miss, no link") {
  Edge edge(kAllFourConfig);
  const Closed r = ViewerResponse(edge, Traceparent(kTrace, kFetch, "01"));
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 1);
  CheckRootSpan(e.spans[0]);
  CHECK(e.spans[0].Attr("aws.cloudfront.cache_status") == "miss");
  CHECK_FALSE(e.spans[0].Has("links"));
  CHECK_FALSE(e.spans[0].HasAttr("aws.cloudfront.root_closed_at"));  // its normal closer
  CHECK(e.spans[0].Attr("aws.cloudfront.event_type") == "viewer-request");
}

TEST_CASE("viewer-response: a stamp from another trace: hit, linked to the filling span") {
  constexpr std::string_view kOtherTrace = "0af7651916cd43dd8448eb211c80319c";
  constexpr std::string_view kOtherFetch = "b7ad6b7169203331";
  struct Case {
    std::string_view flags;
    int64_t link_flags;
  };
  for (const Case c : {Case{"01", 0x301}, Case{"03", 0x303}, Case{"00", 0x300}}) {
    CAPTURE(c.flags);
    Edge edge(kAllFourConfig);
    const Export e =
        ParseExport(ViewerResponse(edge, Traceparent(kOtherTrace, kOtherFetch, c.flags)));
    REQUIRE(e.spans.size() == 1);
    CHECK(e.spans[0].Str("spanId") == kRoot);
    CHECK(e.spans[0].Attr("aws.cloudfront.cache_status") == "hit");
    const json* links = Member(e.spans[0].span, "links");
    REQUIRE((links != nullptr && links->is_array() && links->size() == 1));
    CHECK(StringAt(Member(Element(links, 0), "traceId")) == kOtherTrace);
    CHECK(StringAt(Member(Element(links, 0), "spanId")) == kOtherFetch);
    CHECK(IntAt(Member(Element(links, 0), "flags")) == c.link_flags);
  }
}

TEST_CASE("viewer-response: a stamp of this trace but another request's fetch: hit + link") {
  Edge edge(kAllFourConfig);
  const std::string other_fetch = FetchOf("another-request-of-the-same-trace");
  const Export e = ParseExport(ViewerResponse(edge, Traceparent(kTrace, other_fetch, "01")));
  REQUIRE(e.spans.size() == 1);
  CHECK(e.spans[0].Attr("aws.cloudfront.cache_status") == "hit");
  const json* links = Member(e.spans[0].span, "links");
  REQUIRE((links != nullptr && links->is_array() && links->size() == 1));
  CHECK(StringAt(Member(Element(links, 0), "spanId")) == other_fetch);
}

TEST_CASE("viewer-response: no stamp is a hit with origin triggers, unknown without") {
  Edge all_four(kAllFourConfig);
  const Export hit = ParseExport(ViewerResponse(all_four, ""));
  REQUIRE(hit.spans.size() == 1);
  CHECK(hit.spans[0].Attr("aws.cloudfront.cache_status") == "hit");
  CHECK_FALSE(hit.spans[0].Has("links"));
  // A garbled stamp says nothing either.
  const Export garbled = ParseExport(ViewerResponse(all_four, "garbage"));
  REQUIRE(garbled.spans.size() == 1);
  CHECK(garbled.spans[0].Attr("aws.cloudfront.cache_status") == "hit");

  Edge viewer_pair(kViewerPairConfig);
  const Export unknown = ParseExport(ViewerResponse(viewer_pair, ""));
  REQUIRE(unknown.spans.size() == 1);
  CheckRootSpan(unknown.spans[0]);
  CHECK(unknown.spans[0].Attr("aws.cloudfront.cache_status") == "unknown");
}

TEST_CASE("viewer-response: 503 without a stamp is CloudFront's own error") {
  for (const std::string* config : {&kAllFourConfig, &kViewerPairConfig}) {
    CAPTURE(*config);
    Edge edge(*config);
    const Export e = ParseExport(ViewerResponse(edge, "", "503"));
    REQUIRE(e.spans.size() == 1);
    CHECK(e.spans[0].Attr("aws.cloudfront.cache_status") == "error");
    CHECK(e.spans[0].StatusCode() == 2);
  }
}

TEST_CASE("viewer-response, ctx v2: >= 400 was closed by origin-response; < 400 closes the root") {
  Edge edge(kAllFourConfig);
  for (std::string_view status : {"400", "404", "500", "503"}) {
    CAPTURE(status);
    CheckNothing(ViewerResponse(edge, "", status, kV2, kFetchParent));
  }
  const Closed r =
      ViewerResponse(edge, Traceparent(kTrace, kFetch, "01"), "200", kV2, kFetchParent);
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 1);
  CheckRootSpan(e.spans[0]);  // the root, from v2's root id and start
  CHECK(e.spans[0].Attr("aws.cloudfront.cache_status") == "miss");
  // No stamp, but version 2 says origin-request ran for this request: a miss all the same.
  const Export unstamped = ParseExport(ViewerResponse(edge, "", "200", kV2, kFetchParent));
  REQUIRE(unstamped.spans.size() == 1);
  CHECK(unstamped.spans[0].Attr("aws.cloudfront.cache_status") == "miss");
}

// ---- responses the wrapped handler generated or threw -----------------------------------------

TEST_CASE("viewer-request generated the response: the root closes there") {
  for (const std::string* config : {&kAllFourConfig, &kViewerPairConfig}) {
    CAPTURE(*config);
    Edge edge(*config);
    const Closed r = edge.OnResponse(Trigger::kViewerRequest, Response(kRootParent, kV1, "302"),
                                     kNow, Tracer::kClosedByGeneratedResponse);
    const Export e = ParseExport(r);
    REQUIRE(e.spans.size() == 1);
    CheckRootSpan(e.spans[0]);
    CHECK(e.spans[0].Attr("aws.cloudfront.root_closed_at") == "viewer-request");
    CHECK(e.spans[0].Attr("aws.cloudfront.response_source") == "viewer-request");
    CHECK_FALSE(e.spans[0].HasAttr("aws.cloudfront.cache_status"));
    CHECK(StatusCodeAttr(e.spans[0]) == "302");
    CHECK(e.spans[0].StatusCode() == -1);
    CHECK(r.fill_action == HeaderChange::Action::kKeep);
  }
}

TEST_CASE("origin-request generated the response: CLIENT closes there, the stamp is set") {
  Edge edge(kAllFourConfig);
  const Closed r = edge.OnResponse(Trigger::kOriginRequest, Response(kFetchParent, kV2, "200"),
                                   kNow, Tracer::kClosedByGeneratedResponse);
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 1);
  CheckFetchSpan(e.spans[0]);
  CHECK(e.spans[0].Attr("aws.cloudfront.response_source") == "origin-request");
  CHECK(r.fill_action == HeaderChange::Action::kSet);
  CHECK(r.fill_stamp == Traceparent(kTrace, kFetch, "01"));
}

TEST_CASE("a request-side trigger closes nothing unless the handler answered or threw") {
  Edge edge(kAllFourConfig);
  CheckNothing(edge.OnResponse(Trigger::kViewerRequest, Response(kRootParent, kV1), kNow, 0));
  CheckNothing(edge.OnResponse(Trigger::kOriginRequest, Response(kFetchParent, kV2), kNow, 0));
  Edge origin_pair(ConfigFor(kOriginPair));
  CheckNothing(origin_pair.OnResponse(Trigger::kViewerRequest, Response(kRootParent, kV1), kNow,
                                      Tracer::kClosedByGeneratedResponse));
}

void CheckThrown(const SpanView& s) {
  CHECK(s.StatusCode() == 2);
  CHECK(StringAt(Member(Member(s.span, "status"), "message")) == "edge function threw");
  const json* events = Member(s.span, "events");
  REQUIRE((events != nullptr && events->is_array() && events->size() == 1));
  const json* event = Element(events, 0);
  CHECK(StringAt(Member(event, "name")) == "exception");
  CHECK(StringAt(Member(event, "timeUnixNano")) == std::to_string(kNow));
  const json* attributes = Member(event, "attributes");
  CHECK(StringAttribute(attributes, "exception.type") == "TypeError");
  CHECK(StringAttribute(attributes, "exception.message") == "x is not a function");
  CHECK_FALSE(s.HasAttr("aws.cloudfront.response_source"));  // it answered nothing
}

RequestFields Thrown(std::string_view traceparent, std::string_view ctx) {
  RequestFields in = Response(traceparent, ctx, "");
  in.exception_type = "TypeError";
  in.exception_message = "x is not a function";
  return in;
}

TEST_CASE("viewer-request threw: the root closes with ERROR and an exception event") {
  Edge edge(kAllFourConfig);
  const Export e = ParseExport(edge.OnResponse(Trigger::kViewerRequest, Thrown(kRootParent, kV1),
                                               kNow, Tracer::kClosedByThrow));
  REQUIRE(e.spans.size() == 1);
  CheckRootSpan(e.spans[0]);
  CheckThrown(e.spans[0]);
  CHECK(e.spans[0].Attr("aws.cloudfront.root_closed_at") == "viewer-request");
}

TEST_CASE("origin-request threw: CLIENT and root close, both ERROR with the exception") {
  Edge edge(kAllFourConfig);
  const Closed r = edge.OnResponse(Trigger::kOriginRequest, Thrown(kFetchParent, kV2), kNow,
                                   Tracer::kClosedByThrow);
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 2);
  CheckFetchSpan(e.spans[0]);
  CheckThrown(e.spans[0]);
  CheckRootSpan(e.spans[1]);
  CheckThrown(e.spans[1]);
  CHECK(e.spans[1].Attr("aws.cloudfront.root_closed_at") == "origin-request");
  CHECK(r.fill_action == HeaderChange::Action::kKeep);  // nothing gets cached
}

TEST_CASE("origin-response threw: CloudFront skips viewer-response, so the root closes too") {
  Edge edge(kAllFourConfig);
  RequestFields in = Thrown(kFetchParent, kV2);
  in.response_status = "200";
  const Closed r = edge.OnResponse(Trigger::kOriginResponse, in, kNow, Tracer::kClosedByThrow);
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 2);
  CheckFetchSpan(e.spans[0]);
  CheckThrown(e.spans[0]);
  CheckRootSpan(e.spans[1]);
  CheckThrown(e.spans[1]);
  CHECK(e.spans[1].Attr("aws.cloudfront.root_closed_at") == "origin-response");
  CHECK(r.fill_action == HeaderChange::Action::kKeep);
}

// ---- correlation header ---------------------------------------------------------------------

TEST_CASE("propagation.responseHeader: traceresponse / server-timing carry the root's context") {
  const std::string root_context = Traceparent(kTrace, kRoot, "01");
  struct Case {
    std::string_view mode;
    std::string expected;  // empty: no header
  };
  for (const Case& c :
       {Case{"traceresponse", root_context},
        Case{"server-timing", "traceparent;desc=\"" + root_context + "\""}, Case{"none", ""}}) {
    CAPTURE(c.mode);
    Edge edge(
        ConfigFor(kAllFour, R"("propagation":{"responseHeader":")" + std::string(c.mode) + "\"}"));
    const auto check = [&c](const Closed& r) {
      REQUIRE(r.status == Status::kOk);
      if (c.expected.empty()) {
        CHECK(r.correlation_action == HeaderChange::Action::kKeep);
      } else {
        CHECK(r.correlation_action == HeaderChange::Action::kSet);
        CHECK(r.correlation == c.expected);
      }
    };
    check(ViewerResponse(edge, Traceparent(kTrace, kFetch, "01")));
    // The root closed at viewer-request: that response goes to the viewer as well.
    check(edge.OnResponse(Trigger::kViewerRequest, Response(kRootParent, kV1, "403"), kNow,
                          Tracer::kClosedByGeneratedResponse));
    // Never at origin-response, whose response is what gets cached, even when the root closes.
    for (std::string_view status : {"200", "404"}) {
      CAPTURE(status);
      const Closed origin =
          edge.OnResponse(Trigger::kOriginResponse, Response(kFetchParent, kV2, status));
      REQUIRE(origin.status == Status::kOk);
      CHECK(origin.correlation_action == HeaderChange::Action::kKeep);
    }
  }
}

// ---- keepErrors -----------------------------------------------------------------------------

TEST_CASE("keepErrors: an unsampled request ending in 5xx at origin-response is exported") {
  const std::string unsampled = Traceparent(kTrace, kRoot, "02");
  Edge edge(ConfigFor(kOriginPair, R"("sampling":{"ratio":0,"keepErrors":true})"));
  const Export e =
      ParseExport(edge.OnResponse(Trigger::kOriginResponse, Response(unsampled, kV1, "503")));
  REQUIRE(e.spans.size() == 1);
  CHECK(e.spans[0].Str("spanId") == kRoot);
  CHECK(e.spans[0].Int("flags") == 0x102);  // still unsampled, as the origin was told
  CHECK(BoolAttribute(e.spans[0].attributes(), "edgetrace.sampling.kept_error") == "true");
  CHECK(e.spans[0].StatusCode() == 2);
  for (std::string_view status : {"200", "404", "499"}) {
    CAPTURE(status);
    CheckNothing(edge.OnResponse(Trigger::kOriginResponse, Response(unsampled, kV1, status)));
  }
}

TEST_CASE("keepErrors, all four: both spans kept at origin-response, nothing at viewer-response") {
  Edge edge(ConfigFor(kAllFour, R"("sampling":{"ratio":0,"keepErrors":true})"));
  const std::string fetch_unsampled = Traceparent(kTrace, kFetch, "02");
  const Closed r = edge.OnResponse(Trigger::kOriginResponse, Response(fetch_unsampled, kV2, "502"));
  const Export e = ParseExport(r);
  REQUIRE(e.spans.size() == 2);
  for (const SpanView& s : e.spans)
    CHECK(BoolAttribute(s.attributes(), "edgetrace.sampling.kept_error") == "true");
  CHECK(r.fill_action == HeaderChange::Action::kKeep);
  // An unsampled 200 leaves no stamp and exports nothing.
  CheckNothing(edge.OnResponse(Trigger::kOriginResponse, Response(fetch_unsampled, kV2, "200")));
  // Only the origin's error is kept: viewer-response never exports an unsampled root.
  CheckNothing(ViewerResponse(edge, "", "503", kV1, Traceparent(kTrace, kRoot, "02")));
}

TEST_CASE("keepErrors: a sampled request is not marked kept") {
  Edge edge(ConfigFor(kOriginPair, R"("sampling":{"keepErrors":true})"));
  const Export e =
      ParseExport(edge.OnResponse(Trigger::kOriginResponse, Response(kRootParent, kV1, "503")));
  REQUIRE(e.spans.size() == 1);
  CHECK(BoolAttribute(e.spans[0].attributes(), "edgetrace.sampling.kept_error") == "<absent>");
}

}  // namespace
}  // namespace edge
