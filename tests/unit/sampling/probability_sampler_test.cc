#include "edge/sampling/probability_sampler.h"

#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <string>
#include <string_view>

namespace edge {
namespace {

constexpr uint64_t kTwoPow56 = ProbabilitySampler::kMaxThreshold;

// A trace id whose right-most 7 bytes are `low56`; the bytes to their left are all 0xff, so a
// sampler that looked beyond 56 bits would get a different answer.
TraceId TraceIdWithLow56(uint64_t low56) {
  uint8_t bytes[TraceId::kSize];
  std::memset(bytes, 0xff, sizeof(bytes));
  for (size_t i = 0; i < 7; ++i) {
    bytes[TraceId::kSize - 1 - i] = static_cast<uint8_t>(low56 >> (8 * i));
  }
  return TraceId(bytes);
}

std::string Th(double ratio) {
  char out[32];
  std::memset(out, '?', sizeof(out));
  const size_t n = ProbabilitySampler(ratio).FormatThreshold(out);
  return std::string(out, n);
}

// --- threshold ---

TEST_CASE("ProbabilitySampler: ratio 1 gives threshold 0") {
  CHECK(ProbabilitySampler(1.0).threshold() == 0);
}

TEST_CASE("ProbabilitySampler: ratio 0 gives threshold 2^56 (never sample)") {
  CHECK(ProbabilitySampler(0.0).threshold() == kTwoPow56);
}

TEST_CASE("ProbabilitySampler: threshold is round((1 - p) * 2^56)") {
  CHECK(ProbabilitySampler(0.5).threshold() == uint64_t{0x80000000000000});
  CHECK(ProbabilitySampler(0.25).threshold() == uint64_t{0xc0000000000000});
  CHECK(ProbabilitySampler(0.125).threshold() == uint64_t{0xe0000000000000});
  CHECK(ProbabilitySampler(0.01).threshold() == uint64_t{0xfd70a3d70a3d71});
}

TEST_CASE("ProbabilitySampler: threshold keeps all 56 bits (p = 0.1 -> 0xe6666666666666)") {
  // (1 - 0.1) * 2^56 = 0xe6666666666666.66..., rounded down. A naive double computation of
  // (1 - p) * 2^56 cannot hold the low bits and gives ...668.
  CHECK(ProbabilitySampler(0.1).threshold() == uint64_t{0xe6666666666666});
  // The double nearest 1/3 is 0x15555555555555 * 2^-54, so its exact threshold ends in ...c.
  CHECK(ProbabilitySampler(1.0 / 3.0).threshold() == uint64_t{0xaaaaaaaaaaaaac});
}

TEST_CASE("ProbabilitySampler: smallest ratio 2^-56 gives threshold 2^56 - 1") {
  CHECK(ProbabilitySampler(1.0 / static_cast<double>(kTwoPow56)).threshold() == kTwoPow56 - 1);
}

TEST_CASE("ProbabilitySampler: ratio below 2^-57 rounds to never sample") {
  CHECK(ProbabilitySampler(1e-20).threshold() == kTwoPow56);
}

TEST_CASE("ProbabilitySampler: ratio is clamped to [0, 1]") {
  CHECK(ProbabilitySampler(-0.5).threshold() == kTwoPow56);
  CHECK(ProbabilitySampler(1.5).threshold() == 0);
  CHECK(ProbabilitySampler(std::numeric_limits<double>::infinity()).threshold() == 0);
  CHECK(ProbabilitySampler(-std::numeric_limits<double>::infinity()).threshold() == kTwoPow56);
}

TEST_CASE("ProbabilitySampler: NaN ratio never samples") {
  CHECK(ProbabilitySampler(std::numeric_limits<double>::quiet_NaN()).threshold() == kTwoPow56);
}

// --- th encoding ---

TEST_CASE("ProbabilitySampler: th is \"0\" for 100%") { CHECK(Th(1.0) == "0"); }

TEST_CASE("ProbabilitySampler: th drops trailing zeros") {
  CHECK(Th(0.5) == "8");
  CHECK(Th(0.25) == "c");
  CHECK(Th(0.125) == "e");
  CHECK(Th(0.0625) == "f");
}

TEST_CASE("ProbabilitySampler: th has up to 14 hex digits") {
  CHECK(Th(0.1) == "e6666666666666");
  CHECK(Th(1.0 / 3.0) == "aaaaaaaaaaaaac");
  CHECK(Th(0.01) == "fd70a3d70a3d71");
  CHECK(Th(1.0 / static_cast<double>(kTwoPow56)) == "ffffffffffffff");
}

TEST_CASE("ProbabilitySampler: no th is written when the ratio is 0") {
  char out[16];
  std::memset(out, '?', sizeof(out));
  CHECK(ProbabilitySampler(0.0).FormatThreshold(out) == 0);
  CHECK(out[0] == '?');
}

// --- decision ---

TEST_CASE("ProbabilitySampler: samples iff R >= T") {
  const ProbabilitySampler half(0.5);
  CHECK(half.ShouldSample(TraceIdWithLow56(0x80000000000000), ""));
  CHECK_FALSE(half.ShouldSample(TraceIdWithLow56(0x7fffffffffffff), ""));
  CHECK(half.ShouldSample(TraceIdWithLow56(kTwoPow56 - 1), ""));
  CHECK_FALSE(half.ShouldSample(TraceIdWithLow56(0), ""));
}

TEST_CASE("ProbabilitySampler: R is only the 56 low bits of the trace id") {
  const ProbabilitySampler half(0.5);
  // Byte 8 is the highest byte left of the random part; 0xff there must not count.
  CHECK_FALSE(half.ShouldSample(TraceId::FromHex("ffffffffffffffffff00000000000001"), ""));
}

TEST_CASE("ProbabilitySampler: ratio 1 samples everything, even R = 0") {
  CHECK(ProbabilitySampler(1.0).ShouldSample(TraceIdWithLow56(0), ""));
  CHECK(ProbabilitySampler(1.0).ShouldSample(TraceIdWithLow56(0), "00000000000000"));
}

TEST_CASE("ProbabilitySampler: ratio 0 samples nothing, even the largest R") {
  CHECK_FALSE(ProbabilitySampler(0.0).ShouldSample(TraceIdWithLow56(kTwoPow56 - 1), ""));
  CHECK_FALSE(ProbabilitySampler(0.0).ShouldSample(TraceIdWithLow56(0), "ffffffffffffff"));
}

TEST_CASE("ProbabilitySampler: a valid rv replaces the trace id's randomness") {
  const ProbabilitySampler half(0.5);
  CHECK(half.ShouldSample(TraceIdWithLow56(0), "80000000000000"));
  CHECK_FALSE(half.ShouldSample(TraceIdWithLow56(kTwoPow56 - 1), "7fffffffffffff"));
}

TEST_CASE("ProbabilitySampler: rv must be exactly 14 hex digits, else the trace id is used") {
  const ProbabilitySampler half(0.5);
  const TraceId low = TraceIdWithLow56(0);
  CHECK_FALSE(half.ShouldSample(low, "8000000000000"));    // 13 digits
  CHECK_FALSE(half.ShouldSample(low, "800000000000000"));  // 15 digits
  CHECK_FALSE(half.ShouldSample(low, "8"));
}

TEST_CASE("ProbabilitySampler: upper-case or non-hex rv is ignored") {
  const ProbabilitySampler half(0.5);
  const TraceId low = TraceIdWithLow56(0);
  CHECK_FALSE(half.ShouldSample(low, "F0000000000000"));
  CHECK_FALSE(half.ShouldSample(low, "8000000000000g"));
  CHECK_FALSE(half.ShouldSample(low, "+8000000000000"));
}

// --- ot sub-keys ---

TEST_CASE("FindOtSubKey: finds each sub-key of a ';'-separated list") {
  constexpr std::string_view kOt = "th:c;rv:0123456789abcd;x:y";
  CHECK(FindOtSubKey(kOt, "th") == "c");
  CHECK(FindOtSubKey(kOt, "rv") == "0123456789abcd");
  CHECK(FindOtSubKey(kOt, "x") == "y");
}

TEST_CASE("FindOtSubKey: absent sub-key gives empty") {
  CHECK(FindOtSubKey("th:c", "rv").empty());
  CHECK(FindOtSubKey("", "rv").empty());
}

TEST_CASE("FindOtSubKey: matches whole sub-keys, not prefixes or suffixes") {
  CHECK(FindOtSubKey("rvx:1;xrv:2", "rv").empty());
  CHECK(FindOtSubKey("rvx:1;rv:2", "rv") == "2");
}

TEST_CASE("FindOtSubKey: entries without ':' are skipped") {
  CHECK(FindOtSubKey("rv;th:8", "rv").empty());
  CHECK(FindOtSubKey("junk;;th:8;", "th") == "8");
}

TEST_CASE("FindOtSubKey: the value runs to the next ';' and may be empty") {
  CHECK(FindOtSubKey("th:;rv:1", "th").empty());
  CHECK(FindOtSubKey("th:a:b;rv:1", "th") == "a:b");
}

TEST_CASE("FindOtSubKey: first occurrence wins") { CHECK(FindOtSubKey("th:1;th:2", "th") == "1"); }

TEST_CASE("FindOtSubKey: empty sub-key finds nothing") {
  CHECK(FindOtSubKey(":x;th:8", "").empty());
}

}  // namespace
}  // namespace edge
