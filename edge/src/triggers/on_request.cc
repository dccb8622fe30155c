// Request-side dispatch: which trigger opens what depends on the deployed triggers (config
// `triggers`, docs/trace-model.md), never on headers a client could forge.
#include "triggers/trigger_state.h"

namespace edge {

Status Tracer::OnRequest(Trigger trigger, const RequestFields& in, int64_t now_unix_nano,
                         RequestDecision& out) noexcept {
  out = RequestDecision{};
  problem_ = {};
  if (!configured_) return Status::kNotConfigured;
  const bool viewer_side = Deployed(trigger_bits::kViewerRequest);
  const bool origin_side = Deployed(trigger_bits::kOriginRequest);
  switch (trigger) {
    case Trigger::kViewerRequest:
      if (!viewer_side) return Status::kNothingToDo;
      // With no origin-request of ours, the origin continues from the root itself.
      return StartTrace(in, now_unix_nano, /*to_origin=*/!origin_side, out);
    case Trigger::kOriginRequest:
      if (!origin_side) return Status::kNothingToDo;
      if (!viewer_side) return StartTrace(in, now_unix_nano, /*to_origin=*/true, out);
      return OpenOriginFetch(in, now_unix_nano, out);
    default:
      return Status::kNothingToDo;
  }
}

}  // namespace edge
