// origin-request: continue or start the trace, decide sampling once, and say which trace
// headers go to the origin (traceparent, tracestate, x-edgetrace-ctx).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "edge/tracer.h"
#include "support/fixed_random_source.h"

namespace edge {
namespace {

constexpr int64_t kNow = 1700000000123456789;  // 2023-11-14T22:13:20.123456789Z
constexpr RuntimeInfo kRuntime{"eu-west-1", "us-east-1.edgetrace-origin", "7"};

// The W3C Trace Context example parent.
constexpr std::string_view kParentTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kParentSpanId = "00f067aa0ba902b7";
std::string Parent(std::string_view flags) {
  return "00-" + std::string(kParentTraceId) + "-" + std::string(kParentSpanId) + "-" +
         std::string(flags);
}

// CountingRandomSource(0) hands out 00 01 02 ...: a new trace gets trace id 00..0f and span id
// 10..17; a continued trace draws only the span id, 00..07.
constexpr std::string_view kNewTraceId = "000102030405060708090a0b0c0d0e0f";
constexpr std::string_view kNewSpanId = "1011121314151617";
constexpr std::string_view kContinuedSpanId = "0001020304050607";

std::string Config(std::string_view ratio, bool trust_incoming, bool xray = false) {
  return std::string(R"({"sampling":{"ratio":)") + std::string(ratio) +
         R"(},"propagation":{"trustIncoming":)" + (trust_incoming ? "true" : "false") +
         R"(},"ids":{"xrayCompatible":)" + (xray ? "true" : "false") + "}}";
}

struct Edge {
  explicit Edge(const std::string& config, uint8_t first_random_byte = 0)
      : random(first_random_byte), tracer(random) {
    std::string error;
    CAPTURE(config);
    REQUIRE(tracer.Configure(config, kRuntime, error) == Status::kOk);
  }
  RequestDecision Request(const RequestFields& in, int64_t now = kNow) {
    RequestDecision out;
    REQUIRE(tracer.OnOriginRequest(in, now, out) == Status::kOk);
    return out;
  }
  testing::CountingRandomSource random;
  Tracer tracer;
};

RequestFields Incoming(std::string_view traceparent, std::string_view tracestate = {}) {
  RequestFields in;
  in.traceparent = traceparent;
  in.tracestate = tracestate;
  in.method = "GET";
  in.uri = "/index.html";
  in.host = "d111111abcdef8.cloudfront.net";
  return in;
}

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
bool IsSet(const HeaderChange& h) { return h.action == HeaderChange::Action::kSet; }
bool IsRemove(const HeaderChange& h) {
  return h.action == HeaderChange::Action::kRemove && h.value.empty();
}
bool IsKeep(const HeaderChange& h) { return h.action == HeaderChange::Action::kKeep; }
std::string ValueOf(const HeaderChange& h) { return IsSet(h) ? std::string(h.value) : "<not set>"; }
// The tracestate the origin receives: a kept header is the incoming one, unchanged.
std::string Forwarded(const HeaderChange& h, std::string_view incoming) {
  return IsKeep(h) ? std::string(incoming) : ValueOf(h);
}
std::string Traceparent(std::string_view trace_id, std::string_view span_id,
                        std::string_view flags) {
  return "00-" + std::string(trace_id) + "-" + std::string(span_id) + "-" + std::string(flags);
}

// Invariants of every decision: traceparent always set and valid, its sampled bit agrees with
// `sampled`, edge context always set (the response side reads its presence as "the request
// side saw this request"), values printable ASCII.
void CheckWellFormed(const RequestDecision& d) {
  REQUIRE(IsSet(d.traceparent));
  CHECK(d.traceparent.value.size() == TraceParent::kHeaderSize);
  const TraceParent tp = ParseTraceParent(d.traceparent.value);
  REQUIRE(tp.IsValid());
  CHECK(tp.sampled() == d.sampled);
  CHECK((tp.flags & ~trace_flags::kKnownMask) == 0);
  CHECK(IsSet(d.edge_context));
  CHECK((IsSet(d.tracestate) || IsRemove(d.tracestate) || IsKeep(d.tracestate)));
  for (const HeaderChange* h : {&d.traceparent, &d.tracestate, &d.edge_context}) {
    CAPTURE(h->value);
    CHECK(IsPrintableAscii(h->value));  // no CR/LF, nothing CloudFront would reject
  }
  if (IsSet(d.tracestate)) {
    CHECK(d.tracestate.value.size() <= TraceState::kPropagateLimit);
    CHECK(TraceState::Parse(d.tracestate.value).valid());
  }
}

TEST_CASE("origin-request: before Configure the call is kNotConfigured and decides nothing") {
  testing::FixedRandomSource random(0x42);
  Tracer tracer(random);
  CHECK_FALSE(tracer.configured());
  RequestDecision out;
  out.sampled = true;
  out.traceparent = HeaderChange::Set("stale");
  CHECK(tracer.OnOriginRequest(Incoming(Parent("01")), kNow, out) == Status::kNotConfigured);
  CHECK(out.traceparent.action == HeaderChange::Action::kKeep);
  CHECK(out.tracestate.action == HeaderChange::Action::kKeep);
  CHECK(out.edge_context.action == HeaderChange::Action::kKeep);
  CHECK_FALSE(out.sampled);
  CHECK(random.fill_calls() == 0);
}

TEST_CASE("origin-request: a new trace at ratio 1 is sampled, flags 03, ot=th:0, edge context") {
  Edge edge(Config("1", false));
  const RequestDecision d = edge.Request(Incoming(""));
  CheckWellFormed(d);
  CHECK(d.sampled);
  CHECK(ValueOf(d.traceparent) == Traceparent(kNewTraceId, kNewSpanId, "03"));
  CHECK(ValueOf(d.tracestate) == "ot=th:0");
  CHECK(ValueOf(d.edge_context) == "1-1700000000123456789");  // root: no remote parent
}

TEST_CASE("origin-request: ratio 0 never samples; the random flag is still set on the new trace") {
  Edge edge(Config("0", false), 0xff);  // the highest randomness there is
  const RequestDecision d = edge.Request(Incoming(""));
  CheckWellFormed(d);
  CHECK_FALSE(d.sampled);
  CHECK(ValueOf(d.traceparent) ==
        Traceparent("ff000102030405060708090a0b0c0d0e", "0f10111213141516", "02"));
  CHECK(IsRemove(d.tracestate));
  CHECK(IsSet(d.edge_context));  // sampled or not
}

TEST_CASE("origin-request: ratio 0.25 samples by the trace id's low 56 bits, ot=th:c") {
  SUBCASE("low 56 bits 0x090a0b0c0d0e0f are below the threshold 0xc0000000000000") {
    Edge edge(Config("0.25", false), 0x00);
    const RequestDecision d = edge.Request(Incoming(""));
    CheckWellFormed(d);
    CHECK_FALSE(d.sampled);
    CHECK(ValueOf(d.traceparent) == Traceparent(kNewTraceId, kNewSpanId, "02"));
    CHECK(IsRemove(d.tracestate));  // no th: for a trace that was not sampled
    CHECK(IsSet(d.edge_context));   // sampled or not
  }
  SUBCASE("low 56 bits 0xc9cacbcccdcecf are at or above it") {
    Edge edge(Config("0.25", false), 0xc0);
    const RequestDecision d = edge.Request(Incoming(""));
    CheckWellFormed(d);
    CHECK(d.sampled);
    CHECK(ValueOf(d.traceparent) ==
          Traceparent("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "d0d1d2d3d4d5d6d7", "03"));
    CHECK(ValueOf(d.tracestate) == "ot=th:c");
    CHECK(ValueOf(d.edge_context) == "1-1700000000123456789");
  }
}

TEST_CASE("origin-request: other ratios record their threshold with trailing zeros dropped") {
  // Low 56 bits 0xf9fafbfcfdfeff: sampled at both ratios.
  Edge half(Config("0.5", false), 0xf0);
  CHECK(ValueOf(half.Request(Incoming("")).tracestate) == "ot=th:8");
  Edge tenth(Config("0.1", false), 0xf0);
  CHECK(ValueOf(tenth.Request(Incoming("")).tracestate) == "ot=th:e6666666666666");
}

TEST_CASE("origin-request: trustIncoming off ignores a valid incoming traceparent and tracestate") {
  Edge edge(Config("1", false));
  const RequestDecision d = edge.Request(Incoming(Parent("01"), "congo=t61rcWkgMzE"));
  CheckWellFormed(d);
  CHECK(d.sampled);
  CHECK(ValueOf(d.traceparent) == Traceparent(kNewTraceId, kNewSpanId, "03"));
  CHECK(ValueOf(d.tracestate) == "ot=th:0");  // the client's state is not ours to forward
  CHECK(ValueOf(d.edge_context) == "1-1700000000123456789");  // and its parent is no parent
}

TEST_CASE("origin-request: trustIncoming off does not follow an unsampled incoming parent") {
  Edge edge(Config("1", false));
  const RequestDecision d = edge.Request(Incoming(Parent("00")));
  CHECK(d.sampled);
  CHECK(ValueOf(d.traceparent) == Traceparent(kNewTraceId, kNewSpanId, "03"));
}

TEST_CASE("origin-request: trustIncoming on continues a valid sampled parent") {
  Edge edge(Config("1", true));
  const RequestDecision d =
      edge.Request(Incoming(Parent("01"), "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
  CheckWellFormed(d);
  CHECK(d.sampled);
  // Same trace, a new span id for the edge span; the random flag is not ours to claim.
  CHECK(ValueOf(d.traceparent) == Traceparent(kParentTraceId, kContinuedSpanId, "01"));
  // The vendor state is kept as it came (the header is left alone), and no th: is added:
  // the edge did not decide.
  CHECK(IsKeep(d.tracestate));
  CHECK(ValueOf(d.edge_context) == "1-1700000000123456789-00f067aa0ba902b7");
}

TEST_CASE("origin-request: a trusted parent's random flag is kept, unknown flag bits dropped") {
  struct Case {
    std::string_view in;
    std::string_view out;
  };
  for (const Case c : {Case{"01", "01"}, Case{"03", "03"}, Case{"09", "01"}, Case{"ff", "03"},
                       Case{"fd", "01"}, Case{"02", "02"}, Case{"00", "00"}, Case{"fc", "00"}}) {
    CAPTURE(c.in);
    Edge edge(Config("1", true));
    const RequestDecision d = edge.Request(Incoming(Parent(c.in)));
    CheckWellFormed(d);
    CHECK(ValueOf(d.traceparent) == Traceparent(kParentTraceId, kContinuedSpanId, c.out));
  }
}

TEST_CASE("origin-request: an unsampled trusted parent wins over ratio 1") {
  Edge edge(Config("1", true), 0xff);
  const RequestDecision d = edge.Request(Incoming(Parent("00"), "congo=t61rcWkgMzE"));
  CheckWellFormed(d);
  CHECK_FALSE(d.sampled);
  CHECK(ValueOf(d.traceparent) == Traceparent(kParentTraceId, "ff00010203040506", "00"));
  CHECK(IsKeep(d.tracestate));   // still forwarded downstream, untouched
  CHECK(IsSet(d.edge_context));  // sampled or not
}

TEST_CASE("origin-request: a sampled trusted parent wins over ratio 0") {
  Edge edge(Config("0", true));
  const RequestDecision d = edge.Request(Incoming(Parent("01")));
  CheckWellFormed(d);
  CHECK(d.sampled);
  CHECK(ValueOf(d.traceparent) == Traceparent(kParentTraceId, kContinuedSpanId, "01"));
  CHECK(IsRemove(d.tracestate));  // nothing came in, nothing decided here
  CHECK(ValueOf(d.edge_context) == "1-1700000000123456789-00f067aa0ba902b7");
}

TEST_CASE(
    "origin-request: an invalid incoming traceparent starts a new trace, tracestate dropped") {
  const std::string invalid[] = {
      "garbage",
      Parent("01").substr(0, 54),                                  // too short
      Parent("01") + "-",                                          // version 00 with extra data
      "ff" + Parent("01").substr(2),                               // version ff
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // upper case
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // zero parent id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",   // bad flags
      Parent("01") + "," + Parent("01"),                           // two headers joined
      "00- 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // inner whitespace
      "\v" + Parent("01"),                                         // not OWS
  };
  for (const std::string& header : invalid) {
    CAPTURE(header);
    Edge edge(Config("1", true));
    const RequestDecision d = edge.Request(Incoming(header, "congo=t61rcWkgMzE"));
    CheckWellFormed(d);
    CHECK(d.sampled);
    CHECK(ValueOf(d.traceparent) == Traceparent(kNewTraceId, kNewSpanId, "03"));
    CHECK(ValueOf(d.tracestate) == "ot=th:0");
    CHECK(ValueOf(d.edge_context) == "1-1700000000123456789");
  }
}

TEST_CASE("origin-request: optional whitespace around the traceparent is not part of it") {
  for (const std::string& header :
       {" " + Parent("01"), Parent("01") + " ", "\t " + Parent("01") + " \t"}) {
    CAPTURE(header);
    Edge edge(Config("1", true));
    const RequestDecision d = edge.Request(Incoming(header));
    CheckWellFormed(d);
    CHECK(ValueOf(d.traceparent) == Traceparent(kParentTraceId, kContinuedSpanId, "01"));
    CHECK(ValueOf(d.edge_context) == "1-1700000000123456789-00f067aa0ba902b7");
  }
}

TEST_CASE("origin-request: a higher-version traceparent is continued and re-emitted as 00") {
  Edge edge(Config("1", true));
  const std::string header = "cc-" + Parent("01").substr(3) + "-what-the-future-adds";
  const RequestDecision d = edge.Request(Incoming(header));
  CheckWellFormed(d);
  CHECK(ValueOf(d.traceparent) == Traceparent(kParentTraceId, kContinuedSpanId, "01"));
}

TEST_CASE("origin-request: a tracestate without a traceparent continues nothing") {
  Edge edge(Config("1", true));
  const RequestDecision d = edge.Request(Incoming("", "congo=t61rcWkgMzE"));
  CheckWellFormed(d);
  CHECK(ValueOf(d.traceparent) == Traceparent(kNewTraceId, kNewSpanId, "03"));
  CHECK(ValueOf(d.tracestate) == "ot=th:0");
}

TEST_CASE("origin-request: a continued tracestate is normalised: OWS and empty members go") {
  Edge edge(Config("1", true));
  const RequestDecision d =
      edge.Request(Incoming(Parent("01"), " congo=t61rcWkgMzE ,,\t, rojo=00f067aa0ba902b7\t,"));
  CheckWellFormed(d);
  CHECK(ValueOf(d.tracestate) == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
}

TEST_CASE("origin-request: a continued tracestate keeps an upstream ot entry untouched") {
  Edge edge(Config("0.25", true));
  const RequestDecision d = edge.Request(Incoming(Parent("01"), "ot=th:8;rv:01020304050607,a=b"));
  CHECK(Forwarded(d.tracestate, "ot=th:8;rv:01020304050607,a=b") ==
        "ot=th:8;rv:01020304050607,a=b");
  CHECK(IsKeep(d.tracestate));
}

TEST_CASE("origin-request: an invalid or empty continued tracestate is removed") {
  for (std::string_view state :
       {std::string_view(""), std::string_view(" , ,"), std::string_view("A=1"),
        std::string_view("novalue"), std::string_view("a=1,a=2"), std::string_view("a=b=c"),
        std::string_view("a=1,B=2"), std::string_view("a= "), std::string_view("a=x\r\ny")}) {
    CAPTURE(state);
    Edge edge(Config("1", true));
    const RequestDecision d = edge.Request(Incoming(Parent("01"), state));
    CheckWellFormed(d);
    CHECK(d.sampled);  // a bad tracestate alone never invalidates the traceparent
    CHECK(ValueOf(d.traceparent) == Traceparent(kParentTraceId, kContinuedSpanId, "01"));
    CHECK(IsRemove(d.tracestate));
  }
}

TEST_CASE("origin-request: more than 32 tracestate members is invalid and removed") {
  std::string state;
  for (int i = 0; i < 33; ++i) state += (i ? ",k" : "k") + std::to_string(i) + "=v";
  Edge edge(Config("1", true));
  CHECK(IsRemove(edge.Request(Incoming(Parent("01"), state)).tracestate));
}

TEST_CASE("origin-request: a tracestate over 512 chars drops long members first") {
  const std::string long_member = "aa=" + std::string(250, 'x');  // > 128 chars
  const std::string shorts = "bb=" + std::string(100, 'y') + ",cc=" + std::string(100, 'z') +
                             ",dd=" + std::string(100, 'w');
  Edge edge(Config("1", true));
  const RequestDecision d = edge.Request(Incoming(Parent("01"), long_member + "," + shorts));
  CheckWellFormed(d);
  CHECK(ValueOf(d.tracestate) == shorts);
}

TEST_CASE("origin-request: a tracestate over 512 chars of short members is cut from the right") {
  std::string state;
  std::string expected;
  for (int i = 10; i < 42; ++i) {  // 32 members of 24 chars each: 799 chars
    const std::string member = "k" + std::to_string(i) + "=" + std::string(20, 'v');
    state += (state.empty() ? "" : ",") + member;
    if (i < 30) expected += (expected.empty() ? "" : ",") + member;  // 20 fit: 20*24+19 = 499
  }
  REQUIRE(state.size() == 799);
  Edge edge(Config("1", true));
  const RequestDecision d = edge.Request(Incoming(Parent("01"), state));
  CheckWellFormed(d);
  CHECK(ValueOf(d.tracestate) == expected);
}

TEST_CASE("regression: a client-sent x-edgetrace-ctx is always replaced") {
  RequestFields in = Incoming("");
  in.edge_context = "1-1-ffffffffffffffff";  // a forged span start and parent
  Edge sampled(Config("1", false));
  CHECK(ValueOf(sampled.Request(in).edge_context) == "1-1700000000123456789");
  Edge unsampled(Config("0", false));
  CHECK(ValueOf(unsampled.Request(in).edge_context) == "1-1700000000123456789");
}

TEST_CASE("origin-request: the edge context records the time of this call") {
  Edge edge(Config("1", false));
  CHECK(ValueOf(edge.Request(Incoming(""), 1).edge_context) == "1-1");
  CHECK(ValueOf(edge.Request(Incoming(""), 9223372036854775807).edge_context) ==
        "1-9223372036854775807");
}

TEST_CASE(
    "origin-request: xrayCompatible trace ids lead with the epoch seconds, random flag kept") {
  Edge edge(Config("1", false, true));
  const RequestDecision d = edge.Request(Incoming(""));
  CheckWellFormed(d);
  // 1700000000 s = 0x6553f100; the other 12 bytes are random, which still satisfies the W3C
  // random flag's 7 right-most bytes.
  CHECK(ValueOf(d.traceparent) ==
        Traceparent("6553f100000102030405060708090a0b", "0c0d0e0f10111213", "03"));
}

TEST_CASE("origin-request: consecutive requests get different ids") {
  Edge edge(Config("1", false));
  const std::string first = ValueOf(edge.Request(Incoming("")).traceparent);
  const std::string second = ValueOf(edge.Request(Incoming("")).traceparent);
  CHECK(first != second);
  CHECK(first.substr(3, 32) != second.substr(3, 32));
  CHECK(first.substr(36, 16) != second.substr(36, 16));
}

TEST_CASE("origin-request: header values outlive the request fields they were built from") {
  Edge edge(Config("1", true));
  RequestDecision d;
  {
    std::string traceparent = Parent("01");
    std::string tracestate = "congo=t61rcWkgMzE ,";  // not canonical: rewritten, not kept
    RequestFields in = Incoming(traceparent, tracestate);
    REQUIRE(edge.tracer.OnOriginRequest(in, kNow, d) == Status::kOk);
    traceparent.assign(traceparent.size(), 'X');
    tracestate.assign(tracestate.size(), 'X');
  }
  CHECK(ValueOf(d.traceparent) == Traceparent(kParentTraceId, kContinuedSpanId, "01"));
  CHECK(ValueOf(d.tracestate) == "congo=t61rcWkgMzE");
  CHECK(ValueOf(d.edge_context) == "1-1700000000123456789-00f067aa0ba902b7");
}

TEST_CASE("origin-request: a previous decision's fields are reset on every call") {
  Edge edge(Config("0.25", true), 0x00);
  RequestDecision d;
  REQUIRE(edge.tracer.OnOriginRequest(Incoming(Parent("01"), "a=b"), kNow, d) == Status::kOk);
  CHECK(d.sampled);
  REQUIRE(edge.tracer.OnOriginRequest(Incoming(""), kNow, d) == Status::kOk);
  CheckWellFormed(d);
  CHECK_FALSE(d.sampled);
  CHECK(IsRemove(d.tracestate));
  CHECK(IsSet(d.edge_context));  // sampled or not
}

}  // namespace
}  // namespace edge
