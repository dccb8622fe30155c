#pragma once
// 16-byte W3C trace id. All-zero is the invalid default (W3C Trace Context section 3.2.2.3).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edge {

class TraceId {
 public:
  static constexpr size_t kSize = 16;
  static constexpr size_t kHexSize = 32;

  constexpr TraceId() noexcept : bytes_{} {}
  explicit TraceId(const uint8_t (&bytes)[kSize]) noexcept;

  // Parses exactly 32 lowercase hex digits. Upper case or any other character gives the
  // invalid (all-zero) id, as W3C requires lowercase.
  static TraceId FromHex(std::string_view hex) noexcept;

  bool IsValid() const noexcept;
  const std::array<uint8_t, kSize>& bytes() const noexcept { return bytes_; }
  // Writes exactly kHexSize lowercase hex chars (no terminator) into out.
  void ToHex(char* out) const noexcept;
  // The 56 low bits (right-most 7 bytes), the randomness the OTel threshold sampler uses.
  uint64_t Low56() const noexcept;

  bool operator==(const TraceId& o) const noexcept { return bytes_ == o.bytes_; }
  bool operator!=(const TraceId& o) const noexcept { return bytes_ != o.bytes_; }

 private:
  std::array<uint8_t, kSize> bytes_;
};

}  // namespace edge
