#include "json/json_value.h"

#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace edge::json {
namespace {

// A string literal with embedded NULs, all of it.
template <size_t N>
std::string_view Bytes(const char (&literal)[N]) {
  return {literal, N - 1};
}

Value Parse(std::string_view text) {
  return Value::parse(text.data(), text.data() + text.size(), nullptr, false);
}

bool Valid(std::string_view text) { return !Parse(text).is_discarded(); }

bool NlohmannValid(std::string_view text) {
  return !nlohmann::json::parse(text.begin(), text.end(), nullptr, false).is_discarded();
}

// The string a one-element array `["..."]` decodes to; "<invalid>" when it does not parse.
std::string Decoded(std::string_view escaped) {
  const Value v = Parse("[\"" + std::string(escaped) + "\"]");
  if (v.is_discarded()) return "<invalid>";
  REQUIRE(v[size_t{0}].is_string());
  return v[size_t{0}].get<std::string>();
}

// The number a document holds; NaN when it does not parse.
double Number(std::string_view text) {
  const Value v = Parse(text);
  if (v.is_discarded()) return NAN;
  REQUIRE(v.is_number());
  return v.get<double>();
}

std::string Nested(int depth, std::string_view open, std::string_view inner,
                   std::string_view close) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += open;
  text += inner;
  for (int i = 0; i < depth; ++i) text += close;
  return text;
}

// ---- grammar: JSONTestSuite (github.com/nst/JSONTestSuite) y_ and n_ cases, by file name -----

// Valid JSON: accepted, as nlohmann accepts it.
constexpr std::string_view kAccepted[] = {
    "[[]   ]",               // y_array_arraysWithSpaces
    "[\"\"]",                // y_array_empty-string
    "[]",                    // y_array_empty
    "[\"a\"]",               // y_array_ending_with_newline
    "[false]",               // y_array_false
    "[null, 1, \"1\", {}]",  // y_array_heterogeneous
    "[null]",                // y_array_null
    "[1\n]",                 // y_array_with_1_and_newline
    " [1]",                  // y_array_with_leading_space
    "[1,null,null,null,2]",  // y_array_with_several_null
    "[2] ",                  // y_array_with_trailing_space
    "[123e65]",              // y_number
    "[0e+1]",                // y_number_0e+1
    "[0e1]",                 // y_number_0e1
    "[ 4]",                  // y_number_after_space
    // y_number_double_close_to_zero
    "[-0.000000000000000000000000000000000000000000000000000000000000000000000000000001]\n",
    "[20e1]",                                   // y_number_int_with_exp
    "[-0]",                                     // y_number_minus_zero
    "[-123]",                                   // y_number_negative_int
    "[-1]",                                     // y_number_negative_one
    "[1E22]",                                   // y_number_real_capital_e
    "[1E-2]",                                   // y_number_real_capital_e_neg_exp
    "[1E+2]",                                   // y_number_real_capital_e_pos_exp
    "[123e45]",                                 // y_number_real_exponent
    "[123.456e78]",                             // y_number_real_fraction_exponent
    "[1e-2]",                                   // y_number_real_neg_exp
    "[1e+2]",                                   // y_number_real_pos_exponent
    "[123]",                                    // y_number_simple_int
    "[123.456789]",                             // y_number_simple_real
    "[123e-10000000]",                          // i_number_real_underflow: 0
    "[-123123123123123123123123123123]",        // i_number_too_big_neg_int: a double
    "[100000000000000000000]",                  // i_number_very_big_positive_int
    "{\"asd\":\"sdf\", \"dfg\":\"fgh\"}",       // y_object
    "{\"asd\":\"sdf\"}",                        // y_object_basic
    "{}",                                       // y_object_empty
    "{\"\":0}",                                 // y_object_empty_key
    "{\"foo\\u0000bar\": 42}",                  // y_object_escaped_null_in_key
    "{ \"min\": -1.0e+28, \"max\": 1.0e+28 }",  // y_object_extreme_numbers
    "{\"a\": []}",                              // y_object_simple
    "{\"title\":\"\\u041f\\u043e\\u043b\\u0442\\u043e\\u0440\\u0430 \"}",  // y_object_string_unicode
    "{\n\"a\": \"b\"\n}",                                                  // y_object_with_newlines
    "[\"\\u0060\\u012a\\u12AB\"]",                          // y_string_1_2_3_bytes_UTF-8_sequences
    "[\"\\uD801\\udc37\"]",                                 // y_string_accepted_surrogate_pair
    "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",                     // y_string_allowed_escapes
    "[\"\\\\u0000\"]",                                      // y_string_backslash_and_u_escaped_zero
    "[\"a/*b*/c/*d//e\"]",                                  // y_string_comments
    "[\"\\u0012\"]",                                        // y_string_escaped_control_character
    "[\"\xef\xbf\xbf\"]",                                   // y_string_nonCharacterInUTF-8_U+FFFF
    "[\"\xf4\x8f\xbf\xbf\"]",                               // y_string_nonCharacterInUTF-8_U+10FFFF
    "[\"\\uDBFF\\uDFFE\"]",                                 // y_string_unicode_U+10FFFE_nonchar
    "[\"\xe2\x82\xac\xf0\x9d\x84\x9e\"]",                   // y_string_utf8
    "[\"a\x7f\x61\"]",                                      // y_string_with_del_character
    "false",                                                // y_structure_lonely_false
    "42",                                                   // y_structure_lonely_int
    "-0.1",                                                 // y_structure_lonely_negative_real
    "null",                                                 // y_structure_lonely_null
    "\"asd\"",                                              // y_structure_lonely_string
    "true",                                                 // y_structure_lonely_true
    "\"\"",                                                 // y_structure_string_empty
    "[\"a\"]\n",                                            // y_structure_trailing_newline
    "[true]",                                               // y_structure_true_in_array
    " [] ",                                                 // y_structure_whitespace_array
    "\t\r\n {\t\r\n \"a\"\t\r\n :\t\r\n 1\t\r\n }\t\r\n ",  // every whitespace byte
};

