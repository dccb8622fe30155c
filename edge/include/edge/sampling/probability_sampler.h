#pragma once
// OTel consistent probability sampling (sampling spec, "TraceState handling" + "threshold"):
// randomness R = the 56 low bits of the trace-id, or `rv` from the `ot` tracestate entry;
// threshold T = round((1 - p) * 2^56); sampled iff R >= T. The decision is recorded as
// `ot=th:<T as hex, trailing zeros dropped>` (`th:0` = 100%).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/trace_id.h"

namespace edge {

class ProbabilitySampler {
 public:
  static constexpr uint64_t kMaxThreshold = uint64_t{1} << 56;  // means "never sample"

  explicit ProbabilitySampler(double ratio) noexcept;  // ratio clamped to [0, 1]

  // rv: the `rv` value from the `ot` tracestate entry (14 hex digits) or empty.
  bool ShouldSample(const TraceId& trace_id, std::string_view rv) const noexcept;

  uint64_t threshold() const noexcept { return threshold_; }
  // `th` value: threshold as 14 hex digits with trailing zeros dropped ("0" for 100%).
  // Writes at most 14 chars; returns the count. Returns 0 when ratio is 0 (no th is written).
  size_t FormatThreshold(char* out) const noexcept;

 private:
  uint64_t threshold_;
};

// Parses the `ot` tracestate value ("th:c;rv:...") and returns the rv sub-value, or empty.
std::string_view FindOtSubKey(std::string_view ot_value, std::string_view sub_key) noexcept;

}  // namespace edge
