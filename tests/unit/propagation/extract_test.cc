#include "edge/propagation/extract.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "edge/config.h"

namespace edge {
namespace {

namespace fb = format_bits;

// One trace per format, so the winner is visible from the ids alone.
constexpr std::string_view kTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr std::string_view kW3cTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kW3cParentId = "00f067aa0ba902b7";

constexpr std::string_view kXRay =
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;"
    "Lineage=a87bd80c:1|68fd508a:5";
constexpr std::string_view kXRayTraceId = "5759e988bd862e3fe1be46a994272793";
constexpr std::string_view kXRayParentId = "53995c3f42cd8ad8";
constexpr std::string_view kXRayLineage = "a87bd80c:1|68fd508a:5";

constexpr std::string_view kB3 = "80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-1";
constexpr std::string_view kB3TraceId = "80f198ee56343ba864fe8b2a57d3eff7";
constexpr std::string_view kB3SpanId = "05e3ac9a4f6e3b90";

constexpr std::string_view kMultiTraceId = "463ac35c9f6413ad48485a3953bb6124";
constexpr std::string_view kMultiSpanId = "a2fb4a1d1a96d312";

IncomingHeaders AllFormats() {
  IncomingHeaders in;
  in.traceparent = kTraceParent;
  in.xray = kXRay;
  in.b3 = kB3;
  in.b3_trace_id = kMultiTraceId;
  in.b3_span_id = kMultiSpanId;
  in.b3_sampled = "1";
  return in;
}

template <size_t N>
ExtractedContext Extract(const IncomingHeaders& in, const uint8_t (&order)[N]) {
  return ExtractContext(in, order, N);
}

void CheckParent(const ExtractedContext& got, std::string_view trace_id,
                 std::string_view parent_id) {
  REQUIRE(got.IsValid());
  CHECK(got.parent.trace_id == TraceId::FromHex(trace_id));
  CHECK(got.parent.parent_id == SpanId::FromHex(parent_id));
}

void CheckNothing(const ExtractedContext& got) {
  CHECK_FALSE(got.IsValid());
  CHECK_FALSE(got.parent.trace_id.IsValid());
  CHECK(got.format == 0);
  CHECK_FALSE(got.has_decision);
  CHECK(got.parent.flags == 0);
}

// ---------------------------------------------------------------------------------------------
// Order

TEST_CASE("extract: tracecontext first wins when both it and X-Ray are present") {
  const ExtractedContext got = Extract(AllFormats(), {fb::kTraceContext, fb::kXRay});
  CheckParent(got, kW3cTraceId, kW3cParentId);
  CHECK(got.format == fb::kTraceContext);
  CHECK(got.xray_lineage.empty());
  CHECK_FALSE(got.root_only_trace_id.IsValid());
}

TEST_CASE("extract: X-Ray first wins when both it and tracecontext are present") {
  const ExtractedContext got = Extract(AllFormats(), {fb::kXRay, fb::kTraceContext});
  CheckParent(got, kXRayTraceId, kXRayParentId);
  CHECK(got.format == fb::kXRay);
  CHECK(got.xray_lineage == kXRayLineage);
}

TEST_CASE("extract: each format alone, in any position") {
  const uint8_t order[] = {fb::kB3Multi, fb::kB3Single, fb::kXRay, fb::kTraceContext};
  CheckParent(Extract(AllFormats(), order), kMultiTraceId, kMultiSpanId);
  CHECK(Extract(AllFormats(), order).format == fb::kB3Multi);
  CheckParent(Extract(AllFormats(), {fb::kB3Single}), kB3TraceId, kB3SpanId);
  CHECK(Extract(AllFormats(), {fb::kB3Single}).format == fb::kB3Single);
}

TEST_CASE("extract: falls back when the first format is invalid or absent") {
  IncomingHeaders in = AllFormats();
  in.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01";  // zero parent
  ExtractedContext got = Extract(in, {fb::kTraceContext, fb::kXRay});
  CheckParent(got, kXRayTraceId, kXRayParentId);
  CHECK(got.format == fb::kXRay);

  in.traceparent = {};
  got = Extract(in, {fb::kTraceContext, fb::kXRay});
  CHECK(got.format == fb::kXRay);

  in = AllFormats();
  in.xray = "Root=1-5759E988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  got = Extract(in, {fb::kXRay, fb::kB3Single, fb::kTraceContext});
  CheckParent(got, kB3TraceId, kB3SpanId);
  CHECK(got.format == fb::kB3Single);
  CHECK(got.xray_lineage.empty());  // the failed X-Ray header leaves nothing behind
}

TEST_CASE("extract: a format not in the order is never read") {
  IncomingHeaders in = AllFormats();
  in.traceparent = "garbage";
  CheckNothing(Extract(in, {fb::kTraceContext}));
  CheckNothing(ExtractContext(AllFormats(), nullptr, 0));
  const uint8_t order[] = {fb::kTraceContext};
  CheckNothing(ExtractContext(AllFormats(), order, 0));
  CheckNothing(Extract(AllFormats(), {0}));
  CheckNothing(Extract(AllFormats(), {0x10, 0x80}));  // unknown bits
}

TEST_CASE("extract: no headers at all gives nothing") {
  CheckNothing(
      Extract(IncomingHeaders{}, {fb::kTraceContext, fb::kXRay, fb::kB3Single | fb::kB3Multi}));
}

TEST_CASE("extract: an entry with several formats tries them in the fixed order") {
  // tracecontext, X-Ray, B3 single, B3 multi, whatever the bit pattern's spelling.
  const uint8_t all = fb::kB3Multi | fb::kB3Single | fb::kXRay | fb::kTraceContext;
  CHECK(Extract(AllFormats(), {all}).format == fb::kTraceContext);
  IncomingHeaders in = AllFormats();
  in.traceparent = {};
  CHECK(Extract(in, {all}).format == fb::kXRay);
  in.xray = {};
  CHECK(Extract(in, {all}).format == fb::kB3Single);
  in.b3 = {};
  CHECK(Extract(in, {all}).format == fb::kB3Multi);
}

// ---------------------------------------------------------------------------------------------
// B3

TEST_CASE("extract: b3 single is preferred over multi in one entry") {
  const ExtractedContext got = Extract(AllFormats(), {fb::kB3Single | fb::kB3Multi});
  CheckParent(got, kB3TraceId, kB3SpanId);
  CHECK(got.format == fb::kB3Single);
}

TEST_CASE("extract: b3 multi is used when b3 single is absent, invalid or decision-only") {
  for (const std::string_view single : {std::string_view(), std::string_view("garbage"),
                                        std::string_view("0"), std::string_view("d")}) {
    CAPTURE(single);
    IncomingHeaders in = AllFormats();
    in.b3 = single;
    const ExtractedContext got = Extract(in, {fb::kB3Single | fb::kB3Multi});
    CheckParent(got, kMultiTraceId, kMultiSpanId);
    CHECK(got.format == fb::kB3Multi);
  }
}

TEST_CASE("extract: b3 sampling state maps to the sampled flag and has_decision") {
  struct Case {
    std::string_view suffix;
    bool sampled;
    bool has_decision;
  };
  for (const Case& c : {Case{"-1", true, true}, Case{"-d", true, true}, Case{"-0", false, true},
                        Case{"", false, false}}) {
    const std::string header = std::string(kB3TraceId) + "-" + std::string(kB3SpanId) +
                               std::string(c.suffix) + "-e457b5a2e4d86bd1";
    CAPTURE(header);
    IncomingHeaders in;
    in.b3 = header;
    const ExtractedContext got = Extract(in, {fb::kB3Single});
    CheckParent(got, kB3TraceId, kB3SpanId);  // the sender's span id, not its parent
    CHECK(got.parent.sampled() == c.sampled);
    CHECK((got.parent.flags & trace_flags::kRandom) == 0);
    CHECK(got.parent.flags == (c.sampled ? trace_flags::kSampled : 0));
    CHECK(got.has_decision == c.has_decision);
  }
}

TEST_CASE("extract: b3 multi sampled / flags map to the sampled flag and has_decision") {
  struct Case {
    std::string_view sampled_header, flags_header;
    bool sampled;
    bool has_decision;
  };
  for (const Case& c :
       {Case{"1", "", true, true}, Case{"0", "", false, true}, Case{"true", "", true, true},
        Case{"", "1", true, true}, Case{"0", "1", true, true}, Case{"", "", false, false},
        Case{"", "0", false, false}}) {
    CAPTURE(c.sampled_header);
    CAPTURE(c.flags_header);
    IncomingHeaders in;
    in.b3_trace_id = kMultiTraceId;
    in.b3_span_id = kMultiSpanId;
    in.b3_sampled = c.sampled_header;
    in.b3_flags = c.flags_header;
    const ExtractedContext got = Extract(in, {fb::kB3Multi});
    CheckParent(got, kMultiTraceId, kMultiSpanId);
    CHECK(got.parent.sampled() == c.sampled);
    CHECK(got.parent.flags == (c.sampled ? trace_flags::kSampled : 0));
    CHECK(got.has_decision == c.has_decision);
  }
}

TEST_CASE("extract: b3 multi with a malformed sampled value, or missing ids, gives nothing") {
  IncomingHeaders in;
  in.b3_trace_id = kMultiTraceId;
  in.b3_span_id = kMultiSpanId;
  in.b3_sampled = "yes";
  CheckNothing(Extract(in, {fb::kB3Multi}));
  in.b3_sampled = "1";
  in.b3_span_id = {};
  CheckNothing(Extract(in, {fb::kB3Multi}));
  in.b3_trace_id = {};
  CheckNothing(Extract(in, {fb::kB3Multi}));  // a decision alone is not a parent
}

TEST_CASE("extract: a 64-bit b3 trace id is left-padded") {
  IncomingHeaders in;
  in.b3 = "a3ce929d0e0e4736-05e3ac9a4f6e3b90-1";
  CheckParent(Extract(in, {fb::kB3Single}), "0000000000000000a3ce929d0e0e4736", kB3SpanId);
}

TEST_CASE("extract: OWS around b3 values is trimmed at the boundary, other whitespace is not") {
  IncomingHeaders in;
  const std::string padded = " \t" + std::string(kB3) + "\t ";
  in.b3 = padded;
  CheckParent(Extract(in, {fb::kB3Single}), kB3TraceId, kB3SpanId);

  IncomingHeaders multi;
  const std::string trace = " " + std::string(kMultiTraceId);
  const std::string span = std::string(kMultiSpanId) + "\t";
  multi.b3_trace_id = trace;
  multi.b3_span_id = span;
  multi.b3_sampled = " 0 ";
  multi.b3_flags = "  ";
  const ExtractedContext got = Extract(multi, {fb::kB3Multi});
  CheckParent(got, kMultiTraceId, kMultiSpanId);
  CHECK(got.has_decision);
  CHECK_FALSE(got.parent.sampled());

  const std::string crlf = std::string(kB3) + "\r\n";
  in.b3 = crlf;
  CheckNothing(Extract(in, {fb::kB3Single}));
}

// ---------------------------------------------------------------------------------------------
// tracecontext

TEST_CASE("extract: tracecontext always has a decision and keeps its flags as received") {
  IncomingHeaders in;
  for (const std::string_view flags : {"00", "01", "02", "03", "ff"}) {
    CAPTURE(flags);
    const std::string header = "00-" + std::string(kW3cTraceId) + "-" + std::string(kW3cParentId) +
                               "-" + std::string(flags);
    in.traceparent = header;
    const ExtractedContext got = Extract(in, {fb::kTraceContext});
    CheckParent(got, kW3cTraceId, kW3cParentId);
    CHECK(got.has_decision);
    CHECK(got.parent.flags == static_cast<uint8_t>(std::stoi(std::string(flags), nullptr, 16)));
  }
}

TEST_CASE("extract: OWS around traceparent is trimmed, as the triggers did before") {
  IncomingHeaders in;
  const std::string padded = "\t " + std::string(kTraceParent) + " ";
  in.traceparent = padded;
  CheckParent(Extract(in, {fb::kTraceContext}), kW3cTraceId, kW3cParentId);
  const std::string upper = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
  in.traceparent = upper;
  CheckNothing(Extract(in, {fb::kTraceContext}));
}

TEST_CASE("extract: tracestate is left to the caller") {
  IncomingHeaders in;
  in.tracestate = "congo=t61rcWkgMzE";
  CheckNothing(Extract(in, {fb::kTraceContext}));  // not a context by itself
  in.traceparent = kTraceParent;
  in.tracestate = "not a valid tracestate";
  CheckParent(Extract(in, {fb::kTraceContext}), kW3cTraceId, kW3cParentId);
}

// ---------------------------------------------------------------------------------------------
// X-Ray

TEST_CASE("extract: X-Ray Sampled maps to the sampled flag and has_decision") {
  struct Case {
    std::string_view sampled_part;
    bool sampled;
    bool has_decision;
  };
  for (const Case& c : {Case{";Sampled=1", true, true}, Case{";Sampled=0", false, true},
                        Case{";Sampled=?", false, false}, Case{"", false, false}}) {
    const std::string header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8" +
                               std::string(c.sampled_part);
    CAPTURE(header);
    IncomingHeaders in;
    in.xray = header;
    const ExtractedContext got = Extract(in, {fb::kXRay});
    CheckParent(got, kXRayTraceId, kXRayParentId);
    CHECK(got.parent.flags == (c.sampled ? trace_flags::kSampled : 0));  // never kRandom
    CHECK(got.has_decision == c.has_decision);
    CHECK(got.xray_lineage.empty());
  }
}

TEST_CASE("extract: the X-Ray Lineage is a view into the header, only when valid") {
  IncomingHeaders in;
  in.xray = kXRay;
  const ExtractedContext got = Extract(in, {fb::kXRay});
  CHECK(got.xray_lineage == kXRayLineage);
  CHECK(got.xray_lineage.data() >= in.xray.data());
  CHECK(got.xray_lineage.data() + got.xray_lineage.size() <= in.xray.data() + in.xray.size());

  const std::string bad =
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;"
      "Sampled=1;Lineage=NOT:VALID";
  in.xray = bad;
  CHECK(Extract(in, {fb::kXRay}).xray_lineage.empty());
}

TEST_CASE("extract: X-Ray OWS is handled by its parser") {
  IncomingHeaders in;
  const std::string spaced =
      " Root=1-5759e988-bd862e3fe1be46a994272793 ; Parent=53995c3f42cd8ad8;"
      "Sampled = 1 ";
  in.xray = spaced;
  const ExtractedContext got = Extract(in, {fb::kXRay});
  CheckParent(got, kXRayTraceId, kXRayParentId);
  CHECK(got.parent.sampled());
}

TEST_CASE("extract: root-only X-Ray does not win, but its trace id is reported") {
  IncomingHeaders in;
  in.xray = "Root=1-67891233-abcdef012345678912345678;Sampled=1;Lineage=12326a9d:0";
  ExtractedContext got = Extract(in, {fb::kTraceContext, fb::kXRay, fb::kB3Single});
  CheckNothing(got);
  CHECK(got.root_only_trace_id == TraceId::FromHex("67891233abcdef012345678912345678"));
  CHECK(got.xray_lineage == "12326a9d:0");

  // A later format that gives a parent wins, and the root-only id is not reported.
  in.b3 = kB3;
  got = Extract(in, {fb::kXRay, fb::kB3Single});
  CheckParent(got, kB3TraceId, kB3SpanId);
  CHECK(got.format == fb::kB3Single);
  CHECK_FALSE(got.root_only_trace_id.IsValid());
  CHECK(got.xray_lineage.empty());

  // X-Ray not in the order: not reported either.
  in.b3 = {};
  got = Extract(in, {fb::kTraceContext, fb::kB3Single});
  CHECK_FALSE(got.root_only_trace_id.IsValid());
}

TEST_CASE("extract: a malformed X-Ray header reports no root-only trace id") {
  IncomingHeaders in;
  in.xray = "Root=1-67891233-abcdef012345678912345678;Root=1-67891233-abcdef012345678912345679";
  const ExtractedContext got = Extract(in, {fb::kXRay});
  CheckNothing(got);
  CHECK_FALSE(got.root_only_trace_id.IsValid());
}

}  // namespace
}  // namespace edge