// Invalid JSON: rejected, as nlohmann rejects it.
constexpr std::string_view kRejected[] = {
    "[1 true]",                    // n_array_1_true_without_comma
    "[\"\": 1]",                   // n_array_colon_instead_of_comma
    "[\"\"],",                     // n_array_comma_after_close
    "[,1]",                        // n_array_comma_and_number
    "[1,,2]",                      // n_array_double_comma
    "[\"x\"]]",                    // n_array_extra_close
    "[\"\",]",                     // n_array_extra_comma
    "[\"x\"",                      // n_array_incomplete
    "[3[4]]",                      // n_array_inner_array_no_comma
    "[,]",                         // n_array_just_comma
    "[-]",                         // n_array_just_minus
    "[   , \"\"]",                 // n_array_missing_value
    "[1,]",                        // n_array_number_and_comma
    "[",                           // n_array_unclosed
    "[1,\n1\n,1",                  // n_array_unclosed_with_new_lines
    "[fals]",                      // n_incomplete_false
    "[nul]",                       // n_incomplete_null
    "[tru]",                       // n_incomplete_true
    "[True]",                      // n_structure_capitalized_True
    "[++1234]",                    // n_number_++
    "[+1]",                        // n_number_+1
    "[-01]",                       // n_number_-01
    "[-1.0.]",                     // n_number_-1.0.
    "[-2.]",                       // n_number_-2.
    "[-NaN]",                      // n_number_-NaN
    "[.-1]",                       // n_number_.-1
    "[.2e-3]",                     // n_number_.2e-3
    "[0.1.2]",                     // n_number_0.1.2
    "[0.3e+]",                     // n_number_0.3e+
    "[0.e1]",                      // n_number_0.e1
    "[0E+]",                       // n_number_0_capital_E+
    "[0e]",                        // n_number_0e
    "[1.0e-]",                     // n_number_1.0e-
    "[1 000.0]",                   // n_number_1_000
    "[2.e3]",                      // n_number_2.e3
    "[9.e+]",                      // n_number_9.e+
    "[Inf]",                       // n_number_Inf
    "[NaN]",                       // n_number_NaN
    "[1+2]",                       // n_number_expression
    "[0x1]",                       // n_number_hex_1_digit
    "[Infinity]",                  // n_number_infinity
    "[-Infinity]",                 // n_number_minus_infinity
    "[-012]",                      // n_number_neg_int_starting_with_zero
    "[1.]",                        // n_number_real_without_fractional_part
    "[.123]",                      // n_number_starting_with_dot
    "[012]",                       // n_number_with_leading_zero
    "[-1e+9999]",                  // i_number_neg_int_huge_exp: not a finite double
    "[1.5e999]",                   // i_number_pos_double_huge_exp
    "[\"x\", truth]",              // n_object_bad_value
    "{\"x\", null}",               // n_object_comma_instead_of_colon
    "{\"x\"::\"b\"}",              // n_object_double_colon
    "{\"a\" b}",                   // n_object_missing_colon
    "{:\"b\"}",                    // n_object_missing_key
    "{\"a\" \"b\"}",               // n_object_missing_semicolon
    "{\"a\":",                     // n_object_missing_value
    "{\"a\"",                      // n_object_no-colon
    "{1:1}",                       // n_object_non_string_key
    "{null:null,null:null}",       // n_object_repeated_null_null
    "{'a':0}",                     // n_object_single_quote
    "{\"id\":0,}",                 // n_object_trailing_comma
    "{\"a\":\"b\"}/**/",           // n_object_trailing_comment
    "{\"a\":\"b\"}//",             // n_object_trailing_comment_slash_open
    "{a: \"b\"}",                  // n_object_unquoted_key
    "{\"a\": true} \"x\"",         // n_object_with_trailing_garbage
    "",                            // n_structure_no_data
    " ",                           // n_single_space
    "[\"\\uD800\\\"]",             // n_string_1_surrogate_then_escape
    "[\"\\uD800\\u\"]",            // n_string_1_surrogate_then_escape_u
    "[\"\\uD800\\u1x\"]",          // n_string_1_surrogate_then_escape_u1x
    "[\"\\x00\"]",                 // n_string_escape_x
    "[\"\\\\\\\"]",                // n_string_escaped_backslash_bad
    "[\"\\\xf0\x9f\x8c\x80\"]",    // n_string_escaped_emoji
    "[\"\\\"]",                    // n_string_incomplete_escape
    "[\"\\u00A\"]",                // n_string_incomplete_escaped_character
    "[\"\\uD800\\uD800\\x\"]",     // n_string_incomplete_surrogate_escape_invalid
    "[\"\\u\xe5\"]",               // n_string_invalid-utf-8-in-escape
    "[\"\\a\"]",                   // n_string_invalid_backslash_esc
    "[\"\\uqqqq\"]",               // n_string_invalid_unicode_escape
    "['single quote']",            // n_string_single_quote
    "\"abc",                       // n_string_unterminated
    "[\"new\nline\"]",             // n_string_unescaped_newline
    "[\"\t\"]",                    // n_string_unescaped_tab
    "[\"a\x1f\"]",                 // n_string_unescaped_ctrl_char (0x1f)
    "[\f]",                        // n_structure_whitespace_formfeed
    "[\v]",                        // vertical tab is not whitespace
    "[\xc2\xa0]",                  // nor is U+00A0
    "[\xe2\x81\xa0]",              // n_structure_U+2060_word_joined
    "[\\u000A\"\"]",               // n_structure_uescaped_LF_before_string
    "<.>",                         // n_structure_angle_bracket_.
    "[\"a\",\n4\n,1,",             // n_structure_open_array_comma
    "{\"a\":\"b\"}#",              // n_structure_trailing_#
    "{\"x\": true,",               // n_structure_comma_instead_of_closing_brace
    "{]",                          // mismatched close
    "[}",                          // mismatched close
    "[\"\\uDADA\"]",               // i_string_1st_surrogate_but_2nd_missing
    "[\"\\uD888\\u1234\"]",        // i_string_1st_valid_surrogate_2nd_invalid
    "[\"\\uDFAA\"]",               // i_string_lone_second_surrogate
    "[\"\\uDd1e\\uD834\"]",        // i_string_inverted_surrogates_U+1D11E
    "[\"\xff\"]",                  // i_string_invalid_utf-8
    "[\"\xe0\xff\"]",              // i_string_invalid_utf8_after_escape-ish
    "[\"\xc0\xaf\"]",              // i_string_overlong_sequence_2_bytes
    "[\"\xe0\x80\xaf\"]",          // overlong 3 bytes
    "[\"\xf0\x80\x80\xaf\"]",      // i_string_overlong_sequence_6_bytes-ish (4 bytes)
    "[\"\xf4\xbf\xbf\xbf\"]",      // i_string_not_in_unicode_range
    "[\"\xed\xa0\x80\"]",          // i_string_utf8_surrogate_U+D800
    "[\"\x81\"]",                  // i_string_lone_utf8_continuation_byte
    "[\"\xe9\"]",                  // i_string_truncated-utf-8
    "[\"\xf8\x88\x80\x80\x80\"]",  // 5-byte form
    "[\xff]",                      // n_structure_lone-invalid-utf-8
    "\xef\xbb\xbf",                // n_structure_UTF8_BOM_no_data
    "\xef\xbb",                    // n_structure_incomplete_UTF8_BOM
};

