#include "edge/propagation/xray.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace edge {
namespace {

// The AWS X-Ray developer guide's tracing header example.
constexpr std::string_view kRoot = "1-5759e988-bd862e3fe1be46a994272793";
constexpr std::string_view kParent = "53995c3f42cd8ad8";
constexpr std::string_view kValid =
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
constexpr std::string_view kTraceIdHex = "5759e988bd862e3fe1be46a994272793";

std::string Header(std::string_view root, std::string_view parent, std::string_view sampled) {
  return "Root=" + std::string(root) + ";Parent=" + std::string(parent) +
         ";Sampled=" + std::string(sampled);
}

std::string WithRoot(std::string_view root) { return Header(root, kParent, "1"); }
std::string WithParent(std::string_view parent) { return Header(kRoot, parent, "1"); }
std::string WithSampled(std::string_view sampled) { return Header(kRoot, kParent, sampled); }

void CheckRejected(std::string_view header) {
  const XRayHeader parsed = ParseXRayHeader(header);
  CHECK_FALSE(parsed.IsValid());
  CHECK_FALSE(parsed.IsRootOnly());
  // The sentinel is fully empty, never half-parsed.
  CHECK_FALSE(parsed.trace_id.IsValid());
  CHECK_FALSE(parsed.parent_id.IsValid());
  CHECK(parsed.sampling == XRaySampling::kUnknown);
  CHECK(parsed.lineage.empty());
  CHECK(parsed.extra_field_count == 0);
}

void CheckExample(std::string_view header) {
  const XRayHeader parsed = ParseXRayHeader(header);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(parsed.parent_id == SpanId::FromHex(kParent));
  CHECK(parsed.sampling == XRaySampling::kSampled);
}

std::string Format(const TraceId& trace_id, const SpanId& parent_id, bool sampled,
                   std::string_view lineage = {}, size_t capacity = XRayHeader::kMaxHeaderSize) {
  std::string out(capacity, '?');
  out.resize(FormatXRayHeader(trace_id, parent_id, sampled, lineage, out.data(), capacity));
  return out;
}

TEST_CASE("xray: the AWS documentation example parses") {
  const XRayHeader parsed = ParseXRayHeader(kValid);
  REQUIRE(parsed.IsValid());
  CHECK_FALSE(parsed.IsRootOnly());
  CHECK(parsed.sampling == XRaySampling::kSampled);
  CHECK(parsed.lineage.empty());
  CHECK(parsed.extra_field_count == 0);
}

TEST_CASE("xray: the trace id maps to W3C by concatenating the 8 + 24 digits") {
  CHECK(ParseXRayHeader(kValid).trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(ParseXRayHeader(kValid).parent_id == SpanId::FromHex(kParent));
}

TEST_CASE("xray: Sampled=0 is a not-sampled decision") {
  const XRayHeader parsed = ParseXRayHeader(WithSampled("0"));
  REQUIRE(parsed.IsValid());
  CHECK(parsed.sampling == XRaySampling::kNotSampled);
}

TEST_CASE("xray: Sampled=? defers the decision and keeps the ids") {
  const XRayHeader parsed = ParseXRayHeader(WithSampled("?"));
  REQUIRE(parsed.IsValid());
  CHECK(parsed.sampling == XRaySampling::kUnknown);
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
}

TEST_CASE("xray: an absent Sampled defers the decision and keeps the ids") {
  const XRayHeader parsed =
      ParseXRayHeader("Root=" + std::string(kRoot) + ";Parent=" + std::string(kParent));
  REQUIRE(parsed.IsValid());
  CHECK(parsed.sampling == XRaySampling::kUnknown);
}

TEST_CASE("xray: other Sampled values are invalid") {
  for (const char* sampled : {"", "2", "10", "01", "true", "S", "-1", "\x01"}) {
    CAPTURE(sampled);
    CheckRejected(WithSampled(sampled));
  }
}

TEST_CASE("xray: Root is required") {
  CheckRejected("Parent=53995c3f42cd8ad8;Sampled=1");
  CheckRejected("Sampled=1");
  CheckRejected("Sampled=?;Lineage=a87bd80c:1;Foo=bar");
}

TEST_CASE("xray: without Parent the header is root-only, not a parent") {
  // The AWS docs' "tracing header with root trace ID and sampling decision".
  const XRayHeader parsed = ParseXRayHeader("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
  CHECK_FALSE(parsed.IsValid());
  REQUIRE(parsed.IsRootOnly());
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(parsed.sampling == XRaySampling::kSampled);
  CHECK(ParseXRayHeader("Root=" + std::string(kRoot)).IsRootOnly());
}

TEST_CASE("xray: fields may come in any order") {
  CheckExample("Sampled=1;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793");
  CheckExample("Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
}

TEST_CASE("xray: OWS around parts and around '=' is ignored") {
  CheckExample(" Root=1-5759e988-bd862e3fe1be46a994272793 ;\tParent=53995c3f42cd8ad8; Sampled=1\t");
  CheckExample("Root = 1-5759e988-bd862e3fe1be46a994272793;Parent\t=\t53995c3f42cd8ad8;Sampled= 1");
  CheckExample(
      "  \t Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1 \t ");
}

TEST_CASE("xray: whitespace other than SP and HTAB is not trimmed") {
  for (const char* ws : {"\n", "\r", "\v", "\f", "\xc2\xa0"}) {
    CAPTURE(ws);
    CheckRejected(std::string(ws) + std::string(kValid));
    CheckRejected(std::string(kValid) + ws);
    CheckRejected(WithParent(std::string(kParent) + ws));
  }
}

TEST_CASE("xray: whitespace inside a value is invalid") {
  CheckRejected(WithRoot("1-5759e988-bd862e3f e1be46a99427279"));
  CheckRejected(WithParent("53995c3f 42cd8ad8"));
}

TEST_CASE("xray: empty parts and a trailing ';' are skipped") {
  CheckExample(std::string(kValid) + ";");
  CheckExample(";;" + std::string(kValid) + ";; ;\t;");
  CheckExample("Root=1-5759e988-bd862e3fe1be46a994272793;;Parent=53995c3f42cd8ad8;;;Sampled=1");
}

TEST_CASE("xray: keys are case-sensitive") {
  CheckRejected("root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  CheckRejected("ROOT=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  const XRayHeader no_parent =
      ParseXRayHeader("Root=1-5759e988-bd862e3fe1be46a994272793;parent=53995c3f42cd8ad8");
  CHECK(no_parent.IsRootOnly());
  CHECK(ParseXRayHeader(std::string(kValid.substr(0, 64)) + ";sampled=1").sampling ==
        XRaySampling::kUnknown);
}

TEST_CASE("xray: a key that only starts with a known key is a different key") {
  const XRayHeader parsed = ParseXRayHeader(std::string(kValid) + ";RootX=1-00000000-0;Parents=0");
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(parsed.parent_id == SpanId::FromHex(kParent));
  CheckRejected("RootX=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
}

TEST_CASE("xray: a repeated Root, Parent or Sampled is invalid, even with the same value") {
  CheckRejected(std::string(kValid) + ";Root=" + std::string(kRoot));
  CheckRejected(std::string(kValid) + ";Root=1-00000000-000000000000000000000001");
  CheckRejected(std::string(kValid) + ";Parent=" + std::string(kParent));
  CheckRejected(std::string(kValid) + ";Sampled=1");
  CheckRejected(std::string(kValid) + ";Sampled=?");
}

TEST_CASE("xray: a context field without '=' is invalid") {
  CheckRejected("Root;Parent=53995c3f42cd8ad8;Sampled=1");
  CheckRejected(std::string(kValid.substr(0, 64)) + ";Sampled");
  CheckRejected("Root=1-5759e988-bd862e3fe1be46a994272793;Parent;Sampled=1");
}

TEST_CASE("xray: Root version must be 1") {
  CheckRejected(WithRoot("2-5759e988-bd862e3fe1be46a994272793"));
  CheckRejected(WithRoot("0-5759e988-bd862e3fe1be46a994272793"));
  CheckRejected(WithRoot("a-5759e988-bd862e3fe1be46a994272793"));
}

TEST_CASE("xray: Root must be 1-<8 hex>-<24 hex>") {
  CheckRejected(WithRoot("1-5759e98-bd862e3fe1be46a994272793"));     // 7-digit epoch
  CheckRejected(WithRoot("1-05759e988-bd862e3fe1be46a99427279"));    // 9-digit epoch
  CheckRejected(WithRoot("1-5759e988-bd862e3fe1be46a99427279"));     // 23-digit unique
  CheckRejected(WithRoot("1-5759e988-bd862e3fe1be46a9942727930"));   // 25-digit unique
  CheckRejected(WithRoot("1-5759e988-bd862e3fe1be46a994272793-1"));  // trailing field
  CheckRejected(WithRoot(""));
}

TEST_CASE("xray: Root delimiters must be '-'") {
  CheckRejected(WithRoot("1_5759e988-bd862e3fe1be46a994272793"));
  CheckRejected(WithRoot("1-5759e988_bd862e3fe1be46a994272793"));
  CheckRejected(WithRoot("1-5759e9880bd862e3fe1be46a994272793"));
}

TEST_CASE("xray: upper-case hex is invalid") {
  CheckRejected(WithRoot("1-5759E988-bd862e3fe1be46a994272793"));
  CheckRejected(WithRoot("1-5759e988-BD862E3FE1BE46A994272793"));
  CheckRejected(WithParent("53995C3F42CD8AD8"));
}

TEST_CASE("xray: non-hex digits are invalid") {
  CheckRejected(WithRoot("1-5759g988-bd862e3fe1be46a994272793"));
  CheckRejected(WithRoot("1-5759e988-bd862e3fe1be46a99427279x"));
  CheckRejected(WithParent("53995c3f42cd8adz"));
  CheckRejected(WithParent("+3995c3f42cd8ad8"));
}

TEST_CASE("xray: an all-zero trace id is invalid") {
  CheckRejected(WithRoot("1-00000000-000000000000000000000000"));
}

TEST_CASE("xray: a zero epoch with a non-zero unique part is valid") {
  const XRayHeader parsed = ParseXRayHeader(WithRoot("1-00000000-000000000000000000000001"));
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex("00000000000000000000000000000001"));
}

TEST_CASE("xray: Parent must be 16 hex digits") {
  CheckRejected(WithParent("53995c3f42cd8ad"));
  CheckRejected(WithParent("53995c3f42cd8ad80"));
  CheckRejected(WithParent(""));
}

TEST_CASE("xray: an all-zero Parent is invalid") { CheckRejected(WithParent("0000000000000000")); }

TEST_CASE("xray: headers longer than 256 bytes are invalid") {
  std::string header = std::string(kValid) + ";Pad=";
  header.resize(XRayHeader::kMaxHeaderSize, 'x');
  CHECK(ParseXRayHeader(header).IsValid());
  CheckRejected(header + "x");
  CheckRejected(header + " ");
}

TEST_CASE("xray: empty and garbage headers are invalid") {
  CheckRejected("");
  CheckRejected(";");
  CheckRejected(" ");
  CheckRejected("=");
  CheckRejected("garbage");
  CheckRejected("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST_CASE("xray: Lineage is kept, V1 and V2") {
  const std::string v1 = std::string(kValid) + ";Lineage=a87bd80c:1|68fd508a:5|c512fbe3:2";
  CHECK(ParseXRayHeader(v1).lineage == "a87bd80c:1|68fd508a:5|c512fbe3:2");
  const std::string v2 = std::string(kValid) + "; Lineage = 1:a87bd80c:0 ";
  CHECK(ParseXRayHeader(v2).lineage == "1:a87bd80c:0");
  CHECK(ParseXRayHeader("Lineage=12326a9d:0;" + std::string(kValid)).lineage == "12326a9d:0");
}

TEST_CASE("xray: a malformed Lineage is dropped and the header stays valid") {
  const std::string too_long(XRayHeader::kMaxLineageSize + 1, '1');
  for (const std::string& lineage :
       {std::string(""), std::string("A87BD80C:1"), std::string("a87bd80c: 1"),
        std::string(":a87bd80c:1"), std::string("a87bd80c:1|"), std::string("x"), too_long}) {
    CAPTURE(lineage);
    const std::string header = std::string(kValid) + ";Lineage=" + lineage;
    const XRayHeader parsed = ParseXRayHeader(header);
    CHECK(parsed.IsValid());
    CHECK(parsed.lineage.empty());
  }
  const std::string longest(XRayHeader::kMaxLineageSize, '1');
  CHECK(ParseXRayHeader(std::string(kValid) + ";Lineage=" + longest).lineage == longest);
}

TEST_CASE("xray: only the first well-formed Lineage is kept") {
  // Views point into the header: it must outlive the result.
  const std::string header =
      std::string(kValid) + ";Lineage=bad!;Lineage=1:a87bd80c:0;Lineage=2:b:1";
  const XRayHeader parsed = ParseXRayHeader(header);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.lineage == "1:a87bd80c:0");
}

TEST_CASE("xray: unknown key=value parts are kept in order, OWS trimmed") {
  const XRayHeader parsed = ParseXRayHeader(
      "CalledFrom=app; Root=1-5759e988-bd862e3fe1be46a994272793;k = v=w ;"
      "Parent=53995c3f42cd8ad8;Empty=;Sampled=1");
  REQUIRE(parsed.IsValid());
  REQUIRE(parsed.extra_field_count == 3);
  CHECK(parsed.extra_fields[0].key == "CalledFrom");
  CHECK(parsed.extra_fields[0].value == "app");
  CHECK(parsed.extra_fields[1].key == "k");
  CHECK(parsed.extra_fields[1].value == "v=w");
  CHECK(parsed.extra_fields[2].key == "Empty");
  CHECK(parsed.extra_fields[2].value.empty());
}

TEST_CASE("xray: Self is dropped") {
  const std::string header = "Self=1-67891234-12456789abcdef012345678;" + std::string(kValid);
  const XRayHeader parsed = ParseXRayHeader(header);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.extra_field_count == 0);
}

TEST_CASE("xray: case variants of the known keys are dropped") {
  const std::string header =
      std::string(kValid) + ";root=x;PARENT=y;sampled=1;lineage=1:a87bd80c:0;SELF=z;Keep=1";
  const XRayHeader parsed = ParseXRayHeader(header);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.lineage.empty());
  REQUIRE(parsed.extra_field_count == 1);
  CHECK(parsed.extra_fields[0].key == "Keep");
}

TEST_CASE("xray: malformed unknown parts are dropped and the header stays valid") {
  const std::string header =
      std::string(kValid) + ";novalue;=v;a b=c;k(1)=v;k=a b;k=\x01;k=\xc3\xa9;Good=1";
  const XRayHeader parsed = ParseXRayHeader(header);
  REQUIRE(parsed.IsValid());
  REQUIRE(parsed.extra_field_count == 1);
  CHECK(parsed.extra_fields[0].key == "Good");
}

TEST_CASE("xray: at most kMaxExtraFields unknown parts are kept") {
  std::string header(kValid);
  for (size_t i = 0; i < XRayHeader::kMaxExtraFields + 3; ++i) {
    header += ";K" + std::to_string(i) + "=" + std::to_string(i);
  }
  const XRayHeader parsed = ParseXRayHeader(header);
  REQUIRE(parsed.IsValid());
  REQUIRE(parsed.extra_field_count == XRayHeader::kMaxExtraFields);
  CHECK(parsed.extra_fields[0].key == "K0");
  CHECK(parsed.extra_fields[XRayHeader::kMaxExtraFields - 1].key == "K7");
}

TEST_CASE("xray: views point into the parsed header") {
  const std::string header = std::string(kValid) + ";Lineage=1:a87bd80c:0;Foo=bar";
  const XRayHeader parsed = ParseXRayHeader(header);
  REQUIRE(parsed.extra_field_count == 1);
  CHECK(parsed.lineage.data() == header.data() + header.find("1:a87bd80c:0"));
  CHECK(parsed.extra_fields[0].value.data() == header.data() + header.size() - 3);
}

TEST_CASE("xray format: writes Root, Parent and Sampled") {
  const TraceId trace_id = TraceId::FromHex(kTraceIdHex);
  const SpanId parent_id = SpanId::FromHex(kParent);
  CHECK(Format(trace_id, parent_id, true) == kValid);
  CHECK(Format(trace_id, parent_id, false) == WithSampled("0"));
  CHECK(Format(trace_id, parent_id, true).size() == XRayHeader::kContextSize);
}

TEST_CASE("xray format: appends a valid Lineage and leaves an invalid one out") {
  const TraceId trace_id = TraceId::FromHex(kTraceIdHex);
  const SpanId parent_id = SpanId::FromHex(kParent);
  CHECK(Format(trace_id, parent_id, true, "1:a87bd80c:0") ==
        std::string(kValid) + ";Lineage=1:a87bd80c:0");
  CHECK(Format(trace_id, parent_id, true, "1:a87bd80c:0;Root=x") == kValid);
  CHECK(Format(trace_id, parent_id, true, "A") == kValid);
}

TEST_CASE("xray format: invalid ids write nothing") {
  CHECK(Format(TraceId(), SpanId::FromHex(kParent), true).empty());
  CHECK(Format(TraceId::FromHex(kTraceIdHex), SpanId(), true).empty());
}

TEST_CASE("xray format: returns 0 when the output does not fit") {
  const TraceId trace_id = TraceId::FromHex(kTraceIdHex);
  const SpanId parent_id = SpanId::FromHex(kParent);
  CHECK(Format(trace_id, parent_id, true, {}, XRayHeader::kContextSize - 1).empty());
  CHECK(Format(trace_id, parent_id, true, {}, XRayHeader::kContextSize) == kValid);
  CHECK(Format(trace_id, parent_id, true, "1:a87bd80c:0", XRayHeader::kContextSize).empty());
}

TEST_CASE("xray format: extra fields are appended in order while they fit") {
  const TraceId trace_id = TraceId::FromHex(kTraceIdHex);
  const SpanId parent_id = SpanId::FromHex(kParent);
  const XRayHeader::Field extra[] = {
      {"A", "1"}, {"Self", "x"}, {"b c", "2"}, {"C", "3"}, {"D", "4"}};
  char out[XRayHeader::kMaxHeaderSize];
  size_t n = FormatXRayHeader(trace_id, parent_id, true, {}, extra, 5, out, sizeof(out));
  CHECK(std::string_view(out, n) == std::string(kValid) + ";A=1;C=3;D=4");
  // Room for ";A=1;C=3" only: D and everything after the first misfit is dropped.
  n = FormatXRayHeader(trace_id, parent_id, true, {}, extra, 5, out, XRayHeader::kContextSize + 9);
  CHECK(std::string_view(out, n) == std::string(kValid) + ";A=1;C=3");
}

TEST_CASE("xray format: never writes more than kMaxHeaderSize") {
  const std::string big(200, 'v');
  const XRayHeader::Field extra[] = {{"Small", "1"}, {"Big", big}, {"After", "2"}};
  char out[XRayHeader::kMaxHeaderSize * 2];
  const size_t n = FormatXRayHeader(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kParent), false,
                                    {}, extra, 3, out, sizeof(out));
  CHECK(std::string_view(out, n) == WithSampled("0") + ";Small=1");
}

TEST_CASE("xray format: the output parses back to the same header") {
  const XRayHeader in = ParseXRayHeader(
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;"
      "Lineage=a87bd80c:1|68fd508a:5;Self=1-1-1;CalledFrom=app;x=y");
  REQUIRE(in.IsValid());
  char out[XRayHeader::kMaxHeaderSize];
  const size_t n = FormatXRayHeader(in.trace_id, in.parent_id, false, in.lineage, in.extra_fields,
                                    in.extra_field_count, out, sizeof(out));
  const std::string_view formatted(out, n);
  CHECK(formatted ==
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0;"
        "Lineage=a87bd80c:1|68fd508a:5;CalledFrom=app;x=y");
  const XRayHeader back = ParseXRayHeader(formatted);
  REQUIRE(back.IsValid());
  CHECK(back.trace_id == in.trace_id);
  CHECK(back.parent_id == in.parent_id);
  CHECK(back.sampling == XRaySampling::kNotSampled);
  CHECK(back.lineage == in.lineage);
  CHECK(back.extra_field_count == 2);
}

}  // namespace
}  // namespace edge
