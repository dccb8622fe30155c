#pragma once
// 8-byte W3C span (parent) id. All-zero is the invalid default.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edge {

class SpanId {
 public:
  static constexpr size_t kSize = 8;
  static constexpr size_t kHexSize = 16;

  constexpr SpanId() noexcept : bytes_{} {}
  explicit SpanId(const uint8_t (&bytes)[kSize]) noexcept;

  // Parses exactly 16 lowercase hex digits; anything else gives the invalid id.
  static SpanId FromHex(std::string_view hex) noexcept;

  bool IsValid() const noexcept;
  const std::array<uint8_t, kSize>& bytes() const noexcept { return bytes_; }
  void ToHex(char* out) const noexcept;  // exactly kHexSize chars, no terminator

  bool operator==(const SpanId& o) const noexcept { return bytes_ == o.bytes_; }
  bool operator!=(const SpanId& o) const noexcept { return bytes_ != o.bytes_; }

 private:
  std::array<uint8_t, kSize> bytes_;
};

}  // namespace edge
