#include "edge/trace_id.h"

#include <algorithm>

#include "internal/hex.h"

namespace edge {
namespace {

// Level 2 "random" flag: the right-most 7 bytes are the randomness the sampler reads.
constexpr size_t kRandomBytes = 7;
constexpr size_t kBitsPerByte = 8;

}  // namespace

TraceId::TraceId(const uint8_t (&bytes)[kSize]) noexcept : bytes_{} {
  std::copy(bytes, bytes + kSize, bytes_.begin());
}

TraceId TraceId::FromHex(std::string_view hex) noexcept {
  if (hex.size() != kHexSize) return TraceId();
  uint8_t bytes[kSize];
  if (!internal::DecodeHex(hex, bytes)) return TraceId();
  return TraceId(bytes);
}

bool TraceId::IsValid() const noexcept {
  return std::any_of(bytes_.begin(), bytes_.end(), [](uint8_t b) { return b != 0; });
}

void TraceId::ToHex(char* out) const noexcept { internal::EncodeHex(bytes_.data(), kSize, out); }

uint64_t TraceId::Low56() const noexcept {
  uint64_t value = 0;
  for (size_t i = kSize - kRandomBytes; i < kSize; ++i) {
    value = (value << kBitsPerByte) | bytes_[i];
  }
  return value;
}

}  // namespace edge
