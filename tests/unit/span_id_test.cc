#include "edge/span_id.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace edge {
namespace {

constexpr std::string_view kSpecParentId = "00f067aa0ba902b7";

std::string Hex(const SpanId& id) {
  std::string out(SpanId::kHexSize, '?');
  id.ToHex(out.data());
  return out;
}

TEST_CASE("SpanId: default is all-zero and invalid") {
  const SpanId id;
  CHECK_FALSE(id.IsValid());
  CHECK(Hex(id) == "0000000000000000");
}

TEST_CASE("SpanId: 16 lowercase hex digits round-trip") {
  const SpanId id = SpanId::FromHex(kSpecParentId);
  CHECK(id.IsValid());
  CHECK(Hex(id) == kSpecParentId);
  CHECK(id.bytes()[1] == 0xf0);
}

TEST_CASE("SpanId: constructed from bytes keeps them in order") {
  const uint8_t bytes[SpanId::kSize] = {0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3};
  const SpanId id(bytes);
  CHECK(Hex(id) == "deadbeef00010203");
  CHECK(id == SpanId::FromHex("deadbeef00010203"));
  CHECK(id != SpanId::FromHex(kSpecParentId));
}

TEST_CASE("SpanId: upper-case hex is invalid (W3C requires lowercase)") {
  CHECK_FALSE(SpanId::FromHex("00F067AA0BA902B7").IsValid());
}

TEST_CASE("SpanId: non-hex character is invalid") {
  CHECK_FALSE(SpanId::FromHex("00f067aa0ba902bz").IsValid());
  CHECK_FALSE(SpanId::FromHex(" 0f067aa0ba902b7").IsValid());
}

TEST_CASE("SpanId: wrong length is invalid") {
  CHECK_FALSE(SpanId::FromHex("").IsValid());
  CHECK_FALSE(SpanId::FromHex("00f067aa0ba902b").IsValid());
  CHECK_FALSE(SpanId::FromHex("00f067aa0ba902b70").IsValid());
}

TEST_CASE("SpanId: all-zero hex is invalid") {
  CHECK_FALSE(SpanId::FromHex("0000000000000000").IsValid());
}

}  // namespace
}  // namespace edge
