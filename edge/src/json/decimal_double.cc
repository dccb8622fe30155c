#include "json/decimal_double.h"

#include <cstring>

namespace edge::json {
namespace {

constexpr int kMantissaBits = 52;
constexpr int kExponentBias = 1075;  // bias 1023 plus the 52 fraction bits
constexpr uint32_t kMaxBiasedExponent = 0x7FF;
constexpr int kKeptDigits = 18;                          // one more than the largest precision
constexpr uint64_t kTenToThe17 = 100000000000000000ull;  // smallest 18-digit number
constexpr uint64_t kTenToThe18 = 1000000000000000000ull;
constexpr uint32_t kTenToThe9 = 1000000000;
constexpr uint32_t kFiveToThe13 = 1220703125;  // the largest power of 5 below 2^32
constexpr int kFiveToThe13Exponent = 13;

// Fixed-point scaling for e < 0 (below): log10(2) is just above 1233 / 4096.
constexpr int kLog10Of2Times4096 = 1233;
constexpr int kLog10Of2Shift = 12;

// For e >= 0 the integer m * 2^e is below 2^1024, but the constructor writes 3 words from word
// e / 32 <= 30: 33 words. For e < 0 the largest is m * 5^j < 2^53 * 5^342 < 2^848 (below):
// 27 words. So 33 words (132 bytes) always suffice.
constexpr int kMaxWords = 33;

uint64_t PowerOfTen(int n) noexcept {
  uint64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// A nonnegative integer as little-endian 32-bit words; size_ has no leading zero word. Only
// the operations the expansion needs, each linear in the size.
class BigUint {
 public:
  // m * 2^shift, for m < 2^53 and 0 <= shift <= 971.
  BigUint(uint64_t m, int shift) noexcept {
    const int zero_words = shift / 32;
    const int bits = shift % 32;
    for (int i = 0; i < zero_words; ++i) word_[i] = 0;
    const uint64_t low = m << bits;                          // m < 2^53, so m << bits < 2^84:
    const uint64_t high = bits == 0 ? 0 : m >> (64 - bits);  // its bits above the 64th
    word_[zero_words] = static_cast<uint32_t>(low);
    word_[zero_words + 1] = static_cast<uint32_t>(low >> 32);
    word_[zero_words + 2] = static_cast<uint32_t>(high);
    size_ = zero_words + 3;
    Trim();
  }

  void MultiplyBy(uint32_t factor) noexcept {
    uint64_t carry = 0;
    for (int i = 0; i < size_; ++i) {
      const uint64_t product = static_cast<uint64_t>(word_[i]) * factor + carry;
      word_[i] = static_cast<uint32_t>(product);
      carry = product >> 32;
    }
    if (carry != 0) word_[size_++] = static_cast<uint32_t>(carry);
  }

  void MultiplyByPowerOf5(int exponent) noexcept {
    for (; exponent >= kFiveToThe13Exponent; exponent -= kFiveToThe13Exponent) {
      MultiplyBy(kFiveToThe13);
    }
    MultiplyBy(static_cast<uint32_t>(PowerOfTen(exponent) >> exponent));  // 10^k / 2^k = 5^k
  }

  // Shifts right in place; true when a nonzero bit was shifted out.
  bool ShiftRight(int shift) noexcept {
    const int words = shift / 32;
    const int bits = shift % 32;
    bool inexact = false;
    for (int i = 0; i < words && i < size_; ++i) inexact |= word_[i] != 0;
    if (words >= size_) {
      size_ = 0;
      return inexact;
    }
    if (bits != 0) inexact |= (word_[words] & ((1u << bits) - 1)) != 0;
    for (int i = words; i < size_; ++i) {
      uint32_t w = word_[i] >> bits;
      if (bits != 0 && i + 1 < size_) w |= word_[i + 1] << (32 - bits);
      word_[i - words] = w;
    }
    size_ -= words;
    Trim();
    return inexact;
  }

  // Divides in place by a nonzero divisor and returns the remainder.
  uint32_t DivideBy(uint32_t divisor) noexcept {
    uint64_t remainder = 0;
    for (int i = size_ - 1; i >= 0; --i) {
      const uint64_t current = (remainder << 32) | word_[i];
      word_[i] = static_cast<uint32_t>(current / divisor);
      remainder = current % divisor;
    }
    Trim();
    return static_cast<uint32_t>(remainder);
  }

  // True when the value is >= 2^90 (> 10^27: at least 28 digits).
  bool AtLeast2To90() const noexcept { return size_ > 3 || (size_ == 3 && word_[2] >= 1u << 26); }
  bool FitsUint64() const noexcept { return size_ <= 2; }
  uint64_t ToUint64() const noexcept {  // only when FitsUint64()
    return (size_ > 1 ? static_cast<uint64_t>(word_[1]) << 32 : 0) | (size_ > 0 ? word_[0] : 0);
  }

 private:
  void Trim() noexcept {
    while (size_ > 0 && word_[size_ - 1] == 0) --size_;
  }

  uint32_t word_[kMaxWords];
  int size_;
};

char* CopyLiteral(const char* literal, char* p) noexcept {
  const size_t n = std::strlen(literal);
  std::memcpy(p, literal, n);
  return p + n;
}

}  // namespace

DecimalDouble::DecimalDouble(double d) noexcept {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  negative_ = (bits >> 63) != 0;
  const auto biased = static_cast<uint32_t>(bits >> kMantissaBits) & kMaxBiasedExponent;
  uint64_t m = bits & ((uint64_t{1} << kMantissaBits) - 1);
  if (biased == kMaxBiasedExponent) {
    kind_ = m == 0 ? Kind::kInfinity : Kind::kNaN;
    return;
  }
  if (m == 0 && biased == 0) return;  // a zero: digits_ stays 0
  int e = 1 - kExponentBias;          // subnormal: m * 2^-1074
  if (biased != 0) {
    m |= uint64_t{1} << kMantissaBits;
    e = static_cast<int>(biased) - kExponentBias;
  }
  // |d| = m * 2^e. Make it n * 10^exponent with n an integer of at least 18 digits, plus the
  // digits dropped (`inexact` when they are not all zero). For e >= 0 that is n = m * 2^e.
  // For e < 0 it is n = floor(|d| * 10^j), exponent -j, with j chosen so n has 18 to 21
  // digits: |d| * 10^j = m * 5^j * 2^(j + e), a left shift, or a right shift whose dropped bits
  // are the inexact part. (Computing m * 5^-e exactly and then dropping most of its up to 767
  // digits would need a 2547-bit integer and quadratic time; this stays under 850 bits.)
  int left_shift = e > 0 ? e : 0;
  int right_shift = 0;
  int fives = 0;
  int exponent = 0;
  if (e < 0) {
    // 2^x <= |d| < 2^(x + 1), so floor(log10 |d|) is F = floor(x * log10(2)) or F + 1. With
    // 1233 / 4096 just below log10(2) (by 5e-6, times |x| <= 1074), `estimate` is F - 1, F or
    // F + 1; low = estimate - 1 is at most floor(log10 |d|) and at most 3 below it, so
    // |d| * 10^(17 - low) is in [10^17, 10^21).
    const int x = 64 - __builtin_clzll(m) + e - 1;
    const int scaled = x * kLog10Of2Times4096;  // floor division, x may be negative:
    const int estimate = scaled >= 0 ? scaled >> kLog10Of2Shift
                                     : -((-scaled + (1 << kLog10Of2Shift) - 1) >> kLog10Of2Shift);
    const int low = estimate - 1;
    fives = kKeptDigits - 1 - low;  // j, at most 342 (for 2^-1074)
    exponent = -fives;
    if (fives + e >= 0) {
      left_shift = fives + e;
    } else {
      right_shift = -(fives + e);
    }
  }
  BigUint n(m, left_shift);
  n.MultiplyByPowerOf5(fives);
  bool inexact = n.ShiftRight(right_shift);
  // Keep the first 18 digits, folding every digit dropped after them into inexact_: nine at a
  // time while n keeps at least 19, then one at a time on a 64-bit value.
  while (n.AtLeast2To90()) {
    inexact |= n.DivideBy(kTenToThe9) != 0;
    exponent += 9;
  }
  while (!n.FitsUint64() || n.ToUint64() >= kTenToThe18) {
    inexact |= n.DivideBy(10) != 0;
    ++exponent;
  }
  uint64_t digits = n.ToUint64();  // nonzero: m is
  while (digits < kTenToThe17) {
    digits *= 10;
    --exponent;
  }
  digits_ = digits;
  exponent_ = exponent + kKeptDigits - 1;
  inexact_ = inexact;
}

size_t DecimalDouble::FormatG(int precision, char* out) const noexcept {
  char* p = out;
  if (negative_ && kind_ != Kind::kNaN) *p++ = '-';
  if (kind_ == Kind::kNaN)
    return static_cast<size_t>(CopyLiteral(negative_ ? "-nan" : "nan", p) - out);
  if (kind_ == Kind::kInfinity) return static_cast<size_t>(CopyLiteral("inf", p) - out);
  if (digits_ == 0) {
    *p++ = '0';
    return static_cast<size_t>(p - out);
  }
  if (precision < 1) precision = 1;
  if (precision > kMaxFormatGPrecision) precision = kMaxFormatGPrecision;

  // Round the exact value to `precision` digits, half to even: digits_ and inexact_ tell
  // whether what is cut off is below, exactly at or above half a unit of the last kept digit.
  const uint64_t unit = PowerOfTen(kKeptDigits - precision);
  uint64_t kept = digits_ / unit;
  const uint64_t cut = digits_ % unit;
  const uint64_t half = unit / 2;
  int exponent = exponent_;
  if (cut > half || (cut == half && (inexact_ || (kept & 1) != 0))) {
    if (++kept == PowerOfTen(precision)) {  // 999.. rounded up to 1000..
      kept /= 10;
      ++exponent;
    }
  }
  char digits[kMaxFormatGPrecision];
  for (int i = precision - 1; i >= 0; --i) {
    digits[i] = static_cast<char>('0' + kept % 10);
    kept /= 10;
  }
  int significant = precision;  // without trailing zeros
  while (significant > 1 && digits[significant - 1] == '0') --significant;

  if (exponent < -4 || exponent >= precision) {  // d.ddde+XX
    *p++ = digits[0];
    if (significant > 1) {
      *p++ = '.';
      std::memcpy(p, digits + 1, static_cast<size_t>(significant - 1));
      p += significant - 1;
    }
    *p++ = 'e';
    *p++ = exponent < 0 ? '-' : '+';
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude >= 100) *p++ = static_cast<char>('0' + magnitude / 100);
    *p++ = static_cast<char>('0' + magnitude / 10 % 10);
    *p++ = static_cast<char>('0' + magnitude % 10);
  } else if (exponent >= 0) {  // ddd.ddd: exponent + 1 integer digits, all within `digits`
    const int integer_digits = exponent + 1;
    std::memcpy(p, digits, static_cast<size_t>(integer_digits));
    p += integer_digits;
    if (significant > integer_digits) {
      *p++ = '.';
      std::memcpy(p, digits + integer_digits, static_cast<size_t>(significant - integer_digits));
      p += significant - integer_digits;
    }
  } else {  // 0.000ddd: -exponent - 1 zeros after the point (at most 3)
    *p++ = '0';
    *p++ = '.';
    for (int i = -1; i > exponent; --i) *p++ = '0';
    std::memcpy(p, digits, static_cast<size_t>(significant));
    p += significant;
  }
  return static_cast<size_t>(p - out);
}

}  // namespace edge::json
