#include "edge/span_id.h"

#include <algorithm>

#include "internal/hex.h"

namespace edge {

SpanId::SpanId(const uint8_t (&bytes)[kSize]) noexcept : bytes_{} {
  std::copy(bytes, bytes + kSize, bytes_.begin());
}

SpanId SpanId::FromHex(std::string_view hex) noexcept {
  if (hex.size() != kHexSize) return SpanId();
  uint8_t bytes[kSize];
  if (!internal::DecodeHex(hex, bytes)) return SpanId();
  return SpanId(bytes);
}

bool SpanId::IsValid() const noexcept {
  return std::any_of(bytes_.begin(), bytes_.end(), [](uint8_t b) { return b != 0; });
}

void SpanId::ToHex(char* out) const noexcept { internal::EncodeHex(bytes_.data(), kSize, out); }

}  // namespace edge
