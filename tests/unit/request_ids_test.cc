#include "edge/request_ids.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <bitset>
#include <set>
#include <string>
#include <string_view>

namespace edge {
namespace {

// A request id as CloudFront writes it (cf.config.requestId / x-amz-cf-id).
constexpr std::string_view kRequestId = "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==";

std::string Hex(const TraceId& id) {
  char hex[TraceId::kHexSize];
  id.ToHex(hex);
  return std::string(hex, sizeof(hex));
}

std::string Hex(const SpanId& id) {
  char hex[SpanId::kHexSize];
  id.ToHex(hex);
  return std::string(hex, sizeof(hex));
}

// Request-id-shaped strings: 56 chars of the base64url alphabet, different for each n.
std::string SyntheticRequestId(uint32_t n) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string id(kRequestId);
  uint64_t x = 0x9e3779b97f4a7c15ULL * (n + 1);
  for (size_t i = 0; i < 12; ++i) {
    id[i] = kAlphabet[x % kAlphabet.size()];
    x /= kAlphabet.size();
  }
  return id;
}

template <typename Id>
size_t DifferingBits(const Id& a, const Id& b) {
  size_t bits = 0;
  for (size_t i = 0; i < Id::kSize; ++i) {
    bits += std::bitset<8>(static_cast<uint8_t>(a.bytes()[i] ^ b.bytes()[i])).count();
  }
  return bits;
}

// Computed independently of this implementation (a separate SipHash-2-4 script checked
// against the paper's example) from the keys documented in request_ids.h: they pin the
// derivation, which must never change (triggers of one request may run different versions).
TEST_CASE("request ids: known answers") {
  struct Vector {
    std::string request_id;
    std::string_view trace_id, root_id, fetch_id;
  };
  const Vector vectors[] = {
      {std::string(kRequestId), "4a7889e4d08285e4180810ebb9b2fff1", "737a83fe0bfa65a7",
       "a73f20acd7ae0cd7"},
      {"a", "02276d7891a79e9fd446e9707a17be2a", "d0d44cbe88c17439", "a6e13d766d6142a8"},
      {std::string(1000, 'x'), "7c274e026cbf5900cbb2c95728f56c5b", "da619274c6d45ab6",
       "5c4f6411b8ce68ef"},
  };
  for (const Vector& v : vectors) {
    CAPTURE(v.request_id);
    CHECK(Hex(TraceIdFromRequestId(v.request_id)) == v.trace_id);
    CHECK(Hex(SpanIdFromRequestId(v.request_id, EdgeSpanRole::kRoot)) == v.root_id);
    CHECK(Hex(SpanIdFromRequestId(v.request_id, EdgeSpanRole::kOriginFetch)) == v.fetch_id);
  }
}

TEST_CASE("request ids: every trigger recomputes the same ids") {
  const std::string copy(kRequestId);  // another buffer, as another invocation would have
  CHECK(TraceIdFromRequestId(kRequestId) == TraceIdFromRequestId(copy));
  CHECK(SpanIdFromRequestId(kRequestId, EdgeSpanRole::kRoot) ==
        SpanIdFromRequestId(copy, EdgeSpanRole::kRoot));
  CHECK(SpanIdFromRequestId(kRequestId, EdgeSpanRole::kOriginFetch) ==
        SpanIdFromRequestId(copy, EdgeSpanRole::kOriginFetch));
}

TEST_CASE("request ids: roles give distinct, unrelated span ids") {
  for (uint32_t n = 0; n < 1000; ++n) {
    const std::string id = SyntheticRequestId(n);
    const SpanId root = SpanIdFromRequestId(id, EdgeSpanRole::kRoot);
    const SpanId fetch = SpanIdFromRequestId(id, EdgeSpanRole::kOriginFetch);
    CAPTURE(id);
    REQUIRE(root != fetch);
    // Neither is half of the trace id.
    const TraceId trace = TraceIdFromRequestId(id);
    for (const SpanId& span : {root, fetch}) {
      CHECK_FALSE(std::equal(span.bytes().begin(), span.bytes().end(), trace.bytes().begin()));
      CHECK_FALSE(std::equal(span.bytes().begin(), span.bytes().end(), trace.bytes().begin() + 8));
    }
  }
}

TEST_CASE("request ids: an empty request id gives invalid ids") {
  CHECK_FALSE(TraceIdFromRequestId("").IsValid());
  CHECK_FALSE(SpanIdFromRequestId("", EdgeSpanRole::kRoot).IsValid());
  CHECK_FALSE(SpanIdFromRequestId("", EdgeSpanRole::kOriginFetch).IsValid());
}

TEST_CASE("request ids: an unknown role gives the invalid span id") {
  CHECK_FALSE(SpanIdFromRequestId(kRequestId, static_cast<EdgeSpanRole>(0)).IsValid());
  CHECK_FALSE(SpanIdFromRequestId(kRequestId, static_cast<EdgeSpanRole>(3)).IsValid());
}

TEST_CASE("request ids: any non-empty input, short, binary or long, gives valid ids") {
  const std::string inputs[] = {std::string("\0", 1),
                                std::string(1, '\xff'),
                                " ",
                                std::string(7, 'a'),
                                std::string(8, 'a'),
                                std::string(9, 'a'),
                                std::string(100000, 'z'),
                                std::string(kRequestId) + "\r\n"};
  for (const std::string& input : inputs) {
    CAPTURE(input.size());
    CHECK(TraceIdFromRequestId(input).IsValid());
    CHECK(SpanIdFromRequestId(input, EdgeSpanRole::kRoot).IsValid());
    CHECK(SpanIdFromRequestId(input, EdgeSpanRole::kOriginFetch).IsValid());
  }
  // Long inputs that differ only in their last byte still differ.
  std::string a(4096, 'q'), b(4096, 'q');
  b.back() = 'r';
  CHECK(TraceIdFromRequestId(a) != TraceIdFromRequestId(b));
  CHECK(SpanIdFromRequestId(a, EdgeSpanRole::kRoot) != SpanIdFromRequestId(b, EdgeSpanRole::kRoot));
}

TEST_CASE("request ids: no all-zero id and no collision over many request ids") {
  std::set<std::string> traces, spans;
  constexpr uint32_t kCount = 20000;
  for (uint32_t n = 0; n < kCount; ++n) {
    const std::string id = SyntheticRequestId(n);
    const TraceId trace = TraceIdFromRequestId(id);
    REQUIRE(trace.IsValid());
    traces.insert(Hex(trace));
    for (const EdgeSpanRole role : {EdgeSpanRole::kRoot, EdgeSpanRole::kOriginFetch}) {
      const SpanId span = SpanIdFromRequestId(id, role);
      REQUIRE(span.IsValid());
      spans.insert(Hex(span));
    }
  }
  CHECK(traces.size() == kCount);
  CHECK(spans.size() == 2 * kCount);
}

TEST_CASE("request ids: a one-character change avalanches") {
  const std::string base(kRequestId);
  for (size_t i = 0; i < base.size(); ++i) {
    std::string changed = base;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    CAPTURE(i);
    // About half of the bits flip; 128-bit ids: mean 64, sd 5.7.
    const size_t trace_bits =
        DifferingBits(TraceIdFromRequestId(base), TraceIdFromRequestId(changed));
    CHECK(trace_bits > 32);
    CHECK(trace_bits < 96);
    const size_t span_bits = DifferingBits(SpanIdFromRequestId(base, EdgeSpanRole::kRoot),
                                           SpanIdFromRequestId(changed, EdgeSpanRole::kRoot));
    CHECK(span_bits > 12);  // mean 32, sd 4
    CHECK(span_bits < 52);
  }
}

// The W3C random flag and the OTel threshold sampler read the 56 low bits of the trace id.
TEST_CASE("request ids: the trace id's 56 low bits look uniformly random") {
  constexpr uint32_t kCount = 8192;
  constexpr int kLowBits = 56;
  uint32_t ones[kLowBits] = {};
  uint32_t below_quarter = 0;
  for (uint32_t n = 0; n < kCount; ++n) {
    const uint64_t low = TraceIdFromRequestId(SyntheticRequestId(n)).Low56();
    for (int bit = 0; bit < kLowBits; ++bit) ones[bit] += (low >> bit) & 1;
    below_quarter += low < (uint64_t{1} << 54) ? 1 : 0;  // a 25% sampling threshold
  }
  // Binomial(8192, 1/2): mean 4096, sd 45; the bounds are 6 sd (the inputs are fixed, so the
  // test is deterministic: the margin is against a biased derivation, not against luck).
  for (int bit = 0; bit < kLowBits; ++bit) {
    CAPTURE(bit);
    CHECK(ones[bit] > 4096 - 270);
    CHECK(ones[bit] < 4096 + 270);
  }
  // Binomial(8192, 1/4): mean 2048, sd 39.
  CHECK(below_quarter > 2048 - 240);
  CHECK(below_quarter < 2048 + 240);
}

}  // namespace
}  // namespace edge
