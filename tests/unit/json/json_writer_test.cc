#include "edge/json/json_writer.h"

#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace edge {
namespace {

using nlohmann::json;

// Big enough for any input below: String() writes at most 6 bytes per input byte.
char g_buffer[1 << 16];

std::string Quote(std::string_view in, size_t max_chars = 0) {
  ByteWriter out(g_buffer, sizeof g_buffer);
  JsonWriter(out).String(in, max_chars);
  REQUIRE_FALSE(out.overflowed());
  return std::string(out.view());
}

// What a JSON parser reads back from String()'s output (as UTF-8), or "<invalid>".
std::string Unquote(const std::string& text) {
  const json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_string()) return "<invalid>";
  return parsed.get<std::string>();
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Reference UTF-8 encoder, written independently of the decoder under test.
std::string EncodeUtf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

std::string Double(double d) {
  ByteWriter out(g_buffer, sizeof g_buffer);
  JsonWriter(out).Double(d);
  return std::string(out.view());
}

TEST_CASE("plain ASCII is copied between quotes") {
  CHECK(Quote("") == "\"\"");
  CHECK(Quote("GET /products/42?a=1&b=2") == "\"GET /products/42?a=1&b=2\"");
  CHECK(Quote("a/b~{}[]'") == "\"a/b~{}[]'\"");  // '/' needs no escape
  CHECK(Quote("\x7f") == "\"\x7f\"");            // DEL is legal in a JSON string
}

TEST_CASE("quote and backslash are escaped") {
  CHECK(Quote("say \"hi\"") == R"("say \"hi\"")");
  CHECK(Quote("C:\\path\\") == R"("C:\\path\\")");
}

TEST_CASE("control characters use the short escapes where JSON has them, else \\u00XX") {
  CHECK(Quote("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(Quote(std::string_view("\0", 1)) == R"("\u0000")");
  CHECK(Quote("\x01") == R"("\u0001")");
  CHECK(Quote("\x1f") == R"("\u001f")");
  CHECK(Quote("\x0b") == R"("\u000b")");  // vertical tab has no short form in JSON
}

TEST_CASE("regression: CR/LF from a header value cannot break the JSON line") {
  const std::string out = Quote("x\r\nX-Injected: 1\r\n");
  CHECK(out == R"("x\r\nX-Injected: 1\r\n")");
  CHECK(out.find('\n') == std::string::npos);
  CHECK(out.find('\r') == std::string::npos);
}

TEST_CASE("every ASCII byte round-trips through a JSON parser") {
  for (int c = 0; c < 0x80; ++c) {
    const std::string in(1, static_cast<char>(c));
    const std::string out = Quote(in);
    CHECK(IsAscii(out));
    CHECK(Unquote(out) == in);
  }
}

TEST_CASE("non-ASCII code points become \\uXXXX escapes") {
  CHECK(Quote("\xC2\x80") == R"("\u0080")");
  CHECK(Quote("caf\xC3\xA9") == R"("caf\u00e9")");
  CHECK(Quote("\xDF\xBF") == R"("\u07ff")");
  CHECK(Quote("\xE0\xA0\x80") == R"("\u0800")");
  CHECK(Quote("\xE2\x82\xAC"
              "5") == R"("\u20ac5")");
  CHECK(Quote("\xED\x9F\xBF") == R"("\ud7ff")");  // last before the surrogates
  CHECK(Quote("\xEE\x80\x80") == R"("\ue000")");  // first after them
  CHECK(Quote("\xEF\xBF\xBF") == R"("\uffff")");
}

TEST_CASE("4-byte sequences become UTF-16 surrogate pairs") {
  CHECK(Quote("\xF0\x90\x80\x80") == R"("\ud800\udc00")");  // U+10000
  CHECK(Quote("\xF0\x9F\x98\x80") == R"("\ud83d\ude00")");  // U+1F600
  CHECK(Quote("\xF4\x8F\xBF\xBF") == R"("\udbff\udfff")");  // U+10FFFF
  CHECK(Unquote(Quote("\xF0\x9F\x98\x80")) == "\xF0\x9F\x98\x80");
}

TEST_CASE("every Unicode scalar value is escaped exactly and round-trips") {
  char expected[16];
  for (uint32_t cp = 0x80; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    if (cp < 0x10000) {
      std::snprintf(expected, sizeof expected, "\"\\u%04x\"", static_cast<unsigned>(cp));
    } else {
      const uint32_t v = cp - 0x10000;
      std::snprintf(expected, sizeof expected, "\"\\u%04x\\u%04x\"",
                    static_cast<unsigned>(0xD800 + (v >> 10)),
                    static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
    }
    if (Quote(EncodeUtf8(cp)) != expected) {
      FAIL("code point " << cp << " escaped as " << Quote(EncodeUtf8(cp)));
    }
  }
  // A parser check on a sample (parsing all 1.1M is slow under wasm and sanitizers).
  for (uint32_t cp = 0x80; cp <= 0x10FFFF; cp += 997) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    CHECK(Unquote(Quote(EncodeUtf8(cp))) == EncodeUtf8(cp));
  }
}

// Invalid UTF-8 gives one U+FFFD per maximal subpart (Unicode 3.9, as WHATWG and Python do).
TEST_CASE("invalid UTF-8 becomes U+FFFD, one per maximal subpart") {
  struct Case {
    const char* name;
    std::string_view in;
    const char* out;
  };
  const Case cases[] = {
      {"lone continuation", "\x80", R"("\ufffd")"},
      {"lone last continuation", "\xBF", R"("\ufffd")"},
      {"overlong NUL", "\xC0\x80", R"("\ufffd\ufffd")"},
      {"overlong 2-byte", "\xC1\xBF", R"("\ufffd\ufffd")"},
      {"overlong 3-byte", "\xE0\x80\x80", R"("\ufffd\ufffd\ufffd")"},
      {"overlong 3-byte max", "\xE0\x9F\xBF", R"("\ufffd\ufffd\ufffd")"},
      {"high surrogate", "\xED\xA0\x80", R"("\ufffd\ufffd\ufffd")"},
      {"low surrogate", "\xED\xBF\xBF", R"("\ufffd\ufffd\ufffd")"},
      {"CESU-8 pair", "\xED\xA0\xBD\xED\xB8\x80", R"("\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd")"},
      {"overlong 4-byte", "\xF0\x80\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"overlong 4-byte max", "\xF0\x8F\xBF\xBF", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"above U+10FFFF", "\xF4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"lead F5", "\xF5\x80\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},
      {"byte FE", "\xFE", R"("\ufffd")"},
      {"byte FF", "\xFF", R"("\ufffd")"},
      {"truncated 2-byte at end", "\xC3", R"("\ufffd")"},
      {"truncated 3-byte at end", "\xE2\x82", R"("\ufffd")"},
      {"truncated 4-byte at end", "\xF0\x9F\x98", R"("\ufffd")"},
      {"truncated then ASCII",
       "\xE2\x82"
       "A",
       R"("\ufffdA")"},
      {"truncated then valid",
       "\xF0\x9F"
       "\xC3\xA9",
       R"("\ufffd\u00e9")"},
      {"lead then lead", "\xC3\xC3\xA9", R"("\ufffd\u00e9")"},
      {"truncated then quote", "\xE2\"", R"("\ufffd\"")"},
      // Unicode 15, table 3-8: a, 3x FFFD, b, FFFD, c, 2x FFFD, d.
      {"Unicode table 3-8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
       R"("a\ufffd\ufffd\ufffdb\ufffdc\ufffd\ufffdd")"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string out = Quote(c.in);
    CHECK(out == c.out);
    CHECK(IsAscii(out));
    CHECK(Unquote(out) != "<invalid>");
  }
}

TEST_CASE("every 2-byte input gives pure ASCII, parseable JSON") {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const char in[2] = {static_cast<char>(a), static_cast<char>(b)};
      const std::string out = Quote(std::string_view(in, 2));
      if (!IsAscii(out) || (a % 17 == 0 && Unquote(out) == "<invalid>")) {
        FAIL("bytes " << a << "," << b << " gave " << out);
      }
    }
  }
}

TEST_CASE("max_chars counts code points and never splits a sequence") {
  CHECK(Quote("abcdef", 3) == R"("abc")");
  CHECK(Quote("abcdef", 6) == R"("abcdef")");
  CHECK(Quote("abcdef", 100) == R"("abcdef")");
  CHECK(Quote("abcdef", 0) == R"("abcdef")");                              // 0 = no limit
  const std::string_view mixed = "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80x";  // é € 😀 x
  CHECK(Quote(mixed, 1) == R"("\u00e9")");
  CHECK(Quote(mixed, 2) == R"("\u00e9\u20ac")");
  CHECK(Quote(mixed, 3) == R"("\u00e9\u20ac\ud83d\ude00")");
  CHECK(Quote(mixed, 4) == R"("\u00e9\u20ac\ud83d\ude00x")");
  CHECK(Quote("a\nb", 2) == R"("a\n")");  // an escape is one character
  CHECK(Quote("\xFF\xFF"
              "ab",
              3) == R"("\ufffd\ufffda")");  // so is a replacement
  CHECK(Quote("\xE2\x82"
              "ab",
              2) == R"("\ufffda")");  // a maximal subpart is one
  CHECK(Quote("ab\"cd", 3) == R"("ab\"")");
}

TEST_CASE("String marks the writer overflowed when it does not fit") {
  char small[8];
  {
    ByteWriter out(small, sizeof small);
    JsonWriter(out).String("\xC3\xA9");  // "\u00e9" with quotes: exactly 8 bytes
    CHECK_FALSE(out.overflowed());
    CHECK(out.view() == R"("\u00e9")");
  }
  {
    ByteWriter out(small, sizeof small);
    JsonWriter(out).String("abcdefgh");
    CHECK(out.overflowed());
  }
  {
    ByteWriter out(small, sizeof small);
    JsonWriter(out).String("\xF0\x9F\x98\x80");  // a surrogate pair needs 12 bytes
    CHECK(out.overflowed());
  }
}

TEST_CASE("Key, integers, quoted integers, Bool and Raw") {
  ByteWriter out(g_buffer, sizeof g_buffer);
  JsonWriter w(out);
  w.Raw('{');
  w.Key("a");
  w.Uint(18446744073709551615u);
  w.Raw(',');
  w.Key("b");
  w.Int(-5);
  w.Raw(",");
  w.Key("c");
  w.QuotedUint(1700000000123456789u);
  w.Raw(',');
  w.Key("d");
  w.QuotedInt(std::numeric_limits<int64_t>::min());
  w.Raw(',');
  w.Key("e");
  w.Bool(true);
  w.Raw(',');
  w.Key("f");
  w.Bool(false);
  w.Raw('}');
  CHECK(out.view() == R"({"a":18446744073709551615,"b":-5,"c":"1700000000123456789",)"
                      R"("d":"-9223372036854775808","e":true,"f":false})");
  CHECK_FALSE(json::parse(out.view(), nullptr, false).is_discarded());
}

TEST_CASE("Double writes integers as digits and others in the shortest round-trip form") {
  CHECK(Double(0) == "0");
  CHECK(Double(-0.0) == "-0");
  CHECK(Double(1) == "1");
  CHECK(Double(-2) == "-2");
  CHECK(Double(1.5) == "1.5");
  CHECK(Double(0.1) == "0.1");
  CHECK(Double(0.25) == "0.25");
  CHECK(Double(1.0 / 3) == "0.3333333333333333");
  CHECK(Double(9007199254740992.0) == "9007199254740992");  // 2^53
  CHECK(Double(1e300) == "1e+300");
  CHECK(Double(1e-7) == "0.0000001");
  CHECK(Double(1e-10) == "1e-10");  // beyond 9 decimals: the %g path
  CHECK(Double(-0.05) == "-0.05");
  CHECK(Double(123456.789) == "123456.789");
  CHECK(Double(4503599627370495.5) == "4503599627370495.5");  // 2^52 - 0.5
  CHECK(Double(1e15 + 0.25) == "1000000000000000.2");         // d * 10^k beyond 2^53
  CHECK(Double(std::numeric_limits<double>::denorm_min()) == "4.94065645841247e-324");
  CHECK(Double(-std::numeric_limits<double>::max()) == "-1.7976931348623157e+308");
}

TEST_CASE("Double's general path: the shortest of %.15g, %.16g, %.17g that round-trips") {
  CHECK(Double(1e21) == "1e+21");
  CHECK(Double(1e22) == "1e+22");
  CHECK(Double(123456789012345680000.0) == "1.2345678901234568e+20");
  CHECK(Double(DBL_MAX) == "1.7976931348623157e+308");
  CHECK(Double(std::nextafter(DBL_MAX, 0.0)) == "1.7976931348623155e+308");
  CHECK(Double(DBL_MIN) == "2.2250738585072014e-308");
  CHECK(Double(std::nextafter(DBL_MIN, 0.0)) == "2.225073858507201e-308");  // largest subnormal
  CHECK(Double(5e-324) == "4.94065645841247e-324");                         // smallest subnormal
  CHECK(Double(3 * 5e-324) == "1.48219693752374e-323");
  CHECK(Double(1e-320) == "9.99988867182683e-321");
  CHECK(Double(9007199254740994.0) == "9007199254740994");  // 2^53 + 2
  CHECK(Double(1e16 + 2) == "10000000000000002");
  CHECK(Double(std::ldexp(1.0, 60)) == "1.152921504606847e+18");
  CHECK(Double(-1.5e-300) == "-1.5e-300");
  CHECK(Double(1.2345678901234567e300) == "1.2345678901234567e+300");
  CHECK(Double(2.718281828459045e100) == "2.718281828459045e+100");
  CHECK(Double(123.456e-12) == "1.23456e-10");
  CHECK(Double(std::ldexp(1.0, -20)) == "9.5367431640625e-07");
  CHECK(Double(std::ldexp(1.0, -25)) == "2.9802322387695312e-08");     // an exact tie at 17 digits
  CHECK(Double(0.000123456789012345678) == "0.00012345678901234567");  // %g's last fixed form
  CHECK(Double(1e15 / 3) == "333333333333333.3");
  CHECK(Double(12345678.123456789) == "12345678.12345679");
  CHECK(Double(3.141592653589793) == "3.141592653589793");
  // 16 digits are enough, 15 are not.
  CHECK(Double(0.1 + 0.7) == "0.7999999999999999");
  CHECK(Double(1.0 / 3 * 1e-5) == "3.3333333333333333e-06");
  // 17 digits are needed.
  CHECK(Double(0.30000000000000004) == "0.30000000000000004");
  CHECK(Double(1e-5 / 3) == "3.3333333333333337e-06");
  CHECK(Double(1.5e-5 / 7) == "2.1428571428571427e-06");
  CHECK(Double(4503599627370494.5) == "4503599627370494.5");    // %.16g ties to ...494: too low
  CHECK(Double(-4503599627370495.5) == "-4503599627370495.5");  // %.16g ties to ...496: too high
  // 9.999999999999999e22 is the same double as 1e23; its neighbours need 16 and 17 digits.
  CHECK(Double(9.999999999999999e22) == "1e+23");
  CHECK(Double(1e23) == "1e+23");
  CHECK(Double(std::nextafter(1e23, 0.0)) == "9.999999999999997e+22");
  CHECK(Double(std::nextafter(1e23, INFINITY)) == "1.0000000000000001e+23");
  // Short decimals still take the fast path, not %g.
  CHECK(Double(1e-5) == "0.00001");
  CHECK(Double(-1e-5) == "-0.00001");
  CHECK(Double(0.1e-9 * 3) == "3e-10");
}

TEST_CASE("Double writes NaN and infinities as proto3 JSON strings") {
  CHECK(Double(std::numeric_limits<double>::quiet_NaN()) == R"("NaN")");
  CHECK(Double(std::numeric_limits<double>::infinity()) == R"("Infinity")");
  CHECK(Double(-std::numeric_limits<double>::infinity()) == R"("-Infinity")");
}

TEST_CASE("Double round-trips short decimals, the common attribute values") {
  double scale = 1;
  for (int decimals = 1; decimals <= 12; ++decimals) {
    scale *= 10;
    for (int64_t n = -2000; n <= 2000; n += 7) {
      const double d = static_cast<double>(n * 1000003) / scale;
      const std::string text = Double(d);
      REQUIRE_MESSAGE(std::strtod(text.c_str(), nullptr) == d, text);
    }
  }
}

TEST_CASE("Double round-trips arbitrary finite bit patterns as valid JSON numbers") {
  uint64_t state = 12345;
  int checked = 0;
  while (checked < 20000) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    double d;
    std::memcpy(&d, &state, sizeof d);
    if (!std::isfinite(d)) continue;
    ++checked;
    const std::string text = Double(d);
    REQUIRE(std::strtod(text.c_str(), nullptr) == d);
    if (checked % 50 == 0) REQUIRE(json::parse(text, nullptr, false).is_number());
  }
}

}  // namespace
}  // namespace edge
