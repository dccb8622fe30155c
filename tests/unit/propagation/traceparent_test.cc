#include "edge/propagation/traceparent.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace edge {
namespace {

// The W3C Trace Context example header.
constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr std::string_view kTraceIdHex = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view kParentIdHex = "00f067aa0ba902b7";

// kValid with one character replaced.
std::string With(size_t pos, char c) {
  std::string header(kValid);
  header[pos] = c;
  return header;
}

std::string WithVersion(std::string_view version) {
  return std::string(version) + std::string(kValid.substr(2));
}

void CheckRejected(std::string_view header) {
  const TraceParent parsed = ParseTraceParent(header);
  CHECK_FALSE(parsed.IsValid());
  // The sentinel is fully empty, never half-parsed.
  CHECK_FALSE(parsed.trace_id.IsValid());
  CHECK_FALSE(parsed.parent_id.IsValid());
  CHECK(parsed.flags == 0);
}

std::string Format(const TraceId& trace_id, const SpanId& span_id, uint8_t flags) {
  std::string out(TraceParent::kHeaderSize, '?');
  FormatTraceParent(trace_id, span_id, flags, out.data());
  return out;
}

TEST_CASE("traceparent: the W3C example parses") {
  const TraceParent parsed = ParseTraceParent(kValid);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(parsed.parent_id == SpanId::FromHex(kParentIdHex));
  CHECK(parsed.flags == 0x01);
  CHECK(parsed.sampled());
}

TEST_CASE("traceparent: empty header is invalid") { CheckRejected(""); }

TEST_CASE("traceparent: shorter than 55 chars is invalid") {
  CheckRejected(kValid.substr(0, TraceParent::kHeaderSize - 1));
}

TEST_CASE("traceparent: version 00 with trailing data is invalid") {
  CheckRejected(std::string(kValid) + "-");
  CheckRejected(std::string(kValid) + "-00");
  CheckRejected(std::string(kValid) + "0");
}

TEST_CASE("traceparent: version ff is invalid") {
  CheckRejected(WithVersion("ff"));
  CheckRejected(WithVersion("ff") + "-00");
}

TEST_CASE("traceparent: upper-case version is invalid") { CheckRejected(WithVersion("0A")); }

TEST_CASE("traceparent: non-hex version is invalid") {
  CheckRejected(WithVersion("0g"));
  CheckRejected(WithVersion("-0"));
}

TEST_CASE("traceparent: each delimiter must be '-'") {
  CheckRejected(With(2, '_'));
  CheckRejected(With(35, '_'));
  CheckRejected(With(52, '_'));
}

TEST_CASE("traceparent: upper-case trace-id is invalid") {
  CheckRejected("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01");
  CheckRejected(With(34, 'A'));
}

TEST_CASE("traceparent: upper-case parent-id is invalid") {
  CheckRejected("00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01");
}

TEST_CASE("traceparent: upper-case flags are invalid") {
  CheckRejected("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A");
}

TEST_CASE("traceparent: non-hex trace-id is invalid") { CheckRejected(With(3, 'x')); }

TEST_CASE("traceparent: non-hex parent-id is invalid") { CheckRejected(With(51, 'x')); }

TEST_CASE("traceparent: non-hex flags are invalid") {
  CheckRejected(With(53, 'x'));
  CheckRejected(With(54, ' '));
}

TEST_CASE("traceparent: all-zero trace-id is invalid") {
  CheckRejected("00-00000000000000000000000000000000-00f067aa0ba902b7-01");
}

TEST_CASE("traceparent: all-zero parent-id is invalid") {
  CheckRejected("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01");
}

TEST_CASE("traceparent: surrounding whitespace is invalid (no trimming)") {
  CheckRejected(" " + std::string(kValid.substr(0, 54)));
  CheckRejected(std::string(kValid) + " ");
}

TEST_CASE("traceparent: higher version of exactly 55 chars is accepted") {
  const TraceParent parsed = ParseTraceParent(WithVersion("cc"));
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(parsed.parent_id == SpanId::FromHex(kParentIdHex));
  CHECK(parsed.flags == 0x01);
}

TEST_CASE("traceparent: higher version with '-' and more fields is accepted") {
  const TraceParent parsed = ParseTraceParent(WithVersion("01") + "-what-the-future-holds");
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(ParseTraceParent(WithVersion("fe") + "-").IsValid());
}

TEST_CASE("traceparent: higher version with a non-'-' char after the flags is invalid") {
  CheckRejected(WithVersion("cc") + "x");
  CheckRejected(WithVersion("cc") + "0-");
}

TEST_CASE("traceparent: higher version still needs valid fixed fields") {
  CheckRejected("cc-00000000000000000000000000000000-00f067aa0ba902b7-01");
  CheckRejected("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01");
}

TEST_CASE("traceparent: flags are kept as received, including unknown bits") {
  const std::string header = std::string(kValid.substr(0, 53)) + "ff";
  const TraceParent parsed = ParseTraceParent(header);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.flags == 0xff);
  CHECK(parsed.sampled());
}

TEST_CASE("traceparent: sampled reads only bit 0") {
  CHECK_FALSE(ParseTraceParent(With(54, '0')).sampled());
  CHECK_FALSE(ParseTraceParent(With(54, '2')).sampled());
  CHECK(ParseTraceParent(With(54, '3')).sampled());
  CHECK((ParseTraceParent(With(54, '2')).flags & trace_flags::kRandom) != 0);
}

TEST_CASE("traceparent: format writes version 00 and the ids") {
  CHECK(Format(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kParentIdHex), 0x01) == kValid);
}

TEST_CASE("traceparent: format emits unknown flag bits as 0") {
  const std::string out =
      Format(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kParentIdHex), 0xff);
  CHECK(out.substr(53) == "03");
  const std::string random_only =
      Format(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kParentIdHex), 0xfe);
  CHECK(random_only.substr(53) == "02");
}

TEST_CASE("traceparent: a higher version is re-emitted as version 00") {
  const TraceParent parsed = ParseTraceParent(WithVersion("cc") + "-extra");
  REQUIRE(parsed.IsValid());
  CHECK(Format(parsed.trace_id, parsed.parent_id, parsed.flags) == kValid);
}

}  // namespace
}  // namespace edge