TEST_CASE("json_value: JSONTestSuite y_ cases are accepted, like nlohmann accepts them") {
  for (std::string_view text : kAccepted) {
    CAPTURE(text);
    CHECK(Valid(text));
    CHECK(NlohmannValid(text));
  }
}

TEST_CASE("json_value: JSONTestSuite n_ cases are rejected, like nlohmann rejects them") {
  for (std::string_view text : kRejected) {
    CAPTURE(text);
    CHECK_FALSE(Valid(text));
    CHECK_FALSE(NlohmannValid(text));
  }
}

TEST_CASE("json_value: raw control characters and NUL are rejected in strings") {
  for (int c = 0; c < 0x20; ++c) {
    std::string text = "[\"a\"]";
    text[2] = static_cast<char>(c);
    CAPTURE(c);
    CHECK_FALSE(Valid(text));
  }
  CHECK(Valid("[\"\x7f\"]"));  // DEL is not a control character for JSON
}

// ---- deliberate differences from nlohmann (json_value.h) --------------------------------------

TEST_CASE("json_value: a NUL byte is invalid even after the document (nlohmann stops there)") {
  CHECK_FALSE(Valid(Bytes("{}\0")));
  CHECK_FALSE(Valid(Bytes("{}\0{\"a\":1}")));
  CHECK_FALSE(Valid(Bytes("[\0]")));  // n_structure_null-byte-outside-string
  CHECK(NlohmannValid(Bytes("{}\0{\"a\":1}")));
}

