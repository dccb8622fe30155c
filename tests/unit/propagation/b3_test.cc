#include "edge/propagation/b3.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace edge {
namespace {

// The B3 specification's single-header example (openzipkin/b3-propagation README).
constexpr std::string_view kTraceIdHex = "80f198ee56343ba864fe8b2a57d3eff7";
constexpr std::string_view kSpanIdHex = "05e3ac9a4f6e3b90";
constexpr std::string_view kParentHex = "e457b5a2e4d86bd1";
constexpr std::string_view kFull =
    "80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-1-e457b5a2e4d86bd1";
constexpr std::string_view kIds = "80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90";
constexpr std::string_view kShortTraceIdHex = "a3ce929d0e0e4736";
constexpr std::string_view kPaddedTraceIdHex = "0000000000000000a3ce929d0e0e4736";

std::string Ids(std::string_view trace_id = kTraceIdHex, std::string_view span_id = kSpanIdHex) {
  return std::string(trace_id) + "-" + std::string(span_id);
}

void CheckEmpty(const B3Context& parsed) {
  CHECK_FALSE(parsed.IsValid());
  CHECK_FALSE(parsed.trace_id.IsValid());
  CHECK_FALSE(parsed.span_id.IsValid());
  CHECK_FALSE(parsed.parent_span_id.IsValid());
  CHECK(parsed.sampling == B3Sampling::kUnset);
}

void CheckSingleRejected(std::string_view header) {
  CAPTURE(header);
  CheckEmpty(ParseB3Single(header));
}

void CheckMultiRejected(std::string_view trace_id, std::string_view span_id,
                        std::string_view sampled = {}, std::string_view flags = {}) {
  CAPTURE(trace_id);
  CAPTURE(span_id);
  CAPTURE(sampled);
  CAPTURE(flags);
  CheckEmpty(ParseB3Multi(trace_id, span_id, sampled, flags));
}

B3Sampling MultiSampling(std::string_view sampled, std::string_view flags = {}) {
  const B3Context parsed = ParseB3Multi(kTraceIdHex, kSpanIdHex, sampled, flags);
  REQUIRE(parsed.IsValid());
  return parsed.sampling;
}

std::string FormatSingle(std::string_view trace_id, B3Sampling sampling,
                         std::string_view parent = {}) {
  char out[B3Context::kMaxSingleHeaderSize];
  const size_t n = FormatB3Single(TraceId::FromHex(trace_id), SpanId::FromHex(kSpanIdHex), sampling,
                                  SpanId::FromHex(parent), out);
  return std::string(out, n);
}

// ---------------------------------------------------------------------------------------------
// Single header

TEST_CASE("b3 single: the spec example parses") {
  const B3Context parsed = ParseB3Single(kFull);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(parsed.span_id == SpanId::FromHex(kSpanIdHex));
  CHECK(parsed.parent_span_id == SpanId::FromHex(kParentHex));
  CHECK(parsed.sampling == B3Sampling::kAccept);
  CHECK(parsed.sampled());
}

TEST_CASE("b3 single: trace and span ids alone defer the decision") {
  const B3Context parsed = ParseB3Single(kIds);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.sampling == B3Sampling::kUnset);
  CHECK_FALSE(parsed.sampled());
  CHECK_FALSE(parsed.parent_span_id.IsValid());
}

TEST_CASE("b3 single: sampling states are 0 (deny), 1 (accept) and d (debug)") {
  CHECK(ParseB3Single(Ids() + "-0").sampling == B3Sampling::kDeny);
  CHECK(ParseB3Single(Ids() + "-1").sampling == B3Sampling::kAccept);
  CHECK(ParseB3Single(Ids() + "-d").sampling == B3Sampling::kDebug);
}

TEST_CASE("b3 single: debug implies accept") {
  CHECK(ParseB3Single(Ids() + "-d").sampled());
  CHECK_FALSE(ParseB3Single(Ids() + "-0").sampled());
}

TEST_CASE("b3 single: other sampling states are invalid") {
  for (const char* state : {"2", "D", "x", "-", " ", "true", "01", "1d"}) {
    CheckSingleRejected(Ids() + "-" + state);
    CheckSingleRejected(Ids() + "-" + state + "-" + std::string(kParentHex));
  }
}

