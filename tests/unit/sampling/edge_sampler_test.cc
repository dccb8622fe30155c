#include "edge/sampling/edge_sampler.h"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>

namespace edge {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kNow = 1'700'000'000 * kSecond;
constexpr uint64_t kMax56 = (uint64_t{1} << 56) - 1;

// Client-chosen: every randomness bit set, the id most likely to pass any threshold.
const TraceId kMaxRandomness = TraceId::FromHex("ffffffffffffffffffffffffffffffff");
const TraceId kMinRandomness = TraceId::FromHex("4bf92f3577b34da6a300000000000001");
const TraceId kHalfRandomness = TraceId::FromHex("4bf92f3577b34da6a380000000000000");

const RequestFacts kFacts{"www.example.com", "/index.html", "GET"};

TraceParent Parent(bool sampled, const char* trace_id = "ffffffffffffffffffffffffffffffff") {
  return ParseTraceParent(std::string("00-") + trace_id + "-00f067aa0ba902b7-" +
                          (sampled ? "01" : "00"));
}

SamplingRule Rule(std::string host, std::string path, std::string method, double ratio) {
  SamplingRule rule;
  rule.host = std::move(host);
  rule.path = std::move(path);
  rule.method = std::move(method);
  rule.ratio = ratio;
  return rule;
}

Config WithRatio(double ratio, int max_per_second = 0) {
  Config config;
  config.sampling_ratio = ratio;
  config.sampling_max_per_second = max_per_second;
  return config;
}

std::string Th(const EdgeSampler& sampler, double ratio) {
  char out[32];
  std::memset(out, '?', sizeof out);
  return std::string(out, sampler.FormatThreshold(ratio, out));
}

// --- honoured parent (TrustPolicy::kHonor) ---

TEST_CASE("EdgeSampler: an honoured sampled parent is followed, even at ratio 0") {
  EdgeSampler sampler(WithRatio(0.0));
  const TraceParent parent = Parent(true);
  REQUIRE(parent.IsValid());
  const EdgeSamplingResult r = sampler.Decide(&parent, true, parent.trace_id, 0, kFacts, kNow);
  CHECK(r.sampled);
  CHECK_FALSE(r.decided_here);
  CHECK_FALSE(r.rate_limited);
  CHECK_FALSE(r.explicit_randomness);
}

TEST_CASE("EdgeSampler: an honoured unsampled parent is followed, even at ratio 1") {
  EdgeSampler sampler(WithRatio(1.0));
  const TraceParent parent = Parent(false);
  const EdgeSamplingResult r = sampler.Decide(&parent, true, parent.trace_id, kMax56, kFacts, kNow);
  CHECK_FALSE(r.sampled);
  CHECK_FALSE(r.decided_here);
}

TEST_CASE("EdgeSampler: an honoured parent ignores the rules") {
  Config config = WithRatio(1.0);
  config.sampling_rules.push_back(Rule("", "", "", 0.0));
  EdgeSampler sampler(config);
  const TraceParent parent = Parent(true);
  CHECK(sampler.Decide(&parent, true, parent.trace_id, 0, kFacts, kNow).sampled);
}

TEST_CASE("EdgeSampler: an honoured parent ignores the rate limit and takes no token") {
  EdgeSampler sampler(WithRatio(1.0, 1));
  const TraceParent parent = Parent(true);
  for (int i = 0; i < 100; ++i) {
    const EdgeSamplingResult r = sampler.Decide(&parent, true, parent.trace_id, 0, kFacts, kNow);
    CHECK(r.sampled);
    CHECK_FALSE(r.rate_limited);
  }
  // The one token is still there for a root.
  CHECK(sampler.Decide(nullptr, true, kMaxRandomness, 0, kFacts, kNow).sampled);
  CHECK(sampler.Decide(nullptr, true, kMaxRandomness, 0, kFacts, kNow).rate_limited);
}

// --- root ---

TEST_CASE("EdgeSampler: a root is decided here from the trace id's 56 low bits") {
  EdgeSampler half(WithRatio(0.5));
  const EdgeSamplingResult in = half.Decide(nullptr, true, kHalfRandomness, 0, kFacts, kNow);
  CHECK(in.sampled);  // R = 2^55 = T: R >= T
  CHECK(in.decided_here);
  CHECK(in.ratio == 0.5);
  CHECK_FALSE(in.explicit_randomness);
  CHECK(in.randomness == (uint64_t{1} << 55));
  const EdgeSamplingResult out = half.Decide(nullptr, true, kMinRandomness, kMax56, kFacts, kNow);
  CHECK_FALSE(out.sampled);  // edge_random plays no part for a root
  CHECK(out.decided_here);
  CHECK_FALSE(out.rate_limited);
}

TEST_CASE("EdgeSampler: a root at ratio 0 is never sampled, at ratio 1 always") {
  EdgeSampler never(WithRatio(0.0));
  CHECK_FALSE(never.Decide(nullptr, true, kMaxRandomness, kMax56, kFacts, kNow).sampled);
  EdgeSampler always(WithRatio(1.0));
  const TraceId zero_low = TraceId::FromHex("4bf92f3577b34da6a300000000000000");
  CHECK(always.Decide(nullptr, true, zero_low, 0, kFacts, kNow).sampled);
}

TEST_CASE("EdgeSampler: honor_parent_flag does not matter for a root") {
  EdgeSampler sampler(WithRatio(0.5));
  CHECK(sampler.Decide(nullptr, false, kHalfRandomness, 0, kFacts, kNow).sampled);
  CHECK_FALSE(sampler.Decide(nullptr, false, kMinRandomness, kMax56, kFacts, kNow).sampled);
}

// --- ids-only (TrustPolicy::kIdsOnly) ---

TEST_CASE("EdgeSampler: under ids-only a maximal client trace id cannot force sampling") {
  for (double ratio : {0.0, 0.001, 0.5}) {
    CAPTURE(ratio);
    EdgeSampler sampler(WithRatio(ratio));
    const TraceParent parent = Parent(true);  // the client even claims "sampled"
    for (uint64_t edge_random : {uint64_t{0}, uint64_t{1}, uint64_t{0x00ffffffffff}}) {
      CAPTURE(edge_random);
      const EdgeSamplingResult r =
          sampler.Decide(&parent, false, parent.trace_id, edge_random, kFacts, kNow);
      CHECK_FALSE(r.sampled);
      CHECK(r.decided_here);
      CHECK_FALSE(r.rate_limited);
    }
  }
}

TEST_CASE("EdgeSampler: under ids-only the edge's random bits decide, and are reported") {
  EdgeSampler sampler(WithRatio(0.5));
  const TraceParent parent = Parent(false, "4bf92f3577b34da6a300000000000001");
  const EdgeSamplingResult r =
      sampler.Decide(&parent, false, parent.trace_id, kMax56, kFacts, kNow);
  CHECK(r.sampled);  // low trace-id randomness and an unsampled flag do not prevent it either
  CHECK(r.decided_here);
  CHECK(r.explicit_randomness);
  CHECK(r.randomness == kMax56);
  CHECK(r.ratio == 0.5);
}

TEST_CASE("EdgeSampler: under ids-only only the low 56 bits of edge_random count") {
  EdgeSampler sampler(WithRatio(0.5));
  const TraceParent parent = Parent(true);
  const EdgeSamplingResult r =
      sampler.Decide(&parent, false, parent.trace_id, 0xff00000000000000, kFacts, kNow);
  CHECK_FALSE(r.sampled);
  CHECK(r.randomness == 0);
  CHECK(sampler.Decide(&parent, false, parent.trace_id, 0xff80000000000000, kFacts, kNow).sampled);
}

TEST_CASE("EdgeSampler: under ids-only rules and the rate limit apply") {
  Config config = WithRatio(0.0, 1);
  config.sampling_rules.push_back(Rule("", "/checkout/*", "", 1.0));
  EdgeSampler sampler(config);
  const TraceParent parent = Parent(false);
  const RequestFacts checkout{"www.example.com", "/checkout/cart", "POST"};
  CHECK(sampler.Decide(&parent, false, parent.trace_id, 0, checkout, kNow).sampled);
  const EdgeSamplingResult limited =
      sampler.Decide(&parent, false, parent.trace_id, 0, checkout, kNow);
  CHECK_FALSE(limited.sampled);
  CHECK(limited.rate_limited);
  CHECK_FALSE(sampler.Decide(&parent, false, parent.trace_id, kMax56, kFacts, kNow).sampled);
}

// --- rules ---

TEST_CASE("EdgeSampler: the first matching rule's ratio applies, else sampling.ratio") {
  Config config = WithRatio(0.25);
  config.sampling_rules.push_back(Rule("", "/health", "", 0.0));
  config.sampling_rules.push_back(Rule("*.example.com", "/api/*", "", 1.0));
  config.sampling_rules.push_back(Rule("", "/api/*", "", 0.5));  // shadowed for *.example.com
  config.sampling_rules.push_back(Rule("", "", "POST", 0.125));
  EdgeSampler sampler(config);
  CHECK(sampler.rule_count() == 4);

  auto ratio_for = [&](RequestFacts facts) {
    return sampler.Decide(nullptr, true, kMinRandomness, 0, facts, kNow).ratio;
  };
  CHECK(ratio_for({"www.example.com", "/health", "GET"}) == 0.0);
  CHECK(ratio_for({"www.example.com", "/health", "POST"}) == 0.0);  // first match wins
  CHECK(ratio_for({"api.example.com:443", "/api/v1", "GET"}) == 1.0);
  CHECK(ratio_for({"api.example.com", "/api/v1", "POST"}) == 1.0);
  CHECK(ratio_for({"example.com", "/api/v1", "GET"}) == 0.5);
  CHECK(ratio_for({"other.net", "/api/v1", "GET"}) == 0.5);
  CHECK(ratio_for({"other.net", "/web", "POST"}) == 0.125);
  CHECK(ratio_for({"other.net", "/web", "GET"}) == 0.25);
  CHECK(ratio_for({"", "", ""}) == 0.25);
}

TEST_CASE("EdgeSampler: a matching rule decides the root") {
  Config config = WithRatio(1.0);
  config.sampling_rules.push_back(Rule("", "/health", "", 0.0));
  EdgeSampler sampler(config);
  const RequestFacts health{"h", "/health", "GET"};
  CHECK_FALSE(sampler.Decide(nullptr, true, kMaxRandomness, 0, health, kNow).sampled);
  CHECK(sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, kNow).sampled);
}

