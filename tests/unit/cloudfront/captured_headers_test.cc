#include "edge/cloudfront/captured_headers.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edge::internal {
namespace {

// Builds the host's encoding: name 0x1f value, records joined by 0x1e.
std::string Encode(const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string out;
  for (const auto& [name, value] : headers) {
    if (!out.empty()) out += CapturedHeaders::kRecordSeparator;
    out += name;
    out += CapturedHeaders::kNameValueSeparator;
    out += value;
  }
  return out;
}

// "key=value" per attribute, in order.
std::vector<std::string> Dump(const AttributeList& attrs) {
  std::vector<std::string> out;
  for (size_t i = 0; i < attrs.size(); ++i) {
    const Attribute& a = attrs.at(i);
    CHECK(a.type == AttributeType::kString);
    out.push_back(std::string(a.key) + "=" + std::string(a.string_value));
  }
  return out;
}

std::vector<std::string> Capture(const std::vector<std::string>& allowlist,
                                 std::string_view encoded,
                                 std::string_view prefix = kRequestHeaderKeyPrefix) {
  CapturedHeaders capture;
  capture.Init(allowlist, prefix);
  AttributeList attrs;
  capture.Add(encoded, attrs);
  return Dump(attrs);
}

using Lines = std::vector<std::string>;

TEST_CASE("captured headers: allowlisted headers become http.request.header.<name>") {
  const std::string encoded =
      Encode({{"user-agent", "curl/8.4.0"}, {"accept", "text/html"}, {"x-request-id", "abc"}});
  CHECK(Capture({"accept", "x-request-id"}, encoded) ==
        Lines{"http.request.header.accept=text/html", "http.request.header.x-request-id=abc"});
}

TEST_CASE("captured headers: response headers use the response prefix") {
  CHECK(Capture({"content-type"}, Encode({{"content-type", "text/html; charset=utf-8"}}),
                kResponseHeaderKeyPrefix) ==
        Lines{"http.response.header.content-type=text/html; charset=utf-8"});
}

TEST_CASE("captured headers: attributes come in input order, not allowlist order") {
  CHECK(Capture({"b", "a"}, Encode({{"a", "1"}, {"b", "2"}})) ==
        Lines{"http.request.header.a=1", "http.request.header.b=2"});
}

TEST_CASE("captured headers: names not in the allowlist are ignored") {
  CHECK(Capture({"accept"}, Encode({{"x-secret", "s"}, {"accepts", "x"}, {"accep", "y"}})) ==
        Lines{});
}

TEST_CASE("captured headers: an empty allowlist records nothing") {
  CHECK(Capture({}, Encode({{"accept", "a"}})) == Lines{});
}

TEST_CASE("captured headers: an empty encoded field records nothing") {
  CHECK(Capture({"accept"}, "") == Lines{});
}

TEST_CASE("captured headers: the first record of a name wins, later duplicates are ignored") {
  CHECK(Capture({"accept"}, Encode({{"accept", "first"}, {"accept", "second"}})) ==
        Lines{"http.request.header.accept=first"});
  CHECK(Capture({"accept"}, Encode({{"accept", "first"}, {"ACCEPT", "second"}})) ==
        Lines{"http.request.header.accept=first"});
}

TEST_CASE("captured headers: joined values of a repeated header are kept as one string") {
  CHECK(Capture({"accept-language"}, Encode({{"accept-language", "en,fr;q=0.8"}})) ==
        Lines{"http.request.header.accept-language=en,fr;q=0.8"});
}

TEST_CASE("captured headers: names match case-insensitively, keys are lowercase") {
  CHECK(Capture({"X-Request-Id"}, Encode({{"x-request-id", "1"}})) ==
        Lines{"http.request.header.x-request-id=1"});
  CHECK(Capture({"x-request-id"}, Encode({{"X-Request-ID", "2"}})) ==
        Lines{"http.request.header.x-request-id=2"});
}

TEST_CASE("captured headers: credentials are never recorded, even when allowlisted") {
  const std::string encoded = Encode({{"authorization", "Bearer abc"},
                                      {"Authorization", "Basic xyz"},
                                      {"cookie", "session=1"},
                                      {"COOKIE", "session=2"},
                                      {"proxy-authorization", "Basic p"},
                                      {"set-cookie", "id=3"},
                                      {"x-amz-security-token", "t"},
                                      {"accept", "a"}});
  CHECK(Capture({"authorization", "Cookie", "PROXY-AUTHORIZATION", "set-cookie",
                 "X-Amz-Security-Token", "accept"},
                encoded) == Lines{"http.request.header.accept=a"});
  CapturedHeaders capture;
  capture.Init(
      {"authorization", "cookie", "set-cookie", "proxy-authorization", "x-amz-security-token"},
      kResponseHeaderKeyPrefix);
  CHECK(capture.empty());
}

TEST_CASE("captured headers: malformed records are skipped, the rest still count") {
  const std::string us(1, CapturedHeaders::kNameValueSeparator);
  const std::string rs(1, CapturedHeaders::kRecordSeparator);
  const Lines accept_only{"http.request.header.accept=a"};
  // No separator: a name without a value is not a record.
  CHECK(Capture({"accept", "x"}, "x" + rs + "accept" + us + "a") == accept_only);
  CHECK(Capture({"accept"}, "accept") == Lines{});
  // Empty name.
  CHECK(Capture({"accept"}, us + "a" + rs + "accept" + us + "a") == accept_only);
  // Two unit separators: ambiguous, skipped (and it does not count as the first record).
  CHECK(Capture({"accept"}, "accept" + us + "a" + us + "b" + rs + "accept" + us + "a") ==
        accept_only);
  // Empty records, leading and trailing separators.
  CHECK(Capture({"accept"}, rs + rs + "accept" + us + "a" + rs + rs) == accept_only);
  CHECK(Capture({"accept"}, rs) == Lines{});
  CHECK(Capture({"accept"}, us) == Lines{});
}

TEST_CASE("captured headers: a malformed record never splices into a neighbour's name") {
  const std::string us(1, CapturedHeaders::kNameValueSeparator);
  const std::string rs(1, CapturedHeaders::kRecordSeparator);
  // "x-other" 0x1f "v" 0x1f "accept" ... would be misread by a parser that split on either.
  CHECK(Capture({"accept"}, "x-other" + us + "v" + us + "accept" + us + "a") == Lines{});
}

TEST_CASE("captured headers: an empty value is recorded as an empty string") {
  CHECK(Capture({"x-empty"}, Encode({{"x-empty", ""}})) == Lines{"http.request.header.x-empty="});
}

TEST_CASE("captured headers: optional whitespace around a value is trimmed, inner kept") {
  CHECK(Capture({"accept"}, Encode({{"accept", " \ttext/html, text/plain \t"}})) ==
        Lines{"http.request.header.accept=text/html, text/plain"});
}

TEST_CASE("captured headers: a name with whitespace is not the allowlisted name") {
  CHECK(Capture({"accept"}, Encode({{" accept", "a"}, {"accept ", "b"}})) == Lines{});
}

TEST_CASE("captured headers: values are views into the encoded field, keys into the capture") {
  CapturedHeaders capture;
  capture.Init({"accept"}, kRequestHeaderKeyPrefix);
  const std::string encoded = Encode({{"accept", "a"}});
  AttributeList attrs;
  capture.Add(encoded, attrs);
  REQUIRE(attrs.size() == 1);
  CHECK(attrs.at(0).string_value.data() == encoded.data() + 7);
  CHECK(attrs.at(0).key.data() == capture.key(0).data());
}

TEST_CASE("captured headers: keys survive a move of the capture (spans keep pointing at them)") {
  CapturedHeaders original;
  original.Init({"a", "b"}, kRequestHeaderKeyPrefix);
  const char* key_data = original.key(0).data();
  CapturedHeaders moved(std::move(original));
  CHECK(moved.key(0).data() == key_data);
  CHECK(moved.key(0) == "http.request.header.a");
}

TEST_CASE("captured headers: Init drops empty and repeated names and caps the count") {
  CapturedHeaders capture;
  capture.Init({"", "accept", "Accept", "ACCEPT", "x"}, kRequestHeaderKeyPrefix);
  REQUIRE(capture.size() == 2);
  CHECK(capture.key(0) == "http.request.header.accept");
  CHECK(capture.key(1) == "http.request.header.x");

  std::vector<std::string> many;
  for (size_t i = 0; i < CapturedHeaders::kMaxNames + 5; ++i)
    many.push_back("h" + std::to_string(i));
  capture.Init(many, kRequestHeaderKeyPrefix);  // reconfigure
  CHECK(capture.size() == CapturedHeaders::kMaxNames);
  CHECK(capture.key(CapturedHeaders::kMaxNames - 1) ==
        "http.request.header.h" + std::to_string(CapturedHeaders::kMaxNames - 1));
}

TEST_CASE("captured headers: every allowlist slot is tracked for duplicates") {
  std::vector<std::string> many;
  std::vector<std::pair<std::string, std::string>> headers;
  for (size_t i = 0; i < CapturedHeaders::kMaxNames; ++i) {
    many.push_back("h" + std::to_string(i));
    headers.emplace_back("h" + std::to_string(i), "v");
    headers.emplace_back("h" + std::to_string(i), "dup");
  }
  CapturedHeaders capture;
  capture.Init(many, kRequestHeaderKeyPrefix);
  AttributeList attrs;
  const std::string encoded = Encode(headers);
  capture.Add(encoded, attrs);
  REQUIRE(attrs.size() == CapturedHeaders::kMaxNames);
  for (size_t i = 0; i < attrs.size(); ++i) CHECK(attrs.at(i).string_value == "v");
}

TEST_CASE("captured headers: a full attribute list drops (and counts) the rest") {
  CapturedHeaders capture;
  capture.Init({"a", "b", "c"}, kRequestHeaderKeyPrefix);
  AttributeList attrs;
  for (size_t i = 0; i + 1 < AttributeList::kCapacity; ++i) attrs.AddInt("filler", 0);
  const std::string encoded = Encode({{"a", "1"}, {"b", "2"}, {"c", "3"}});
  capture.Add(encoded, attrs);
  CHECK(attrs.size() == AttributeList::kCapacity);
  CHECK(attrs.at(AttributeList::kCapacity - 1).key == "http.request.header.a");
  CHECK(attrs.dropped() == 2);
}

TEST_CASE("captured headers: binary junk in the field does not break parsing") {
  std::string junk;
  for (int c = 0; c < 256; ++c) junk += static_cast<char>(c);
  const std::string encoded = junk + '\x1e' + Encode({{"accept", "a"}}) + '\x1e' + junk;
  CHECK(Capture({"accept"}, encoded) == Lines{"http.request.header.accept=a"});
}

}  // namespace
}  // namespace edge::internal
