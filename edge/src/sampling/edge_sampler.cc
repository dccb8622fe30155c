#include "edge/sampling/edge_sampler.h"

#include "edge/sampling/sampling_rules.h"
#include "internal/hex.h"

namespace edge {
namespace {

constexpr uint64_t kLow56Mask = ProbabilitySampler::kMaxThreshold - 1;

// The ratio a ProbabilitySampler actually uses (NaN and negatives never sample).
double ClampRatio(double ratio) noexcept {
  if (!(ratio > 0.0)) return 0.0;
  return ratio >= 1.0 ? 1.0 : ratio;
}

}  // namespace

EdgeSampler::EdgeSampler(const Config& config)
    : default_sampler_(config.sampling_ratio),
      default_ratio_(ClampRatio(config.sampling_ratio)),
      limiter_(config.sampling_max_per_second) {
  rules_.reserve(config.sampling_rules.size());
  for (const SamplingRule& rule : config.sampling_rules) {
    rules_.push_back(CompiledRule{rule, ProbabilitySampler(rule.ratio)});
  }
}

const ProbabilitySampler& EdgeSampler::SamplerFor(const RequestFacts& facts,
                                                  double& ratio) const noexcept {
  for (const CompiledRule& compiled : rules_) {
    if (MatchesRule(compiled.rule, facts.host, facts.path, facts.method)) {
      ratio = ClampRatio(compiled.rule.ratio);
      return compiled.sampler;
    }
  }
  ratio = default_ratio_;
  return default_sampler_;
}

EdgeSamplingResult EdgeSampler::Decide(const TraceParent* parent, bool honor_parent_flag,
                                       const TraceId& trace_id, uint64_t edge_random,
                                       const RequestFacts& facts, int64_t now_unix_nano) noexcept {
  EdgeSamplingResult result;
  if (parent != nullptr && honor_parent_flag) {
    // The whole trace follows the upstream decision; a rate limit here would break it.
    result.sampled = parent->sampled();
    return result;
  }
  result.decided_here = true;
  const ProbabilitySampler& sampler = SamplerFor(facts, result.ratio);
  if (parent != nullptr) {
    result.explicit_randomness = true;
    result.randomness = edge_random & kLow56Mask;
  } else {
    result.randomness = trace_id.Low56();
  }
  result.sampled = result.randomness >= sampler.threshold();
  if (result.sampled && now_unix_nano > 0 && !limiter_.TryAcquire(now_unix_nano)) {
    result.sampled = false;
    result.rate_limited = true;
  }
  return result;
}

size_t EdgeSampler::FormatThreshold(double ratio, char* out) const noexcept {
  return ProbabilitySampler(ratio).FormatThreshold(out);
}

size_t EdgeSampler::FormatRandomness(uint64_t randomness, char* out) noexcept {
  randomness &= kLow56Mask;
  for (size_t i = kRandomnessHexDigits; i > 0; --i) {
    out[i - 1] = internal::kHexDigits[randomness & internal::kNibbleMask];
    randomness >>= internal::kBitsPerHexDigit;
  }
  return kRandomnessHexDigits;
}

}  // namespace edge