TEST_CASE("EdgeSampler: the reported ratio is clamped like the sampler's") {
  Config config = WithRatio(-1.0);
  config.sampling_rules.push_back(Rule("", "/big", "", 7.0));
  EdgeSampler sampler(config);
  CHECK(sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, kNow).ratio == 0.0);
  const EdgeSamplingResult big =
      sampler.Decide(nullptr, true, kMinRandomness, 0, {"h", "/big", "GET"}, kNow);
  CHECK(big.ratio == 1.0);
  CHECK(big.sampled);
}

TEST_CASE("EdgeSampler: the rules are copied: the Config need not outlive the sampler") {
  auto config = std::make_unique<Config>(WithRatio(1.0));
  config->sampling_rules.push_back(Rule("", "/never/*", "", 0.0));
  EdgeSampler sampler(*config);
  config.reset();
  CHECK_FALSE(
      sampler.Decide(nullptr, true, kMaxRandomness, 0, {"h", "/never/x", "GET"}, kNow).sampled);
}

// --- rate limit ---

TEST_CASE("EdgeSampler: sampling.maxPerSecond turns sampled roots into unsampled ones") {
  EdgeSampler sampler(WithRatio(1.0, 2));
  CHECK(sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, kNow).sampled);
  CHECK(sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, kNow).sampled);
  const EdgeSamplingResult limited = sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, kNow);
  CHECK_FALSE(limited.sampled);
  CHECK(limited.rate_limited);
  CHECK(limited.decided_here);
  CHECK(limited.ratio == 1.0);
  // Half a second later one more token is there.
  const int64_t later = kNow + kSecond / 2;
  CHECK(sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, later).sampled);
  CHECK(sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, later).rate_limited);
}

