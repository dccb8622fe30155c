#include "edge/sampling/parent_based_sampler.h"

#include <doctest/doctest.h>

namespace edge {
namespace {

const TraceId kTraceId = TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736");
const TraceId kLowRandomness = TraceId::FromHex("4bf92f3577b34da6a300000000000001");

TraceParent Parent(bool sampled) {
  return ParseTraceParent(sampled ? "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                                  : "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
}

TEST_CASE("ParentBasedSampler: a sampled parent is followed, even at ratio 0") {
  const TraceParent parent = Parent(true);
  const SamplingResult result = ParentBasedSampler(0.0).Decide(&parent, kTraceId, "");
  CHECK(result.sampled);
  CHECK_FALSE(result.decided_here);
}

TEST_CASE("ParentBasedSampler: an unsampled parent is followed, even at ratio 1") {
  const TraceParent parent = Parent(false);
  const SamplingResult result = ParentBasedSampler(1.0).Decide(&parent, kTraceId, "");
  CHECK_FALSE(result.sampled);
  CHECK_FALSE(result.decided_here);
}

TEST_CASE("ParentBasedSampler: a parent's decision ignores rv") {
  const TraceParent parent = Parent(false);
  CHECK_FALSE(ParentBasedSampler(0.5).Decide(&parent, kTraceId, "ffffffffffffff").sampled);
}

TEST_CASE("ParentBasedSampler: a root is decided here by the probability sampler") {
  const SamplingResult always = ParentBasedSampler(1.0).Decide(nullptr, kLowRandomness, "");
  CHECK(always.sampled);
  CHECK(always.decided_here);
  const SamplingResult never = ParentBasedSampler(0.0).Decide(nullptr, kTraceId, "");
  CHECK_FALSE(never.sampled);
  CHECK(never.decided_here);
}

TEST_CASE("ParentBasedSampler: a root decision compares the trace id's randomness") {
  const ParentBasedSampler half(0.5);
  CHECK_FALSE(half.Decide(nullptr, kLowRandomness, "").sampled);
  CHECK(half.Decide(nullptr, TraceId::FromHex("000000000000000000ffffffffffffff"), "").sampled);
}

TEST_CASE("ParentBasedSampler: a root decision uses rv when given") {
  const ParentBasedSampler half(0.5);
  CHECK(half.Decide(nullptr, kLowRandomness, "80000000000000").sampled);
}

TEST_CASE("ParentBasedSampler: root() exposes the root sampler's threshold") {
  CHECK(ParentBasedSampler(0.25).root().threshold() == uint64_t{0xc0000000000000});
}

}  // namespace
}  // namespace edge