TEST_CASE("b3 single: a parent may follow the span id when the decision is deferred") {
  const B3Context parsed = ParseB3Single(Ids() + "-" + std::string(kParentHex));
  REQUIRE(parsed.IsValid());
  CHECK(parsed.sampling == B3Sampling::kUnset);
  CHECK(parsed.parent_span_id == SpanId::FromHex(kParentHex));
}

TEST_CASE("b3 single: 64-bit trace ids are left-padded to 128 bits") {
  const B3Context parsed = ParseB3Single(Ids(kShortTraceIdHex) + "-1");
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kPaddedTraceIdHex));
}

TEST_CASE("b3 single: the trace id is 16 or 32 hex digits") {
  const std::string hex48 = std::string(kTraceIdHex) + std::string(kShortTraceIdHex);
  for (size_t size : {1, 15, 17, 24, 31, 33, 48}) {
    CheckSingleRejected(Ids(hex48.substr(0, size)) + "-1");
  }
}

TEST_CASE("b3 single: the span id is 16 hex digits") {
  CheckSingleRejected(Ids(kTraceIdHex, kSpanIdHex.substr(0, 15)));
  CheckSingleRejected(Ids(kTraceIdHex, std::string(kSpanIdHex) + "0"));
  CheckSingleRejected(Ids(kTraceIdHex, std::string(kSpanIdHex) + "0") + "-1");
  CheckSingleRejected(std::string(kTraceIdHex) + "-");
  CheckSingleRejected(kTraceIdHex);
}

TEST_CASE("b3 single: the parent span id is 16 hex digits") {
  CheckSingleRejected(Ids() + "-1-" + std::string(kParentHex.substr(0, 15)));
  CheckSingleRejected(Ids() + "-1-" + std::string(kParentHex) + "0");
  CheckSingleRejected(Ids() + "-" + std::string(kParentHex) + "0");
  CheckSingleRejected(Ids() + "-1-e457b5a2e4d86bdx");
}

TEST_CASE("b3 single: upper-case hex is invalid") {
  CheckSingleRejected("80F198EE56343BA864FE8B2A57D3EFF7-05e3ac9a4f6e3b90-1");
  CheckSingleRejected("80f198ee56343ba864fe8b2a57d3eff7-05E3AC9A4F6E3B90-1");
  CheckSingleRejected("80f198ee56343ba864fe8b2a57d3eff7-05e3ac9a4f6e3b90-1-E457B5A2E4D86BD1");
  CheckSingleRejected("A3CE929D0E0E4736-05e3ac9a4f6e3b90");
}

TEST_CASE("b3 single: an all-zero trace id is invalid") {
  CheckSingleRejected(Ids("0000000000000000") + "-1");
  CheckSingleRejected(Ids("00000000000000000000000000000000") + "-1");
}

TEST_CASE("b3 single: an all-zero span id is invalid") {
  CheckSingleRejected(Ids(kTraceIdHex, "0000000000000000") + "-1");
}

TEST_CASE("b3 single: an all-zero parent span id means no parent") {
  const B3Context parsed = ParseB3Single(Ids() + "-1-0000000000000000");
  REQUIRE(parsed.IsValid());
  CHECK_FALSE(parsed.parent_span_id.IsValid());
  CHECK(parsed.sampling == B3Sampling::kAccept);
}

TEST_CASE("b3 single: trailing data is invalid") {
  for (const char* tail : {"-", "x", "-1-", "-1x", "-1-e457b5a2e4d86bd1-", "-1-e457b5a2e4d86bd1-1",
                           "-1-e457b5a2e4d86bd1x", "--1"}) {
    CheckSingleRejected(Ids() + tail);
  }
}

TEST_CASE("b3 single: each delimiter must be '-'") {
  CheckSingleRejected(std::string(kTraceIdHex) + "_" + std::string(kSpanIdHex));
  CheckSingleRejected(Ids() + "_1");
  CheckSingleRejected(Ids() + "-1_" + std::string(kParentHex));
  CheckSingleRejected(Ids() + "_" + std::string(kParentHex));
}

