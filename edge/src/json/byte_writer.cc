#include "edge/json/byte_writer.h"

namespace edge {
namespace {

// "00".."99": one division by 100 yields two digits, halving the divisions of a plain loop.
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

constexpr size_t kMaxUint64Digits = 20;  // 18446744073709551615

// Writes the decimal digits of v so that they end just before `end`; returns the first digit.
char* FormatDigitsBackward(uint64_t v, char* end) noexcept {
  char* p = end;
  while (v >= 100) {
    const size_t pair = static_cast<size_t>(v % 100) * 2;
    v /= 100;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  }
  if (v >= 10) {
    const size_t pair = static_cast<size_t>(v) * 2;
    *--p = kDigitPairs[pair + 1];
    *--p = kDigitPairs[pair];
  } else {
    *--p = static_cast<char>('0' + v);
  }
  return p;
}

}  // namespace

void ByteWriter::AppendUint(uint64_t v) noexcept {
  char digits[kMaxUint64Digits];
  char* const end = digits + sizeof digits;
  const char* const first = FormatDigitsBackward(v, end);
  Append(std::string_view(first, static_cast<size_t>(end - first)));
}

void ByteWriter::AppendInt(int64_t v) noexcept {
  char digits[1 + kMaxUint64Digits];
  char* const end = digits + sizeof digits;
  // Negate in unsigned arithmetic: -INT64_MIN does not fit in int64_t.
  const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  char* first = FormatDigitsBackward(magnitude, end);
  if (v < 0) *--first = '-';
  Append(std::string_view(first, static_cast<size_t>(end - first)));
}

}  // namespace edge
