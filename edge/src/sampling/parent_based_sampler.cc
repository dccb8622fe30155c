#include "edge/sampling/parent_based_sampler.h"

namespace edge {

SamplingResult ParentBasedSampler::Decide(const TraceParent* parent, const TraceId& trace_id,
                                          std::string_view rv) const noexcept {
  SamplingResult result;
  if (parent != nullptr) {
    // The edge never contradicts an upstream decision: the whole trace follows it.
    result.sampled = parent->sampled();
    result.decided_here = false;
    return result;
  }
  result.sampled = root_.ShouldSample(trace_id, rv);
  result.decided_here = true;
  return result;
}

}  // namespace edge