TEST_CASE("json_value: a byte order mark is invalid (nlohmann skips it)") {
  CHECK_FALSE(Valid("\xef\xbb\xbf{}"));  // i_structure_UTF-8_BOM_empty_object
  CHECK(NlohmannValid("\xef\xbb\xbf{}"));
}

TEST_CASE("json_value: a duplicate key makes the document invalid (nlohmann keeps the last)") {
  CHECK_FALSE(Valid(R"({"a":1,"a":2})"));      // y_object_duplicated_key (nlohmann: {"a":2})
  CHECK_FALSE(Valid(R"({"a":"b","a":"b"})"));  // y_object_duplicated_key_and_value
  CHECK_FALSE(Valid(R"({"a":1,"b":2,"a":1})"));
  CHECK_FALSE(Valid(R"({"a":1,"\u0061":2})"));   // the same key once decoded
  CHECK_FALSE(Valid(R"({"x":[{"":1,"":1}]})"));  // at any depth
  CHECK(NlohmannValid(R"({"a":1,"a":2})"));
  // The same key in different objects, or a key equal to a value, is fine.
  CHECK(Valid(R"({"a":{"a":1},"b":{"a":2},"c":"a"})"));
  CHECK(Valid(R"({"a":1,"A":2,"a ":3})"));
}

