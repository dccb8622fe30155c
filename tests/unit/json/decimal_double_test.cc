// DecimalDouble: printf's %.*g without printf (edge/src/json/decimal_double.cc).
#include "json/decimal_double.h"

#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace {

std::string FormatG(double d, int precision) {
  char text[edge::json::kMaxFormatGSize];
  const size_t n = edge::json::DecimalDouble(d).FormatG(precision, text);
  REQUIRE(n <= sizeof text);
  return std::string(text, n);
}

TEST_CASE("DecimalDouble::FormatG writes what printf's %.*g writes") {
  // %g layout: fixed while -4 <= exponent < precision, trailing zeros and '.' dropped.
  CHECK(FormatG(100.0, 1) == "1e+02");
  CHECK(FormatG(100.0, 3) == "100");
  CHECK(FormatG(123456.0, 6) == "123456");
  CHECK(FormatG(1234567.0, 6) == "1.23457e+06");
  CHECK(FormatG(0.0001, 6) == "0.0001");
  CHECK(FormatG(0.00001234, 6) == "1.234e-05");
  CHECK(FormatG(1e-5, 6) == "1e-05");
  CHECK(FormatG(1e16, 17) == "10000000000000000");
  CHECK(FormatG(1e17, 17) == "1e+17");
  CHECK(FormatG(0.1, 17) == "0.10000000000000001");
  CHECK(FormatG(1.0 / 3, 1) == "0.3");
  CHECK(FormatG(12345678901234567.0, 17) == "12345678901234568");
  CHECK(FormatG(0.00012345678901234567, 17) == "0.00012345678901234567");
  CHECK(FormatG(1.2345678901234567e300, 17) == "1.2345678901234567e+300");
  CHECK(FormatG(-DBL_MAX, 17) == "-1.7976931348623157e+308");
  CHECK(FormatG(-2.2250738585072014e-308, 17) == "-2.2250738585072014e-308");
  CHECK(FormatG(5e-324, 17) == "4.9406564584124654e-324");
  CHECK(FormatG(5e-324, 1) == "5e-324");
  CHECK(FormatG(0.0, 15) == "0");
  CHECK(FormatG(-0.0, 17) == "-0");
  CHECK(FormatG(std::numeric_limits<double>::infinity(), 17) == "inf");
  CHECK(FormatG(-std::numeric_limits<double>::infinity(), 6) == "-inf");
  CHECK(FormatG(std::numeric_limits<double>::quiet_NaN(), 6) == "nan");
  CHECK(FormatG(-std::numeric_limits<double>::quiet_NaN(), 6) == "-nan");
  // Rounding up can carry into a new digit, and so change the layout.
  CHECK(FormatG(9.5, 1) == "1e+01");
  CHECK(FormatG(99.5, 2) == "1e+02");
  CHECK(FormatG(999999.5, 6) == "1e+06");
  CHECK(FormatG(99999999999999999.0, 17) == "1e+17");
  CHECK(FormatG(0.000099999995, 6) == "0.0001");  // exponent -5 becomes -4: fixed form
}

TEST_CASE("DecimalDouble::FormatG rounds the exact binary value, exact ties to even") {
  // Exact ties (the expansion ends with the 5): to the even digit.
  CHECK(FormatG(2.5, 1) == "2");
  CHECK(FormatG(3.5, 1) == "4");
  CHECK(FormatG(0.125, 2) == "0.12");
  CHECK(FormatG(0.375, 2) == "0.38");
  CHECK(FormatG(1234567890123456.5, 16) == "1234567890123456");
  CHECK(FormatG(1234567890123457.5, 16) == "1234567890123458");
  CHECK(FormatG(1.239776611328125e-05, 15) == "1.23977661132812e-05");     // 2^-17 * 13 / 8
  CHECK(FormatG(1.0013580322265625e-05, 16) == "1.001358032226562e-05");   // 2^-17 * 21 / 16
  CHECK(FormatG(1.0728836059570312e-06, 17) == "1.0728836059570312e-06");  // ...03125, 9 / 2^23
  CHECK(FormatG(1.3113021850585938e-06, 17) == "1.3113021850585938e-06");  // ...59375, 11 / 2^23
  // A 5 followed by more nonzero digits is above the tie: up, even from an even digit.
  CHECK(FormatG(3.3527612686157227e-08, 17) == "3.3527612686157227e-08");  // ...2265625
  // Decimal literals that look like ties are not ties in binary.
  CHECK(FormatG(0.15, 1) == "0.1");    // 0.1499999999999999944...
  CHECK(FormatG(0.25, 1) == "0.2");    // exact: tie to even
  CHECK(FormatG(0.35, 1) == "0.3");    // 0.3499999999999999777...
  CHECK(FormatG(2.675, 3) == "2.67");  // 2.67499999999999982236431605997495353221893310546875
}

TEST_CASE("DecimalDouble::FormatG agrees with snprintf on arbitrary bit patterns") {
  // The test binary may link printf: here (and under wasm, against musl's) it is the reference.
  uint64_t state = 987654321;
  char expected[64];
  for (int i = 0; i < 3000; ++i) {
    state = state * 6364136223846793005u + 1442695040888963407u;
    double d;
    std::memcpy(&d, &state, sizeof d);
    if (!std::isfinite(d)) continue;
    for (int precision = 1; precision <= edge::json::kMaxFormatGPrecision; ++precision) {
      std::snprintf(expected, sizeof expected, "%.*g", precision, d);
      if (FormatG(d, precision) != expected) {
        FAIL("precision " << precision << ": " << FormatG(d, precision) << " != " << expected);
      }
    }
  }
}

}  // namespace