TEST_CASE("b3 single: surrounding whitespace is invalid (callers trim OWS)") {
  CheckSingleRejected(" " + std::string(kFull));
  CheckSingleRejected(std::string(kFull) + "\t");
  CheckSingleRejected(" 1");
}

TEST_CASE("b3 single: a bare sampling state carries a decision without ids") {
  const B3Context deny = ParseB3Single("0");
  CHECK_FALSE(deny.IsValid());
  CHECK_FALSE(deny.trace_id.IsValid());
  CHECK(deny.sampling == B3Sampling::kDeny);
  CHECK(ParseB3Single("1").sampling == B3Sampling::kAccept);
  CHECK(ParseB3Single("d").sampling == B3Sampling::kDebug);
}

TEST_CASE("b3 single: a bare unknown state is invalid") {
  for (const char* header : {"", "2", "D", "-", "1-1", "0-1", "true"}) CheckSingleRejected(header);
}

// ---------------------------------------------------------------------------------------------
// Multiple headers

TEST_CASE("b3 multi: 128-bit ids parse") {
  const B3Context parsed = ParseB3Multi(kTraceIdHex, kSpanIdHex, "1", {});
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kTraceIdHex));
  CHECK(parsed.span_id == SpanId::FromHex(kSpanIdHex));
  CHECK(parsed.sampling == B3Sampling::kAccept);
  CHECK_FALSE(parsed.parent_span_id.IsValid());
}

TEST_CASE("b3 multi: 64-bit trace ids are left-padded to 128 bits") {
  const B3Context parsed = ParseB3Multi(kShortTraceIdHex, kSpanIdHex, {}, {});
  REQUIRE(parsed.IsValid());
  CHECK(parsed.trace_id == TraceId::FromHex(kPaddedTraceIdHex));
}

TEST_CASE("b3 multi: an absent (empty) x-b3-sampled defers the decision") {
  CHECK(MultiSampling({}) == B3Sampling::kUnset);
}

TEST_CASE("b3 multi: x-b3-sampled 1 accepts and 0 denies") {
  CHECK(MultiSampling("1") == B3Sampling::kAccept);
  CHECK(MultiSampling("0") == B3Sampling::kDeny);
}

TEST_CASE("b3 multi: the legacy true / false (and True / False) are accepted") {
  CHECK(MultiSampling("true") == B3Sampling::kAccept);
  CHECK(MultiSampling("True") == B3Sampling::kAccept);
  CHECK(MultiSampling("false") == B3Sampling::kDeny);
  CHECK(MultiSampling("False") == B3Sampling::kDeny);
}

TEST_CASE("b3 multi: other x-b3-sampled values are invalid") {
  for (const char* sampled : {"2", "d", "yes", "TRUE", "FALSE", " 1", "1 ", "01", "-1"}) {
    CheckMultiRejected(kTraceIdHex, kSpanIdHex, sampled);
  }
}

TEST_CASE("b3 multi: x-b3-flags 1 is debug and overrides x-b3-sampled") {
  CHECK(MultiSampling({}, "1") == B3Sampling::kDebug);
  CHECK(MultiSampling("0", "1") == B3Sampling::kDebug);
  CHECK(MultiSampling("1", "1") == B3Sampling::kDebug);
  CHECK(ParseB3Multi(kTraceIdHex, kSpanIdHex, "0", "1").sampled());
}

TEST_CASE("b3 multi: other x-b3-flags values are ignored") {
  CHECK(MultiSampling("1", "0") == B3Sampling::kAccept);
  CHECK(MultiSampling("0", "2") == B3Sampling::kDeny);
  CHECK(MultiSampling({}, "true") == B3Sampling::kUnset);
  CHECK(MultiSampling({}, "d") == B3Sampling::kUnset);
}

TEST_CASE("b3 multi: a malformed x-b3-sampled is invalid even with debug") {
  CheckMultiRejected(kTraceIdHex, kSpanIdHex, "x", "1");
}

