#pragma once
// The edge's head-sampling decision (PLATFORM.md section 6), built once per sandbox from the
// Config and asked once per request, at the first trigger:
//
// 1. A parent honoured under TrustPolicy::kHonor is followed: its sampled flag decides, and
//    neither the rules nor the rate limit apply (the edge never contradicts upstream).
// 2. Otherwise the ratio is the first matching `sampling.rules` entry's, else
//    `sampling.ratio`, and the OTel consistent probability test compares it with
//    - a root's trace id (its 56 low bits: we generated it, it is random), or
//    - under kIdsOnly, `edge_random`: the client chose that trace id, so its bits must not be
//      able to force sampling (a client sending ...ffffffffffffff would otherwise always win).
// 3. A sampled decision then takes a token from the `sampling.maxPerSecond` bucket; without
//    one the request is not sampled (rate_limited).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "edge/config.h"
#include "edge/propagation/traceparent.h"
#include "edge/sampling/probability_sampler.h"
#include "edge/sampling/rate_limiter.h"
#include "edge/trace_id.h"

namespace edge {

// What the rules look at. Views into the request; only read during Decide.
struct RequestFacts {
  std::string_view host;    // Host header, may carry ":port"
  std::string_view path;    // URI path, no query string
  std::string_view method;  // as received, e.g. "GET"
};

struct EdgeSamplingResult {
  bool sampled = false;
  // A root or ids-only decision: the edge decided, so tracestate gets `ot=th:` (see
  // FormatThreshold). False when a parent's flag was followed.
  bool decided_here = false;
  // The ratio that applied (the rule's or the default), clamped to [0, 1]; meaningful only
  // when decided_here.
  double ratio = 0;
  // The sampled decision was turned into "not sampled" by sampling.maxPerSecond.
  bool rate_limited = false;
  // Under ids-only the randomness is not the trace id's: OTel consistent sampling then wants
  // it written as `ot=rv:<14 hex digits>` (FormatRandomness) so that downstream samplers
  // compare their thresholds with the same value. False for roots and followed parents.
  bool explicit_randomness = false;
  uint64_t randomness = 0;  // the 56 bits compared with the threshold (when decided_here)
};

class EdgeSampler {
 public:
  static constexpr size_t kRandomnessHexDigits = 14;  // 56 bits
  static constexpr size_t kMaxThresholdHexDigits = 14;

  // Copies the rules and builds one ProbabilitySampler per rule: Decide never allocates.
  explicit EdgeSampler(const Config& config);

  // parent: a valid incoming parent context the trust policy allowed (nullptr = root).
  // honor_parent_flag: true under TrustPolicy::kHonor, false under kIdsOnly.
  // trace_id: the trace id of the request (the parent's, or the new root's).
  // edge_random: random bits the caller drew from its IdGenerator; the low 56 are used, and
  // only for ids-only decisions.
  // Not const: a sampled decision consumes a rate-limit token. now_unix_nano <= 0 repeats a
  // decision already taken elsewhere (a response trigger recomputing it): no token is taken.
  EdgeSamplingResult Decide(const TraceParent* parent, bool honor_parent_flag,
                            const TraceId& trace_id, uint64_t edge_random,
                            const RequestFacts& facts, int64_t now_unix_nano) noexcept;

  // The `th` value for `ratio` (EdgeSamplingResult::ratio), as
  // ProbabilitySampler::FormatThreshold: at most kMaxThresholdHexDigits chars, 0 when the
  // ratio is 0 (write no th).
  size_t FormatThreshold(double ratio, char* out) const noexcept;

  // The `rv` value: exactly kRandomnessHexDigits lowercase hex chars of the low 56 bits.
  static size_t FormatRandomness(uint64_t randomness, char* out) noexcept;

  size_t rule_count() const noexcept { return rules_.size(); }

 private:
  struct CompiledRule {
    SamplingRule rule;
    ProbabilitySampler sampler;
  };
  // The rule's sampler (first match) or the default one; `ratio` gets the clamped ratio.
  const ProbabilitySampler& SamplerFor(const RequestFacts& facts, double& ratio) const noexcept;

  std::vector<CompiledRule> rules_;
  ProbabilitySampler default_sampler_;
  double default_ratio_;
  RateLimiter limiter_;
};

}  // namespace edge
