#include "internal/hex.h"

namespace edge {
namespace internal {

bool DecodeHex(std::string_view hex, uint8_t* out) noexcept {
  if (hex.size() % kHexDigitsPerByte != 0) return false;
  for (size_t i = 0; i < hex.size(); i += kHexDigitsPerByte) {
    const int high = HexDigitValue(hex[i]);
    const int low = HexDigitValue(hex[i + 1]);
    if ((high | low) < 0) return false;  // either is kInvalidHexDigit
    out[i / kHexDigitsPerByte] = static_cast<uint8_t>((high << kBitsPerHexDigit) | low);
  }
  return true;
}

void EncodeHex(const uint8_t* in, size_t len, char* out) noexcept {
  for (size_t i = 0; i < len; ++i) {
    out[i * kHexDigitsPerByte] = kHexDigits[in[i] >> kBitsPerHexDigit];
    out[i * kHexDigitsPerByte + 1] = kHexDigits[in[i] & kNibbleMask];
  }
}

bool DecodeHexUint64(std::string_view hex, uint64_t* out) noexcept {
  if (hex.empty() || hex.size() > kMaxUint64HexDigits) return false;
  uint64_t value = 0;
  for (const char c : hex) {
    const int digit = HexDigitValue(c);
    if (digit == kInvalidHexDigit) return false;
    value = (value << kBitsPerHexDigit) | static_cast<uint64_t>(digit);
  }
  *out = value;
  return true;
}

}  // namespace internal
}  // namespace edge