TEST_CASE("b3 multi: the trace id is 16 or 32 lower-hex digits") {
  CheckMultiRejected("1", kSpanIdHex);
  CheckMultiRejected(kTraceIdHex.substr(0, 20), kSpanIdHex);
  CheckMultiRejected(kTraceIdHex.substr(0, 31), kSpanIdHex);
  CheckMultiRejected(std::string(kTraceIdHex) + "0", kSpanIdHex);
  CheckMultiRejected("80F198EE56343BA864FE8B2A57D3EFF7", kSpanIdHex);
  CheckMultiRejected("A3CE929D0E0E4736", kSpanIdHex);
  CheckMultiRejected(" " + std::string(kShortTraceIdHex), kSpanIdHex);
}

TEST_CASE("b3 multi: the span id is 16 lower-hex digits") {
  CheckMultiRejected(kTraceIdHex, kSpanIdHex.substr(0, 15));
  CheckMultiRejected(kTraceIdHex, std::string(kSpanIdHex) + "0");
  CheckMultiRejected(kTraceIdHex, "05E3AC9A4F6E3B90");
  CheckMultiRejected(kTraceIdHex, "05e3ac9a4f6e3b9g");
}

TEST_CASE("b3 multi: all-zero ids are invalid") {
  CheckMultiRejected("0000000000000000", kSpanIdHex, "1");
  CheckMultiRejected("00000000000000000000000000000000", kSpanIdHex, "1");
  CheckMultiRejected(kTraceIdHex, "0000000000000000", "1");
}

TEST_CASE("b3 multi: one id without the other is invalid") {
  CheckMultiRejected(kTraceIdHex, {}, "1");
  CheckMultiRejected({}, kSpanIdHex, "1");
}

TEST_CASE("b3 multi: sampling headers without ids carry a decision only") {
  const B3Context deny = ParseB3Multi({}, {}, "0", {});
  CHECK_FALSE(deny.IsValid());
  CHECK_FALSE(deny.trace_id.IsValid());
  CHECK(deny.sampling == B3Sampling::kDeny);
  CHECK(ParseB3Multi({}, {}, {}, "1").sampling == B3Sampling::kDebug);
  CheckEmpty(ParseB3Multi({}, {}, {}, {}));
  CheckEmpty(ParseB3Multi({}, {}, "maybe", {}));
}

// ---------------------------------------------------------------------------------------------
// Formatting

TEST_CASE("b3 format single: writes every field") {
  CHECK(FormatSingle(kTraceIdHex, B3Sampling::kAccept, kParentHex) == kFull);
  CHECK(FormatSingle(kTraceIdHex, B3Sampling::kAccept, kParentHex).size() ==
        B3Context::kMaxSingleHeaderSize);
}

TEST_CASE("b3 format single: leaves out an unset state and an invalid parent") {
  CHECK(FormatSingle(kTraceIdHex, B3Sampling::kUnset) == kIds);
  CHECK(FormatSingle(kTraceIdHex, B3Sampling::kDeny) == std::string(kIds) + "-0");
  CHECK(FormatSingle(kTraceIdHex, B3Sampling::kUnset, kParentHex) ==
        std::string(kIds) + "-" + std::string(kParentHex));
}

TEST_CASE("b3 format single: debug is written as d") {
  CHECK(FormatSingle(kTraceIdHex, B3Sampling::kDebug) == std::string(kIds) + "-d");
}

TEST_CASE("b3 format single: trace ids are always written as 32 hex digits") {
  const std::string out = FormatSingle(kPaddedTraceIdHex, B3Sampling::kAccept);
  CHECK(out == std::string(kPaddedTraceIdHex) + "-" + std::string(kSpanIdHex) + "-1");
}

TEST_CASE("b3 format single: invalid ids write nothing") {
  char out[B3Context::kMaxSingleHeaderSize];
  CHECK(FormatB3Single(TraceId(), SpanId::FromHex(kSpanIdHex), B3Sampling::kAccept, SpanId(),
                       out) == 0);
  CHECK(FormatB3Single(TraceId::FromHex(kTraceIdHex), SpanId(), B3Sampling::kAccept, SpanId(),
                       out) == 0);
}

TEST_CASE("b3 format multi: ids, sampled and parent") {
  B3MultiHeaders out;
  REQUIRE(FormatB3Multi(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kSpanIdHex),
                        B3Sampling::kAccept, SpanId::FromHex(kParentHex), &out));
  CHECK(out.trace_id() == kTraceIdHex);
  CHECK(out.span_id() == kSpanIdHex);
  CHECK(out.parent_span_id() == kParentHex);
  CHECK(out.sampled() == "1");
  CHECK(out.flags().empty());
}

