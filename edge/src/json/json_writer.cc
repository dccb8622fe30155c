#include "edge/json/json_writer.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "json/decimal_double.h"

namespace edge {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr uint32_t kReplacementCharacter = 0xFFFD;
constexpr uint32_t kFirstSupplementaryCodePoint = 0x10000;
constexpr size_t kUnicodeEscapeSize = 6;                 // \uXXXX
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

// Bytes copied as they are: printable ASCII (and DEL, which JSON allows) except '"' and '\'.
// A table lookup keeps the hot loop of String() to one load and one branch per byte.
struct VerbatimTable {
  bool verbatim[256] = {};
  constexpr VerbatimTable() {
    for (int c = 0x20; c < 0x80; ++c) verbatim[c] = c != '"' && c != '\\';
  }
};
constexpr VerbatimTable kVerbatim;

struct DecodedCodePoint {
  uint32_t code_point;
  size_t length;  // bytes consumed, always >= 1
};

// Decodes the sequence starting at s[0] (a byte >= 0x80) strictly per Unicode table 3-7:
// overlongs, surrogates (U+D800..DFFF) and values above U+10FFFF are ill-formed. An
// ill-formed sequence becomes one U+FFFD per "maximal subpart" (Unicode section 3.9, the
// practice WHATWG Encoding and Python's errors="replace" follow): the longest prefix of a
// well-formed sequence is replaced as a unit, and a byte that cannot start one is replaced
// alone. So "\xE2\x82" (truncated euro sign) gives one U+FFFD, "\xC0\x80" gives two.
DecodedCodePoint DecodeMultiByte(const unsigned char* s, size_t available) noexcept {
  const unsigned char lead = s[0];
  size_t length = 0;
  uint32_t code_point = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0Fu;
    if (lead == 0xE0) second_min = 0xA0;  // below: overlong
    if (lead == 0xED) second_max = 0x9F;  // above: surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07u;
    if (lead == 0xF0) second_min = 0x90;  // below: overlong
    if (lead == 0xF4) second_max = 0x8F;  // above: beyond U+10FFFF
  } else {
    // Continuation byte, C0/C1 (always overlong) or F5..FF (always beyond U+10FFFF).
    return {kReplacementCharacter, 1};
  }
  if (available < 2 || s[1] < second_min || s[1] > second_max) return {kReplacementCharacter, 1};
  code_point = (code_point << 6) | (s[1] & 0x3Fu);
  for (size_t i = 2; i < length; ++i) {
    if (i >= available || (s[i] & 0xC0) != 0x80) return {kReplacementCharacter, i};
    code_point = (code_point << 6) | (s[i] & 0x3Fu);
  }
  return {code_point, length};
}

void WriteUnicodeEscape(uint32_t code_unit, char* p) noexcept {
  p[0] = '\\';
  p[1] = 'u';
  p[2] = kHexDigits[(code_unit >> 12) & 0xF];
  p[3] = kHexDigits[(code_unit >> 8) & 0xF];
  p[4] = kHexDigits[(code_unit >> 4) & 0xF];
  p[5] = kHexDigits[code_unit & 0xF];
}

// JSON's two-character escapes (\" \\ \b \f \n \r \t), or 0 where only \u00XX exists.
char ShortEscape(unsigned char c) noexcept {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '\b':
      return 'b';
    case '\f':
      return 'f';
    case '\n':
      return 'n';
    case '\r':
      return 'r';
    case '\t':
      return 't';
    default:
      return 0;
  }
}

// Escapes an ASCII byte that is not verbatim: '"', '\' or a control character.
void WriteAsciiEscape(unsigned char c, ByteWriter& out) noexcept {
  if (const char short_form = ShortEscape(c)) {
    if (char* p = out.Extend(2)) {
      p[0] = '\\';
      p[1] = short_form;
    }
    return;
  }
  if (char* p = out.Extend(kUnicodeEscapeSize)) WriteUnicodeEscape(c, p);
}

// Writes a non-ASCII code point as \uXXXX, or as a UTF-16 surrogate pair above the BMP, so
// the output stays ASCII whatever the input.
void WriteCodePointEscape(uint32_t code_point, ByteWriter& out) noexcept {
  if (code_point < kFirstSupplementaryCodePoint) {
    if (char* p = out.Extend(kUnicodeEscapeSize)) WriteUnicodeEscape(code_point, p);
    return;
  }
  const uint32_t offset = code_point - kFirstSupplementaryCodePoint;
  if (char* p = out.Extend(2 * kUnicodeEscapeSize)) {
    WriteUnicodeEscape(0xD800 + (offset >> 10), p);
    WriteUnicodeEscape(0xDC00 + (offset & 0x3FF), p + kUnicodeEscapeSize);
  }
}

