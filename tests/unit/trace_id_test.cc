#include "edge/trace_id.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace edge {
namespace {

constexpr std::string_view kSpecTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

std::string Hex(const TraceId& id) {
  std::string out(TraceId::kHexSize, '?');
  id.ToHex(out.data());
  return out;
}

TEST_CASE("TraceId: default is all-zero and invalid") {
  const TraceId id;
  CHECK_FALSE(id.IsValid());
  CHECK(Hex(id) == "00000000000000000000000000000000");
}

TEST_CASE("TraceId: 32 lowercase hex digits round-trip") {
  const TraceId id = TraceId::FromHex(kSpecTraceId);
  CHECK(id.IsValid());
  CHECK(Hex(id) == kSpecTraceId);
  CHECK(id.bytes()[0] == 0x4b);
  CHECK(id.bytes()[15] == 0x36);
}

TEST_CASE("TraceId: constructed from bytes keeps them in order") {
  const uint8_t bytes[TraceId::kSize] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const TraceId id(bytes);
  CHECK(Hex(id) == "000102030405060708090a0b0c0d0e0f");
  CHECK(id == TraceId::FromHex("000102030405060708090a0b0c0d0e0f"));
  CHECK(id != TraceId::FromHex(kSpecTraceId));
}

TEST_CASE("TraceId: upper-case hex is invalid (W3C requires lowercase)") {
  CHECK_FALSE(TraceId::FromHex("4BF92F3577B34DA6A3CE929D0E0E4736").IsValid());
  CHECK_FALSE(TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e473A").IsValid());
}

TEST_CASE("TraceId: non-hex character is invalid") {
  CHECK_FALSE(TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e473g").IsValid());
  CHECK_FALSE(TraceId::FromHex("4bf92f3577b34da6-3ce929d0e0e4736").IsValid());
  CHECK_FALSE(
      TraceId::FromHex(std::string_view("4bf92f3577b34da6\0a3ce929d0e0e473", 32)).IsValid());
}

TEST_CASE("TraceId: wrong length is invalid") {
  CHECK_FALSE(TraceId::FromHex("").IsValid());
  CHECK_FALSE(TraceId::FromHex(kSpecTraceId.substr(1)).IsValid());
  CHECK_FALSE(TraceId::FromHex(std::string(kSpecTraceId) + "0").IsValid());
}

TEST_CASE("TraceId: all-zero hex is invalid") {
  CHECK_FALSE(TraceId::FromHex("00000000000000000000000000000000").IsValid());
}

TEST_CASE("TraceId: a single non-zero byte anywhere makes it valid") {
  CHECK(TraceId::FromHex("00000000000000000000000000000001").IsValid());
  CHECK(TraceId::FromHex("10000000000000000000000000000000").IsValid());
}

TEST_CASE("TraceId: Low56 is the right-most 7 bytes, big-endian") {
  CHECK(TraceId::FromHex(kSpecTraceId).Low56() == 0xce929d0e0e4736ULL);
  CHECK(TraceId::FromHex("ffffffffffffffffff00000000000000").Low56() == 0);
  CHECK(TraceId::FromHex("00000000000000000fffffffffffffff").Low56() == (uint64_t{1} << 56) - 1);
  CHECK(TraceId().Low56() == 0);
}

}  // namespace
}  // namespace edge
