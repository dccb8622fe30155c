// request_headers.cc: the headers the trigger that sends the request to the origin writes.
// Besides traceparent / tracestate / x-edgetrace-ctx, the other propagation formats must name
// the edge's span and decision or be absent: a client's own b3, x-b3-* or X-Amzn-Trace-Id
// left next to edgetrace's traceparent would let an origin that reads them follow the client.
#include <string>
#include <string_view>

#include "trigger_harness.h"

namespace edge {
namespace {

using namespace trigger_test;

// What a client sends in every other format: sampled, with its own ids.
RequestFields WithClientContext() {
  RequestFields in = Request();
  in.xray = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  in.b3 = "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1";
  in.b3_trace_id = "80f198ee56343ba864fe8b2a57d3eff7";
  in.b3_span_id = "e457b5a2e4d86bd1";
  in.b3_sampled = "1";
  in.b3_flags = "1";
  return in;
}

// The request at origin-request, all four deployed: viewer-request's headers forwarded by the
// origin request policy, next to the client's own other formats.
RequestFields AtOrigin(const Decided& viewer, RequestFields in) {
  in.traceparent = viewer.traceparent;
  in.tracestate = viewer.tracestate;
  in.edge_context = viewer.edge_context;
  return in;
}

void CheckAllRemoved(const RequestDecision& d) {
  CHECK(IsRemove(d.xray));
  CHECK(IsRemove(d.b3));
  CHECK(IsRemove(d.b3_trace_id));
  CHECK(IsRemove(d.b3_span_id));
  CHECK(IsRemove(d.b3_sampled));
}

TEST_CASE("to the origin, ignore and ids-only remove every other format the client sent") {
  for (const std::string_view trust : {"ignore", "ids-only"}) {
    for (const std::string_view triggers : {kOriginPair, kViewerPair, kAllFour}) {
      CAPTURE(trust);
      CAPTURE(triggers);
      Edge edge(ConfigFor(triggers, R"("sampling":{"ratio":0},"propagation":{"trust":")" +
                                        std::string(trust) + R"(","extract":["b3","xray"]})"));
      const Trigger first =
          triggers == kOriginPair ? Trigger::kOriginRequest : Trigger::kViewerRequest;
      const Decided r = edge.OnRequest(first, WithClientContext(), kViewerStart);
      REQUIRE(r.status == Status::kOk);
      CHECK_FALSE(r.d.sampled);  // the client's Sampled=1, b3 "-1" and x-b3-flags are not followed
      if (triggers == kAllFour) {
        // viewer-request does not send to the origin: origin-request writes what goes there.
        const Decided o =
            edge.OnRequest(Trigger::kOriginRequest, AtOrigin(r, WithClientContext()), kFetchStart);
        REQUIRE(o.status == Status::kOk);
        CheckAllRemoved(o.d);
      } else {
        CheckAllRemoved(r.d);
      }
    }
  }
}

TEST_CASE("to the origin, the default configuration removes them too (extract tracecontext only)") {
  Edge edge(ConfigFor(kOriginPair));
  const Decided r = edge.OnRequest(Trigger::kOriginRequest, WithClientContext(), kViewerStart);
  REQUIRE(r.status == Status::kOk);
  CheckAllRemoved(r.d);
}

TEST_CASE("honor: a format edgetrace does not read passes untouched, a read one is replaced") {
  Edge tracecontext_only(ConfigFor(kOriginPair, R"("propagation":{"trust":"honor"})"));
  const Decided untouched =
      tracecontext_only.OnRequest(Trigger::kOriginRequest, WithClientContext(), kViewerStart);
  CHECK(IsKeep(untouched.d.xray));
  CHECK(IsKeep(untouched.d.b3));
  CHECK(IsKeep(untouched.d.b3_trace_id));

  // Extracted b3 names the client's span, not the edge's: gone, while X-Ray, not read, stays.
  Edge b3(ConfigFor(kOriginPair, R"("propagation":{"trust":"honor","extract":["b3"]})"));
  const Decided r = b3.OnRequest(Trigger::kOriginRequest, WithClientContext(), kViewerStart);
  REQUIRE(r.status == Status::kOk);
  CHECK(r.d.sampled);  // honoured
  CHECK(IsKeep(r.d.xray));
  CHECK(IsRemove(r.d.b3));
  CHECK(IsRemove(r.d.b3_trace_id));
  CHECK(IsRemove(r.d.b3_span_id));
  CHECK(IsRemove(r.d.b3_sampled));
}

TEST_CASE("injected formats are set to the edge's span; the rest removed") {
  Edge edge(ConfigFor(kOriginPair, R"("propagation":{"inject":["b3multi"]})"));
  const Decided r = edge.OnRequest(Trigger::kOriginRequest, WithClientContext(), kViewerStart);
  REQUIRE(r.status == Status::kOk);
  const std::string root = RootOf(kRequestId);
  CHECK(ValueOf(r.d.b3_trace_id) == TraceOf(kRequestId));
  CHECK(ValueOf(r.d.b3_span_id) == root);
  CHECK(ValueOf(r.d.b3_sampled) == "1");
  CHECK(IsRemove(r.d.b3));
  CHECK(IsRemove(r.d.xray));
}

TEST_CASE("triggers that do not send to the origin leave the other formats alone") {
  // All four: viewer-request's request reaches the origin only through origin-request.
  Edge edge(ConfigFor(kAllFour));
  const Decided r = edge.OnRequest(Trigger::kViewerRequest, WithClientContext(), kViewerStart);
  REQUIRE(r.status == Status::kOk);
  CHECK(IsKeep(r.d.xray));
  CHECK(IsKeep(r.d.b3));
  CHECK(IsKeep(r.d.b3_trace_id));
}

}  // namespace
}  // namespace edge