// Most attribute doubles (ratios, milliseconds) have a few decimals. If d * 10^k rounds to an
// integer n and n / 10^k gives d back, then the digits of n with k decimals round-trip: that
// IEEE division is correctly rounded, exactly as strtod is on those digits. This avoids the
// exact expansion + strtod of the general path. Returns false if no k up to kMaxDecimals works.
bool AppendShortDecimal(double d, ByteWriter& out) noexcept {
  constexpr int kMaxDecimals = 9;
  double scale = 1;
  for (int decimals = 1; decimals <= kMaxDecimals; ++decimals) {
    scale *= 10;
    const double scaled = d * scale;
    if (!(std::fabs(scaled) <= kMaxExactInteger)) return false;
    if (scaled != std::trunc(scaled) || scaled / scale != d) continue;

    char text[32];  // sign, up to 16 integer digits, '.', 9 decimals
    char* const end = text + sizeof text;
    char* p = end;
    auto magnitude = static_cast<uint64_t>(std::fabs(scaled));
    for (int i = 0; i < decimals; ++i) {
      *--p = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    }
    *--p = '.';
    do {
      *--p = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    if (d < 0) *--p = '-';
    out.Append(std::string_view(p, static_cast<size_t>(end - p)));
    return true;
  }
  return false;
}

// True when none of 8 bytes needs escaping: no byte < 0x20, >= 0x80, '"' or '\\'. Header
// values are long runs of plain ASCII, so testing a word at a time (the "has less than" and
// "has zero byte" bit tricks) makes the common case several times faster than a byte loop.
bool AllVerbatim8(const unsigned char* p) noexcept {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHighBits = 0x8080808080808080ull;
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  const uint64_t below_space = (w - kOnes * 0x20) & ~w;
  const uint64_t quote = w ^ (kOnes * '"');
  const uint64_t backslash = w ^ (kOnes * '\\');
  const uint64_t has_quote = (quote - kOnes) & ~quote;
  const uint64_t has_backslash = (backslash - kOnes) & ~backslash;
  return ((w | below_space | has_quote | has_backslash) & kHighBits) == 0;
}

}  // namespace

void JsonWriter::String(std::string_view s, size_t max_chars) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  size_t chars_left = max_chars == 0 ? SIZE_MAX : max_chars;
  out_.Append('"');
  while (p < end && chars_left > 0) {
    // Common case: a run of verbatim ASCII bytes, one code point each, copied in one go.
    const size_t bytes_left = static_cast<size_t>(end - p);
    const unsigned char* const run_limit = p + (bytes_left < chars_left ? bytes_left : chars_left);
    const unsigned char* run_end = p;
    while (run_limit - run_end >= 8 && AllVerbatim8(run_end)) run_end += 8;
    while (run_end < run_limit && kVerbatim.verbatim[*run_end]) ++run_end;
    if (run_end != p) {
      const size_t run_size = static_cast<size_t>(run_end - p);
      out_.Append(std::string_view(reinterpret_cast<const char*>(p), run_size));
      chars_left -= run_size;
      p = run_end;
      continue;
    }
    if (*p < 0x80) {
      WriteAsciiEscape(*p, out_);
      ++p;
    } else {
      const DecodedCodePoint decoded = DecodeMultiByte(p, bytes_left);
      WriteCodePointEscape(decoded.code_point, out_);
      p += decoded.length;
    }
    --chars_left;
    if (out_.overflowed()) return;  // the output is discarded anyway; stop early
  }
  out_.Append('"');
}

void JsonWriter::Key(std::string_view k) noexcept {
  if (char* p = out_.Extend(k.size() + 3)) {
    p[0] = '"';
    std::memcpy(p + 1, k.data(), k.size());
    p[k.size() + 1] = '"';
    p[k.size() + 2] = ':';
  }
}

void JsonWriter::QuotedUint(uint64_t v) noexcept {
  out_.Append('"');
  out_.AppendUint(v);
  out_.Append('"');
}

void JsonWriter::QuotedInt(int64_t v) noexcept {
  out_.Append('"');
  out_.AppendInt(v);
  out_.Append('"');
}

void JsonWriter::Double(double d) noexcept {
  // JSON has no NaN or Infinity; proto3 JSON writes them as these strings.
  if (std::isnan(d)) {
    out_.Append("\"NaN\"");
    return;
  }
  if (std::isinf(d)) {
    out_.Append(d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  // Every integer up to 2^53 is exact in a double: plain digits, no exponent.
  if (std::fabs(d) <= kMaxExactInteger && d == std::trunc(d)) {
    if (d == 0 && std::signbit(d)) {
      out_.Append("-0");
    } else {
      out_.AppendInt(static_cast<int64_t>(d));
    }
    return;
  }
  if (AppendShortDecimal(d, out_)) return;
  // Otherwise the shortest of %.15g, %.16g, %.17g that reads back as the same double (17
  // significant digits always do), so 0.1 is written "0.1", not "0.10000000000000001". %g never
  // prints a bare "." or a leading "+", so the result is a valid JSON number. DecimalDouble
  // writes exactly what snprintf would in the "C" locale, without linking the printf family;
  // strtod stays linked anyway for the configuration.
  const json::DecimalDouble decimal(d);
  char text[json::kMaxFormatGSize + 1];
  for (int precision = 15;; ++precision) {
    const size_t n = decimal.FormatG(precision, text);
    text[n] = '\0';
    if (precision == json::kMaxFormatGPrecision || std::strtod(text, nullptr) == d) {
      out_.Append(std::string_view(text, n));
      return;
    }
  }
}

}  // namespace edge
