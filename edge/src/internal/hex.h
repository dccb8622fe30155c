#pragma once
// Lowercase hex, the only spelling W3C Trace Context accepts: shared by the id types, the
// traceparent parser and the sampler's `th`/`rv` handling. Never allocates.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edge {
namespace internal {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr int kInvalidHexDigit = -1;
constexpr size_t kHexDigitsPerByte = 2;
constexpr size_t kBitsPerHexDigit = 4;
constexpr uint8_t kNibbleMask = 0x0f;
constexpr size_t kMaxUint64HexDigits = 16;

// Digit values by byte: one load per character on the per-request parsing path.
struct HexDigitTable {
  int8_t value[256];
  constexpr HexDigitTable() : value{} {
    for (int c = 0; c < 256; ++c) value[c] = kInvalidHexDigit;
    for (int c = '0'; c <= '9'; ++c) value[c] = static_cast<int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) value[c] = static_cast<int8_t>(c - 'a' + 10);
  }
};
inline constexpr HexDigitTable kHexDigitTable;

// The value of one lowercase hex digit, or kInvalidHexDigit (upper case included).
constexpr int HexDigitValue(char c) noexcept {
  return kHexDigitTable.value[static_cast<unsigned char>(c)];
}

// Decodes hex.size() / 2 bytes into out. False (out partly written) on an odd length or any
// character that is not lowercase hex.
bool DecodeHex(std::string_view hex, uint8_t* out) noexcept;

// Writes len * 2 lowercase hex chars into out (no terminator).
void EncodeHex(const uint8_t* in, size_t len, char* out) noexcept;

// Parses 1..16 lowercase hex digits as a big-endian unsigned number.
bool DecodeHexUint64(std::string_view hex, uint64_t* out) noexcept;

}  // namespace internal
}  // namespace edge