TEST_CASE("json_value: at most 32 nested arrays and objects (nlohmann has no limit)") {
  CHECK(Value::kMaxDepth == 32);
  CHECK(Valid(Nested(32, "[", "", "]")));
  CHECK_FALSE(Valid(Nested(33, "[", "", "]")));
  CHECK(Valid(Nested(32, "[", "1", "]")));
  CHECK_FALSE(Valid(Nested(33, "[", "1", "]")));
  CHECK(Valid(Nested(31, "{\"a\":", "{}", "}")));
  CHECK_FALSE(Valid(Nested(32, "{\"a\":", "{}", "}")));
  CHECK(Valid(Nested(16, "{\"a\":[", "", "]}")));
  CHECK_FALSE(Valid(Nested(16, "{\"a\":[", "[]", "]}")));
  // Depth counts nesting, not containers: many siblings at depth 2 are fine.
  std::string wide = "[";
  for (int i = 0; i < 1000; ++i) wide += i == 0 ? "[]" : ",[]";
  CHECK(Valid(wide + "]"));
  CHECK_FALSE(Valid(Nested(500, "[", "", "]")));  // i_structure_500_nested_arrays
  CHECK(NlohmannValid(Nested(500, "[", "", "]")));
  // Scalars at the limit are not containers.
  CHECK(Valid(Nested(32, "[", "\"s\"", "]")));
  CHECK(Valid(Nested(32, "[", "null", "]")));
}

TEST_CASE("json_value: items() is in document order (nlohmann::json sorts keys)") {
  const Value v = Parse(R"({"zeta":1,"alpha":2,"Mid":3,"":4})");
  REQUIRE(v.is_object());
  REQUIRE(v.items().size() == 4);
  CHECK(v.items()[0].key() == "zeta");
  CHECK(v.items()[1].key() == "alpha");
  CHECK(v.items()[2].key() == "Mid");
  CHECK(v.items()[3].key() == "");
  double sum = 0;
  std::string keys;
  for (const auto& item : v.items()) {
    keys += item.key() + ",";
    sum += item.value().get<double>();
  }
  CHECK(keys == "zeta,alpha,Mid,,");
  CHECK(sum == 10);
}

// ---- strings -----------------------------------------------------------------------------------

