#include "edge/sampling/probability_sampler.h"

#include <cmath>
#include <cstring>

#include "internal/hex.h"

namespace edge {
namespace {

constexpr size_t kThresholdHexDigits = 14;   // 56 bits
constexpr size_t kRandomnessHexDigits = 14;  // `rv` is always exactly 56 bits
constexpr double kTwoPow56 = static_cast<double>(ProbabilitySampler::kMaxThreshold);
constexpr char kOtListSeparator = ';';
constexpr char kOtKeyValueSeparator = ':';

// T = 2^56 - round(p * 2^56). Scaling p by a power of two is exact in a double, so the only
// rounding is the final one; computing (1 - p) first would lose the low bits (e.g. p = 0.1
// must give 0xe6666666666666, which (1 - p) * 2^56 cannot represent).
uint64_t ThresholdFor(double ratio) noexcept {
  if (!(ratio > 0.0)) return ProbabilitySampler::kMaxThreshold;  // 0, negative or NaN
  if (ratio >= 1.0) return 0;
  const auto scaled = static_cast<uint64_t>(std::llround(ratio * kTwoPow56));
  return ProbabilitySampler::kMaxThreshold - scaled;
}

}  // namespace

ProbabilitySampler::ProbabilitySampler(double ratio) noexcept : threshold_(ThresholdFor(ratio)) {}

bool ProbabilitySampler::ShouldSample(const TraceId& trace_id, std::string_view rv) const noexcept {
  uint64_t randomness = 0;
  const bool explicit_rv =
      rv.size() == kRandomnessHexDigits && internal::DecodeHexUint64(rv, &randomness);
  if (!explicit_rv) randomness = trace_id.Low56();
  return randomness >= threshold_;
}

size_t ProbabilitySampler::FormatThreshold(char* out) const noexcept {
  if (threshold_ >= kMaxThreshold) return 0;
  char digits[kThresholdHexDigits];
  uint64_t value = threshold_;
  for (size_t i = kThresholdHexDigits; i > 0; --i) {
    digits[i - 1] = internal::kHexDigits[value & internal::kNibbleMask];
    value >>= internal::kBitsPerHexDigit;
  }
  size_t len = kThresholdHexDigits;
  while (len > 1 && digits[len - 1] == '0') --len;  // "0" stays: it means 100%
  std::memcpy(out, digits, len);
  return len;
}

std::string_view FindOtSubKey(std::string_view ot_value, std::string_view sub_key) noexcept {
  if (sub_key.empty()) return {};
  while (!ot_value.empty()) {
    const size_t end = ot_value.find(kOtListSeparator);
    const std::string_view entry = ot_value.substr(0, end);
    const size_t colon = entry.find(kOtKeyValueSeparator);
    if (colon != std::string_view::npos && entry.substr(0, colon) == sub_key) {
      return entry.substr(colon + 1);
    }
    if (end == std::string_view::npos) break;
    ot_value.remove_prefix(end + 1);
  }
  return {};
}

}  // namespace edge