TEST_CASE("EdgeSampler: requests the ratio drops take no token and are not rate_limited") {
  EdgeSampler sampler(WithRatio(0.5, 1));
  for (int i = 0; i < 10; ++i) {
    const EdgeSamplingResult r = sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, kNow);
    CHECK_FALSE(r.sampled);
    CHECK_FALSE(r.rate_limited);
  }
  CHECK(sampler.Decide(nullptr, true, kMaxRandomness, 0, kFacts, kNow).sampled);
}

TEST_CASE("EdgeSampler: maxPerSecond 0 means no limit") {
  EdgeSampler sampler(WithRatio(1.0, 0));
  for (int i = 0; i < 10000; ++i) {
    CHECK(sampler.Decide(nullptr, true, kMinRandomness, 0, kFacts, kNow).sampled);
  }
}

// --- tracestate values ---

TEST_CASE("EdgeSampler: FormatThreshold writes the th of a ratio") {
  EdgeSampler sampler(WithRatio(1.0));
  CHECK(Th(sampler, 1.0) == "0");
  CHECK(Th(sampler, 0.25) == "c");
  CHECK(Th(sampler, 0.5) == "8");
  CHECK(Th(sampler, 0.1) == "e6666666666666");
  CHECK(Th(sampler, 0.0) == "");  // no th for "never"
}

TEST_CASE("EdgeSampler: FormatRandomness writes 14 lowercase hex digits of the low 56 bits") {
  char out[16];
  CHECK(EdgeSampler::FormatRandomness(0, out) == 14);
  CHECK(std::string(out, 14) == "00000000000000");
  CHECK(EdgeSampler::FormatRandomness(0xffabcdef01234567, out) == 14);
  CHECK(std::string(out, 14) == "abcdef01234567");
  EdgeSampler::FormatRandomness(kMax56, out);
  CHECK(std::string(out, 14) == "ffffffffffffff");
}

TEST_CASE("EdgeSampler: an ids-only decision round-trips through rv") {
  // Downstream consistent samplers read rv instead of the trace id: they must agree.
  EdgeSampler sampler(WithRatio(0.5));
  const TraceParent parent = Parent(true);
  const EdgeSamplingResult r =
      sampler.Decide(&parent, false, parent.trace_id, 0x0080000000000000, kFacts, kNow);
  char rv[14];
  EdgeSampler::FormatRandomness(r.randomness, rv);
  CHECK(ProbabilitySampler(r.ratio).ShouldSample(parent.trace_id, std::string_view(rv, 14)) ==
        r.sampled);
  CHECK(r.sampled);
}

}  // namespace
}  // namespace edge
