// JsonWriter::String on arbitrary bytes (untrusted header values end up there): the output is
// always one valid JSON string, pure ASCII, at most 6 bytes per input byte (the bound
// OtlpJsonEncoder::Init sizes its buffer with); valid UTF-8 round-trips exactly; max_chars
// keeps a code-point prefix; and a buffer one byte short overflows instead of truncating.
//
// JsonWriter::Double on the double whose bits are the first 8 input bytes, and on the number
// strtod reads from the input as text: byte for byte what the writer printed before it dropped
// snprintf (ReferenceDouble below, the old code with snprintf, which only this test links).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "edge/json/byte_writer.h"
#include "edge/json/json_writer.h"
#include "fuzz_check.h"

namespace {

using nlohmann::json;

constexpr size_t kMaxEscapedBytesPerByte = 6;
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

// Strict UTF-8 check written independently of the writer: decode, then reject overlongs,
// surrogates and values above U+10FFFF by value rather than by byte ranges.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    // Sequence length from the lead byte's high bits, and the smallest non-overlong value.
    size_t length = 0;
    uint32_t min_cp = 0;
    if ((lead & 0xE0) == 0xC0) {
      length = 2;
      min_cp = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      min_cp = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      min_cp = 0x10000;
    } else {
      return false;
    }
    uint32_t cp = lead & (0x7Fu >> length);
    if (s.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

size_t CountCodePoints(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Writes `in` with String() into a worst-case-sized buffer and returns the JSON text.
std::string Quote(std::string_view in, size_t max_chars) {
  std::vector<char> buffer(in.size() * kMaxEscapedBytesPerByte + 2);
  edge::ByteWriter out(buffer.data(), buffer.size());
  edge::JsonWriter(out).String(in, max_chars);
  FUZZ_CHECK(!out.overflowed());
  return std::string(out.view());
}

// Checks `text` is one JSON string of pure ASCII and returns its value as UTF-8.
std::string ParseJsonString(const std::string& text) {
  for (char c : text) FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80);
  const json parsed = json::parse(text, nullptr, false);
  FUZZ_CHECK(!parsed.is_discarded());
  FUZZ_CHECK(parsed.is_string());
  return parsed.get<std::string>();
}

// JsonWriter::Double as it was with snprintf: NaN/Infinity as strings, integers up to 2^53 as
// digits, d * 10^k integral for some k <= 9 as those digits, else the shortest of %.15g, %.16g,
// %.17g that strtod reads back as d.
std::string ReferenceDouble(double d) {
  constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
  if (std::isnan(d)) return "\"NaN\"";
  if (std::isinf(d)) return d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  if (std::fabs(d) <= kMaxExactInteger && d == std::trunc(d)) {
    if (d == 0 && std::signbit(d)) return "-0";
    return std::to_string(static_cast<int64_t>(d));
  }
  double scale = 1;
  for (int decimals = 1; decimals <= 9; ++decimals) {
    scale *= 10;
    const double scaled = d * scale;
    if (!(std::fabs(scaled) <= kMaxExactInteger)) break;
    if (scaled != std::trunc(scaled) || scaled / scale != d) continue;
    std::string digits = std::to_string(static_cast<uint64_t>(std::fabs(scaled)));
    if (digits.size() <= static_cast<size_t>(decimals)) {
      digits.insert(0, static_cast<size_t>(decimals) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(decimals), ".");
    return d < 0 ? "-" + digits : digits;
  }
  char text[32];
  for (int precision = 15; precision <= 17; ++precision) {
    const int n = std::snprintf(text, sizeof text, "%.*g", precision, d);
    FUZZ_CHECK(n > 0 && static_cast<size_t>(n) < sizeof text);
    if (precision == 17 || std::strtod(text, nullptr) == d) return std::string(text, n);
  }
  return "";
}

void CheckDouble(double d) {
  char buffer[64];
  edge::ByteWriter out(buffer, sizeof buffer);
  edge::JsonWriter(out).Double(d);
  FUZZ_CHECK(!out.overflowed());
  const std::string text(out.view());
  FUZZ_CHECK(text == ReferenceDouble(d));
  if (std::isfinite(d)) {
    FUZZ_CHECK(std::strtod(text.c_str(), nullptr) == d);
    FUZZ_CHECK(json::parse(text, nullptr, false).is_number());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (size >= sizeof(double)) {
    double bits;
    std::memcpy(&bits, data, sizeof bits);
    CheckDouble(bits);
  }
  const std::string terminated(input);
  char* end = nullptr;
  const double parsed = std::strtod(terminated.c_str(), &end);
  if (end != terminated.c_str()) CheckDouble(parsed);

  const std::string full = Quote(input, 0);
  const std::string decoded = ParseJsonString(full);
  if (IsValidUtf8(input)) {
    FUZZ_CHECK(decoded == input);
  } else {
    FUZZ_CHECK(decoded.find(kReplacementUtf8) != std::string::npos);
  }

  // A limit taken from the input itself, so the fuzzer explores it too.
  const size_t max_chars = size == 0 ? 1 : 1 + data[0] % 64;
  const std::string limited = ParseJsonString(Quote(input, max_chars));
  FUZZ_CHECK(decoded.compare(0, limited.size(), limited) == 0);
  const size_t total = CountCodePoints(decoded);
  FUZZ_CHECK(CountCodePoints(limited) == (total < max_chars ? total : max_chars));

  // One byte short overflows (never a silently cut string); exactly enough does not.
  std::vector<char> exact(full.size());
  edge::ByteWriter fits(exact.data(), exact.size());
  edge::JsonWriter(fits).String(input);
  FUZZ_CHECK(!fits.overflowed() && fits.view() == full);
  edge::ByteWriter short_by_one(exact.data(), exact.size() - 1);
  edge::JsonWriter(short_by_one).String(input);
  FUZZ_CHECK(short_by_one.overflowed());
  return 0;
}