TEST_CASE("json_value: every escape decodes") {
  CHECK(Decoded(R"(\"\\\/\b\f\n\r\t)") == "\"\\/\b\f\n\r\t");
  CHECK(Decoded(R"(\u0041\u00e9\u00E9)") == "A\xc3\xa9\xc3\xa9");
  CHECK(Decoded(R"(\u007f\u0080\u07ff\u0800)") == "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80");
  CHECK(Decoded(R"(\u20AC\uffff)") == "\xe2\x82\xac\xef\xbf\xbf");
  CHECK(Decoded(R"(\u0000)") == std::string(1, '\0'));
  CHECK(Decoded(R"(a\u0000b)") == std::string("a\0b", 3));
  CHECK(Decoded("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(Decoded(R"(\U0041)") == "<invalid>");
  CHECK(Decoded(R"(\u004)") == "<invalid>");
  CHECK(Decoded(R"(\u004g)") == "<invalid>");
  CHECK(Decoded(R"(\')") == "<invalid>");
  CHECK(Decoded(R"(\0)") == "<invalid>");
}

TEST_CASE("json_value: surrogate pairs decode to 4-byte UTF-8; a lone surrogate is invalid") {
  CHECK(Decoded(R"(\uD834\uDD1E)") == "\xf0\x9d\x84\x9e");  // U+1D11E
  CHECK(Decoded(R"(\ud83d\ude00)") == "\xf0\x9f\x98\x80");  // U+1F600
  CHECK(Decoded(R"(\uD800\uDC00)") == "\xf0\x90\x80\x80");  // U+10000
  CHECK(Decoded(R"(\uDBFF\uDFFF)") == "\xf4\x8f\xbf\xbf");  // U+10FFFF
  CHECK(Decoded(R"(\uD800)") == "<invalid>");
  CHECK(Decoded(R"(\uD800x)") == "<invalid>");
  CHECK(Decoded(R"(\uD800\n)") == "<invalid>");
  CHECK(Decoded(R"(\uD800\u0041)") == "<invalid>");
  CHECK(Decoded(R"(\uD800\uD800)") == "<invalid>");
  CHECK(Decoded(R"(\uDC00)") == "<invalid>");
  CHECK(Decoded(R"(\uDFFF\uD800)") == "<invalid>");
  // UTF-8 encoded surrogates are invalid input too (CESU-8).
  CHECK(Decoded("\xed\xa0\xbd\xed\xb8\x80") == "<invalid>");
}

TEST_CASE("json_value: UTF-8 is checked at every boundary of its ranges") {
  CHECK(Decoded("\xc2\x80") == "\xc2\x80");
  CHECK(Decoded("\xc1\xbf") == "<invalid>");
  CHECK(Decoded("\xe0\xa0\x80") == "\xe0\xa0\x80");
  CHECK(Decoded("\xe0\x9f\xbf") == "<invalid>");
  CHECK(Decoded("\xed\x9f\xbf") == "\xed\x9f\xbf");  // U+D7FF
  CHECK(Decoded("\xee\x80\x80") == "\xee\x80\x80");  // U+E000
  CHECK(Decoded("\xf0\x90\x80\x80") == "\xf0\x90\x80\x80");
  CHECK(Decoded("\xf0\x8f\xbf\xbf") == "<invalid>");
  CHECK(Decoded("\xf4\x90\x80\x80") == "<invalid>");
  CHECK(Decoded("\xf5\x80\x80\x80") == "<invalid>");
  CHECK(Decoded("\xe2\x82") == "<invalid>");      // truncated before the quote
  CHECK(Decoded("\xe2\x28\xa1") == "<invalid>");  // bad continuation
  CHECK_FALSE(Valid("\"\xe2\x82"));               // truncated at the end of input
}

// ---- numbers -----------------------------------------------------------------------------------

TEST_CASE("json_value: numbers are doubles, correctly rounded, in every exponent form") {
  CHECK(Number("0") == 0);
  CHECK(Number("-1") == -1);
  CHECK(Number("123") == 123);
  CHECK(Number("1.5") == 1.5);
  CHECK(Number("-0.25") == -0.25);
  CHECK(Number("1e2") == 100);
  CHECK(Number("1E2") == 100);
  CHECK(Number("1e+2") == 100);
  CHECK(Number("1E-2") == 0.01);
  CHECK(Number("2.5e-3") == 0.0025);
  CHECK(Number("0e0") == 0);
  CHECK(Number("1e0005") == 100000);
  CHECK(Number("0.1") == 0.1);
  CHECK(Number("1.7976931348623157e308") == DBL_MAX);
  CHECK(Number("-1.7976931348623157e308") == -DBL_MAX);
  CHECK(Number("4.9406564584124654e-324") == 4.9406564584124654e-324);  // the least denormal
  CHECK(Number("1e-400") == 0);                                         // underflow: accepted
  CHECK(Number("9007199254740993") == 9007199254740992.0);              // 2^53 + 1 rounds to even
  CHECK(Number("18446744073709551616") == 18446744073709551616.0);
  CHECK(Number("0.1" + std::string(400, '0')) == 0.1);  // a long mantissa
  CHECK(Number("1" + std::string(300, '0')) == 1e300);
}

TEST_CASE("json_value: a number too large for a double makes the document invalid") {
  CHECK(std::isnan(Number("1e309")));
  CHECK(std::isnan(Number("-1e309")));
  CHECK(std::isnan(Number("1.8e308")));
  CHECK(std::isnan(Number("1" + std::string(400, '0'))));
  CHECK_FALSE(NlohmannValid("1e309"));
  CHECK_FALSE(NlohmannValid("1" + std::string(400, '0')));
}

TEST_CASE("json_value: -0 is the integer 0 as for nlohmann; -0.0 keeps its sign") {
  CHECK_FALSE(std::signbit(Number("-0")));
  CHECK_FALSE(std::signbit(Number("0")));
  CHECK(std::signbit(Number("-0.0")));
  CHECK(std::signbit(Number("-0e1")));
  CHECK_FALSE(std::signbit(nlohmann::json::parse("-0").get<double>()));
  CHECK(std::signbit(nlohmann::json::parse("-0.0").get<double>()));
}

// ---- the API config.cc uses -------------------------------------------------------------------

TEST_CASE("json_value: types, as TypeName reads them") {
  CHECK(Parse("null").type() == Value::value_t::null);
  CHECK(Parse("true").type() == Value::value_t::boolean);
  CHECK(Parse("1").type() == Value::value_t::number);
  CHECK(Parse("\"s\"").type() == Value::value_t::string);
  CHECK(Parse("[]").type() == Value::value_t::array);
  CHECK(Parse("{}").type() == Value::value_t::object);
  CHECK(Parse("{").type() == Value::value_t::discarded);
  const Value v = Parse("[true,false,null,1.5,\"s\",[],{}]");
  CHECK(v[size_t{0}].is_boolean());
  CHECK(v[size_t{0}].get<bool>());
  CHECK_FALSE(v[1].get<bool>());
  CHECK(v[2].is_null());
  CHECK(v[3].is_number());
  CHECK(v[3].get<double>() == 1.5);
  CHECK(v[4].is_string());
  CHECK(v[4].get_ref<const std::string&>() == "s");
  CHECK(v[5].is_array());
  CHECK(v[6].is_object());
  CHECK_FALSE(Parse("{").is_object());
}

TEST_CASE("json_value: size() counts elements and members; 0 for null, 1 for other scalars") {
  CHECK(Parse("[1,[2,3],{}]").size() == 3);
  CHECK(Parse("{\"a\":1,\"b\":[]}").size() == 2);
  CHECK(Parse("[]").size() == 0);
  CHECK(Parse("null").size() == 0);
  CHECK(Parse("\"abc\"").size() == 1);
  CHECK(Parse("7").size() == 1);
}

TEST_CASE("json_value: a missing key or index is a null Value, never undefined behaviour") {
  const Value v = Parse(R"({"a":{"b":[10,20]},"s":"x"})");
  REQUIRE(v.is_object());
  CHECK(v.contains("a"));
  CHECK_FALSE(v.contains("b"));
  CHECK_FALSE(v.contains("A"));
  CHECK(v["a"]["b"][1].get<double>() == 20);
  CHECK(v["nope"].is_null());
  CHECK(v["nope"]["deeper"][3].is_null());
  CHECK(v["a"]["b"][2].is_null());
  CHECK(v["a"]["b"]["key"].is_null());  // a key of an array
  CHECK(v["s"][size_t{0}].is_null());   // an index of a string
  CHECK_FALSE(v["s"].contains("x"));
  CHECK(v["a"].items().size() == 1);
  CHECK(v["s"].items().empty());
  // A wrong-type read is a zero value rather than an abort.
  CHECK(v["s"].get<double>() == 0);
  CHECK_FALSE(v["s"].get<bool>());
  CHECK(v["a"].get<std::string>() == "");
  const Value bad = Parse("[");
  CHECK(bad["a"].is_null());
  CHECK(bad.size() == 1);
  CHECK_FALSE(bad.contains("a"));
}

TEST_CASE("json_value: keys and strings may hold any decoded text") {
  const Value v = Parse(R"({"a\nb":"\u0000","\u00e9":1})");
  REQUIRE(v.is_object());
  CHECK(v.contains("a\nb"));
  CHECK(v["a\nb"].get<std::string>() == std::string(1, '\0'));
  CHECK(v.contains("\xc3\xa9"));
}

}  // namespace
}  // namespace edge::json
