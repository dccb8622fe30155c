#pragma once
// The four Lambda@Edge triggers, numbered as in the ABI (wasm-glue/ABI.md).
#include <cstdint>
#include <string_view>

namespace edge {

enum class Trigger : uint8_t {
  kViewerRequest = 0,
  kOriginRequest = 1,
  kOriginResponse = 2,
  kViewerResponse = 3,
};

constexpr std::string_view TriggerName(Trigger t) noexcept {
  switch (t) {
    case Trigger::kViewerRequest:
      return "viewer-request";
    case Trigger::kOriginRequest:
      return "origin-request";
    case Trigger::kOriginResponse:
      return "origin-response";
    case Trigger::kViewerResponse:
      return "viewer-response";
  }
  return "unknown";
}

}  // namespace edge
