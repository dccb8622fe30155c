#pragma once
// printf's "%.*g" for a double, without printf: the printf family (and its float formatting)
// cost about 6 KB of the gzipped Wasm module, which has a 48 KB budget. Exact: the double's
// decimal expansion is computed with a small fixed-size big integer on the stack (under
// 200 bytes, no allocation), so every digit and every rounding decision is the one glibc and
// musl make ("C" locale, round-half-even on the exact binary value).
#include <cstddef>
#include <cstdint>

namespace edge::json {

// The longest FormatG output: "-1.2345678901234567e-308" (no terminator is written).
constexpr size_t kMaxFormatGSize = 24;
constexpr int kMaxFormatGPrecision = 17;

// A double reduced once to its first 18 significant decimal digits plus whether any nonzero
// digit follows them: enough to round correctly to any precision up to 17, so formatting one
// value at several precisions (JsonWriter::Double tries 15, 16 and 17) expands it only once.
class DecimalDouble {
 public:
  explicit DecimalDouble(double d) noexcept;

  // Writes exactly what std::snprintf(out, size, "%.*g", precision, d) writes in the "C"
  // locale, for precision in [1, kMaxFormatGPrecision] (clamped to it), and returns the length:
  // exponent form when the exponent X is < -4 or >= precision, trailing zeros and a trailing
  // '.' removed, the exponent signed and at least two digits ("1e-05", "5e-324"); "inf",
  // "-inf", "nan", "-nan" for the non-finite values. `out` needs kMaxFormatGSize bytes.
  size_t FormatG(int precision, char* out) const noexcept;

 private:
  enum class Kind : uint8_t { kFinite, kInfinity, kNaN };

  uint64_t digits_ = 0;    // 18 significant digits, in [10^17, 10^18); 0 for a zero
  int exponent_ = 0;       // the first digit's weight: |d| ~ digits_ * 10^(exponent_ - 17)
  bool inexact_ = false;   // a nonzero digit follows the 18 in the exact expansion
  bool negative_ = false;  // the sign bit (so -0.0 is written "-0", as printf does)
  Kind kind_ = Kind::kFinite;
};

}  // namespace edge::json
