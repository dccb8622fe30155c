#include "edge/json/byte_writer.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace edge {
namespace {

std::string Uint(uint64_t v) {
  char buffer[32];
  ByteWriter out(buffer, sizeof buffer);
  out.AppendUint(v);
  return std::string(out.view());
}

std::string Int(int64_t v) {
  char buffer[32];
  ByteWriter out(buffer, sizeof buffer);
  out.AppendInt(v);
  return std::string(out.view());
}

TEST_CASE("Append, Extend and Truncate write into the caller's buffer") {
  char buffer[8];
  ByteWriter out(buffer, sizeof buffer);
  out.Append("ab");
  out.Append('c');
  char* p = out.Extend(2);
  REQUIRE(p != nullptr);
  p[0] = 'd';
  p[1] = 'e';
  CHECK(out.view() == "abcde");
  CHECK(out.size() == 5);
  out.Truncate(2);
  CHECK(out.view() == "ab");
  out.Truncate(7);  // never grows
  CHECK(out.view() == "ab");
  CHECK_FALSE(out.overflowed());
}

TEST_CASE("filling the buffer exactly is not an overflow") {
  char buffer[4];
  ByteWriter out(buffer, sizeof buffer);
  out.Append("abcd");
  CHECK_FALSE(out.overflowed());
  CHECK(out.view() == "abcd");
}

TEST_CASE("an append that does not fit overflows, writes nothing, and the overflow sticks") {
  char buffer[4];
  ByteWriter out(buffer, sizeof buffer);
  out.Append("abc");
  out.Append("de");
  CHECK(out.overflowed());
  CHECK(out.view() == "abc");
  out.Append('x');  // would fit, but the output is already lost
  CHECK(out.view() == "abc");
  CHECK(out.Extend(1) == nullptr);
}

TEST_CASE("AppendUint never writes part of a number") {
  char buffer[3];
  ByteWriter out(buffer, sizeof buffer);
  out.AppendUint(1234);
  CHECK(out.overflowed());
  CHECK(out.size() == 0);
}

TEST_CASE("AppendUint formats boundaries and every digit count") {
  CHECK(Uint(0) == "0");
  CHECK(Uint(9) == "9");
  CHECK(Uint(10) == "10");
  CHECK(Uint(99) == "99");
  CHECK(Uint(100) == "100");
  CHECK(Uint(std::numeric_limits<uint64_t>::max()) == "18446744073709551615");
  uint64_t v = 1;
  for (int digits = 1; digits <= 20; ++digits) {
    CHECK(Uint(v) == std::to_string(v));
    CHECK(Uint(v - 1) == std::to_string(v - 1));
    if (digits < 20) v *= 10;
  }
}

TEST_CASE("AppendUint matches std::to_string on a pseudo-random sweep") {
  uint64_t state = 0x9E3779B97F4A7C15u;
  for (int i = 0; i < 10000; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    const uint64_t v = state >> (i % 64);  // every magnitude
    REQUIRE(Uint(v) == std::to_string(v));
  }
}

TEST_CASE("AppendInt handles the sign and the int64 extremes") {
  CHECK(Int(0) == "0");
  CHECK(Int(-1) == "-1");
  CHECK(Int(42) == "42");
  CHECK(Int(-100) == "-100");
  CHECK(Int(std::numeric_limits<int64_t>::max()) == "9223372036854775807");
  CHECK(Int(std::numeric_limits<int64_t>::min()) == "-9223372036854775808");
}

}  // namespace
}  // namespace edge
