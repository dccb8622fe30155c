#include "edge/propagation/edge_context.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

namespace edge {
namespace {

constexpr std::string_view kParentHex = "00f067aa0ba902b7";
constexpr int64_t kStart = 1700000000123456789;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

std::string Format(const EdgeContext& ctx) {
  char buffer[EdgeContext::kMaxHeaderSize + 8];
  std::memset(buffer, '#', sizeof buffer);
  const size_t n = FormatEdgeContext(ctx, buffer);
  REQUIRE(n <= EdgeContext::kMaxHeaderSize);
  CHECK(buffer[n] == '#');  // nothing written past the returned length
  return std::string(buffer, n);
}

void CheckRejected(std::string_view header) {
  CAPTURE(header);
  const EdgeContext ctx = ParseEdgeContext(header);
  CHECK_FALSE(ctx.IsValid());
  // The sentinel is fully empty, never half-parsed.
  CHECK(ctx.start_unix_nano == 0);
  CHECK_FALSE(ctx.remote_parent.IsValid());
}

TEST_CASE("edge context: header name and maximum size") {
  CHECK(EdgeContext::kHeaderName == "x-edgetrace-ctx");
  // "2-" + 19 digits + "-" + 16 hex + "-" + 19 digits + "-" + 16 hex
  CHECK(EdgeContext::kMaxHeaderSize == 75);
}

TEST_CASE("edge context: a root span is version, dash, start time") {
  EdgeContext ctx;
  ctx.start_unix_nano = kStart;
  CHECK(Format(ctx) == "1-1700000000123456789");
  const EdgeContext parsed = ParseEdgeContext("1-1700000000123456789");
  REQUIRE(parsed.IsValid());
  CHECK(parsed.start_unix_nano == kStart);
  CHECK_FALSE(parsed.remote_parent.IsValid());
}

TEST_CASE("edge context: a continued span carries its remote parent id") {
  EdgeContext ctx;
  ctx.start_unix_nano = kStart;
  ctx.remote_parent = SpanId::FromHex(kParentHex);
  CHECK(Format(ctx) == "1-1700000000123456789-00f067aa0ba902b7");
  const EdgeContext parsed = ParseEdgeContext("1-1700000000123456789-00f067aa0ba902b7");
  REQUIRE(parsed.IsValid());
  CHECK(parsed.start_unix_nano == kStart);
  CHECK(parsed.remote_parent == SpanId::FromHex(kParentHex));
}

TEST_CASE("edge context: format then parse round-trips, extremes included") {
  for (int64_t start : {int64_t{1}, int64_t{9}, int64_t{10}, kStart, kInt64Max}) {
    for (bool with_parent : {false, true}) {
      CAPTURE(start);
      CAPTURE(with_parent);
      EdgeContext ctx;
      ctx.start_unix_nano = start;
      if (with_parent) ctx.remote_parent = SpanId::FromHex("ffffffffffffffff");
      const std::string header = Format(ctx);
      const EdgeContext parsed = ParseEdgeContext(header);
      REQUIRE(parsed.IsValid());
      CHECK(parsed.start_unix_nano == start);
      CHECK(parsed.remote_parent == ctx.remote_parent);
    }
  }
}

TEST_CASE("edge context: the longest version 1 header is 38 chars and is accepted") {
  EdgeContext ctx;
  ctx.start_unix_nano = kInt64Max;
  ctx.remote_parent = SpanId::FromHex(kParentHex);
  const std::string header = Format(ctx);
  CHECK(header == "1-9223372036854775807-00f067aa0ba902b7");
  CHECK(header.size() == 38);
  CHECK(ParseEdgeContext(header).IsValid());
}

TEST_CASE("edge context: the start time is a positive int64") {
  CHECK(ParseEdgeContext("1-1").start_unix_nano == 1);
  CHECK(ParseEdgeContext("1-9223372036854775807").start_unix_nano == kInt64Max);
  CheckRejected("1-0");
  CheckRejected("1-0000000000000000000");
  CheckRejected("1-9223372036854775808");   // INT64_MAX + 1
  CheckRejected("1-9999999999999999999");   // 19 digits, above INT64_MAX
  CheckRejected("1-18446744073709551617");  // 20 digits (would wrap a uint64)
  CheckRejected("1-10000000000000000000");  // 20 digits
}

TEST_CASE("edge context: leading zeros are tolerated; formatting is canonical") {
  const EdgeContext parsed = ParseEdgeContext("1-0000000000000000042");
  REQUIRE(parsed.IsValid());
  CHECK(parsed.start_unix_nano == 42);
  CHECK(Format(parsed) == "1-42");
}

TEST_CASE("edge context: the version must be exactly '1' followed by '-'") {
  CheckRejected("0-1700000000123456789");
  CheckRejected("2-1700000000123456789");  // version 2 needs the root span
  CheckRejected("3-1700000000123456789");
  CheckRejected("11-1700000000123456789");
  CheckRejected("1_1700000000123456789");
  CheckRejected("11700000000123456789");
  CheckRejected("a-1");
}

TEST_CASE("edge context: too short or too long is rejected") {
  CheckRejected("");
  CheckRejected("1");
  CheckRejected("1-");
  CheckRejected("-1");
  CheckRejected("1-1700000000123456789-00f067aa0ba902b70");  // 39 chars
  CheckRejected("2-1700000000123456789-00f067aa0ba902b7-9223372036854775807-00f067aa0ba902b70");
  CheckRejected(std::string(1000, '1'));
}

TEST_CASE("edge context: the start time is decimal digits only") {
  CheckRejected("1-+1700000000");
  CheckRejected("1- 1700000000");
  CheckRejected("1-1700000000 ");
  CheckRejected("1-17000000x0");
  CheckRejected("1-0x1700");
  CheckRejected("1--1700000000");  // negative, or an empty start followed by a dash
  CheckRejected("1-1.5");
  CheckRejected(std::string_view("1-17\0", 5));
}

TEST_CASE("edge context: the remote parent is exactly 16 lowercase hex digits, not all zero") {
  CheckRejected("1-1700000000123456789-");
  CheckRejected("1-1700000000123456789--");
  CheckRejected("1-1700000000123456789-00f067aa0ba902b");     // 15
  CheckRejected("1-170000000012345678-00f067aa0ba902b7a");    // 17 (fits the size limit)
  CheckRejected("1-1700000000123456789-00F067AA0BA902B7");    // upper case
  CheckRejected("1-1700000000123456789-00f067aa0ba902bg");    // not hex
  CheckRejected("1-1700000000123456789-0000000000000000");    // all zero
  CheckRejected("1-1700000000123456789-00f067aa-0ba902b");    // extra dash
  CheckRejected("1-1700-00f067aa0ba902b7-00f067aa0ba902b7");  // a third field
  CheckRejected("1-1700000000123456789 00f067aa0ba902b7");    // wrong separator
}

TEST_CASE("edge context: an invalid remote parent never leaves a half-parsed start time") {
  const EdgeContext ctx = ParseEdgeContext("1-1700000000123456789-0000000000000000");
  CHECK(ctx.start_unix_nano == 0);
}

TEST_CASE("edge context: formatted output uses only digits, lowercase hex and '-'") {
  EdgeContext ctx;
  ctx.start_unix_nano = kStart;
  ctx.remote_parent = SpanId::FromHex("abcdef0123456789");
  for (char c : Format(ctx)) {
    CAPTURE(c);
    CHECK(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'));
  }
}

}  // namespace
TEST_CASE("edge context: version 2 carries the origin fetch start and the open root") {
  EdgeContext ctx;
  ctx.start_unix_nano = kStart + 5;
  ctx.root_span_id = SpanId::FromHex("abcdef0123456789");
  ctx.root_start_unix_nano = kStart;
  CHECK(Format(ctx) == "2-1700000000123456794-abcdef0123456789-1700000000123456789");
  ctx.remote_parent = SpanId::FromHex(kParentHex);
  const std::string header = Format(ctx);
  CHECK(header == "2-1700000000123456794-abcdef0123456789-1700000000123456789-00f067aa0ba902b7");
  const EdgeContext parsed = ParseEdgeContext(header);
  REQUIRE(parsed.IsValid());
  CHECK(parsed.HasOpenRoot());
  CHECK(parsed.start_unix_nano == kStart + 5);
  CHECK(parsed.root_span_id == ctx.root_span_id);
  CHECK(parsed.root_start_unix_nano == kStart);
  CHECK(parsed.remote_parent == ctx.remote_parent);
  CHECK_FALSE(ParseEdgeContext("1-1700000000123456789").HasOpenRoot());
}

TEST_CASE("edge context: the longest version 2 header is exactly kMaxHeaderSize") {
  EdgeContext ctx;
  ctx.start_unix_nano = kInt64Max;
  ctx.root_span_id = SpanId::FromHex("ffffffffffffffff");
  ctx.root_start_unix_nano = kInt64Max;
  ctx.remote_parent = SpanId::FromHex(kParentHex);
  const std::string header = Format(ctx);
  CHECK(header.size() == EdgeContext::kMaxHeaderSize);
  CHECK(ParseEdgeContext(header).IsValid());
}

TEST_CASE("edge context: version 2 fields are all required and strict") {
  CheckRejected("2-1700000000123456789-abcdef0123456789");                      // no root start
  CheckRejected("2-1700000000123456789-abcdef0123456789-");                     // empty root start
  CheckRejected("2-1700000000123456789-abcdef0123456789-0");                    // zero root start
  CheckRejected("2-1700000000123456789-0000000000000000-1700000000123456789");  // zero root id
  CheckRejected("2-1700000000123456789-ABCDEF0123456789-1700000000123456789");  // upper case
  CheckRejected("2-1700000000123456789-abcdef012345678-1700000000123456789");   // 15 hex
  CheckRejected("2-1700000000123456789-abcdef0123456789-17x0");
  CheckRejected("2-1700000000123456789-abcdef0123456789-1700000000123456789-");
  CheckRejected("2-1700000000123456789-abcdef0123456789-1700000000123456789-00f067aa0ba902b7-1");
  CheckRejected("1-1700000000123456789-abcdef0123456789-1700000000123456789");  // v1 shape
}

}  // namespace edge