TEST_CASE("b3 format multi: debug sends x-b3-flags and no x-b3-sampled") {
  B3MultiHeaders out;
  REQUIRE(FormatB3Multi(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kSpanIdHex),
                        B3Sampling::kDebug, SpanId(), &out));
  CHECK(out.flags() == "1");
  CHECK(out.sampled().empty());
  CHECK(out.parent_span_id().empty());
}

TEST_CASE("b3 format multi: deny sends 0, a deferred decision sends nothing") {
  B3MultiHeaders out;
  REQUIRE(FormatB3Multi(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kSpanIdHex),
                        B3Sampling::kDeny, SpanId(), &out));
  CHECK(out.sampled() == "0");
  REQUIRE(FormatB3Multi(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kSpanIdHex),
                        B3Sampling::kUnset, SpanId(), &out));
  CHECK(out.sampled().empty());
  CHECK(out.flags().empty());
}

TEST_CASE("b3 format multi: invalid ids leave the output untouched") {
  B3MultiHeaders out;
  REQUIRE(FormatB3Multi(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kSpanIdHex),
                        B3Sampling::kAccept, SpanId(), &out));
  CHECK_FALSE(
      FormatB3Multi(TraceId(), SpanId::FromHex(kSpanIdHex), B3Sampling::kDeny, SpanId(), &out));
  CHECK_FALSE(
      FormatB3Multi(TraceId::FromHex(kTraceIdHex), SpanId(), B3Sampling::kDeny, SpanId(), &out));
  CHECK(out.trace_id() == kTraceIdHex);
  CHECK(out.sampled() == "1");
}

TEST_CASE("b3 format multi: the headers own their characters (copies stay valid)") {
  B3MultiHeaders copy;
  {
    B3MultiHeaders original;
    REQUIRE(FormatB3Multi(TraceId::FromHex(kTraceIdHex), SpanId::FromHex(kSpanIdHex),
                          B3Sampling::kAccept, SpanId::FromHex(kParentHex), &original));
    copy = original;
    REQUIRE(FormatB3Multi(TraceId::FromHex(kPaddedTraceIdHex), SpanId::FromHex(kParentHex),
                          B3Sampling::kDeny, SpanId(), &original));
  }
  CHECK(copy.trace_id() == kTraceIdHex);
  CHECK(copy.parent_span_id() == kParentHex);
  const char* begin = reinterpret_cast<const char*>(&copy);
  CHECK(copy.trace_id().data() >= begin);
  CHECK(copy.trace_id().data() < begin + sizeof(copy));
}

TEST_CASE("b3: both formats parse back to the same context") {
  for (const B3Sampling sampling :
       {B3Sampling::kUnset, B3Sampling::kDeny, B3Sampling::kAccept, B3Sampling::kDebug}) {
    const TraceId trace_id = TraceId::FromHex(kPaddedTraceIdHex);
    const SpanId span_id = SpanId::FromHex(kSpanIdHex);
    const SpanId parent = SpanId::FromHex(kParentHex);
    char single[B3Context::kMaxSingleHeaderSize];
    const size_t n = FormatB3Single(trace_id, span_id, sampling, parent, single);
    const B3Context from_single = ParseB3Single(std::string_view(single, n));
    REQUIRE(from_single.IsValid());
    CHECK(from_single.trace_id == trace_id);
    CHECK(from_single.span_id == span_id);
    CHECK(from_single.parent_span_id == parent);
    CHECK(from_single.sampling == sampling);

    B3MultiHeaders multi;
    REQUIRE(FormatB3Multi(trace_id, span_id, sampling, parent, &multi));
    const B3Context from_multi =
        ParseB3Multi(multi.trace_id(), multi.span_id(), multi.sampled(), multi.flags());
    REQUIRE(from_multi.IsValid());
    CHECK(from_multi.trace_id == trace_id);
    CHECK(from_multi.span_id == span_id);
    CHECK(from_multi.sampling == sampling);
  }
}

}  // namespace
}  // namespace edge
