#pragma once
// ParentBased: follow a trusted parent's sampled flag; for a root, ask the probability sampler.
#include "edge/propagation/traceparent.h"
#include "edge/sampling/probability_sampler.h"

namespace edge {

struct SamplingResult {
  bool sampled = false;
  bool decided_here = false;  // true for a root decision: tracestate gets `ot=th:`
};

class ParentBasedSampler {
 public:
  explicit ParentBasedSampler(double root_ratio) noexcept : root_(root_ratio) {}

  // parent: a valid, trusted parent, or nullptr for a root span. rv as in ProbabilitySampler.
  SamplingResult Decide(const TraceParent* parent, const TraceId& trace_id,
                        std::string_view rv) const noexcept;

  const ProbabilitySampler& root() const noexcept { return root_; }

 private:
  ProbabilitySampler root_;
};

}  // namespace edge
