#include "edge/cloudfront/query_redaction.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace edge {
namespace {

constexpr size_t kGuard = 16;
char g_buffer[8192 + kGuard];

// Redacts into a guarded buffer and checks nothing is written past `capacity`.
std::string Redact(std::string_view query, size_t capacity = 8192) {
  REQUIRE(capacity + kGuard <= sizeof g_buffer);
  std::memset(g_buffer, '#', sizeof g_buffer);
  const size_t n = RedactQuery(query, g_buffer, capacity);
  REQUIRE(n <= capacity);
  const std::string_view untouched(g_buffer + n, capacity + kGuard - n);
  CHECK(untouched.find_first_not_of('#') == std::string_view::npos);  // nothing past n
  return std::string(g_buffer, n);
}

// The same with configured extra keys.
std::string RedactWith(std::string_view query, const std::vector<std::string>& keys,
                       size_t capacity = 8192) {
  REQUIRE(capacity + kGuard <= sizeof g_buffer);
  std::memset(g_buffer, '#', sizeof g_buffer);
  const size_t n = RedactQuery(query, keys, g_buffer, capacity);
  REQUIRE(n <= capacity);
  const std::string_view untouched(g_buffer + n, capacity + kGuard - n);
  CHECK(untouched.find_first_not_of('#') == std::string_view::npos);
  return std::string(g_buffer, n);
}

// CloudFront signed URLs, S3 presigned URLs (SigV4, and SigV2's AWSAccessKeyId), and the rest
// of the semantic conventions' url.query list (sig, X-Goog-Signature).
constexpr const char* kSecretNames[] = {
    "Signature",        "Policy",
    "Key-Pair-Id",      "X-Amz-Signature",
    "X-Amz-Credential", "X-Amz-Security-Token",
    "AWSAccessKeyId",   "sig",
    "X-Goog-Signature",
};

TEST_CASE("query redaction: each secret parameter keeps its name, its value becomes REDACTED") {
  for (const char* name : kSecretNames) {
    const std::string n(name);
    CAPTURE(n);
    CHECK(Redact(n + "=s3cr3t") == n + "=REDACTED");
    CHECK(Redact("a=1&" + n + "=s3cr3t") == "a=1&" + n + "=REDACTED");
    CHECK(Redact(n + "=s3cr3t&b=2") == n + "=REDACTED&b=2");
    CHECK(Redact("a=1&" + n + "=s3cr3t&b=2") == "a=1&" + n + "=REDACTED&b=2");
  }
}

TEST_CASE("query redaction: a CloudFront signed URL query") {
  CHECK(Redact("size=large&Expires=1700000000&Signature=nitfHRCrtziwO2HwPfWw~yYDhUF5EwRunQA-j19DzZ"
               "rvDh6hQ73lDx~-ar3UocvvRQVw6EkC~GdpGQyyOSKQim-TxAnW7d8F5Kkai9HVx0FIu-5jcQb0UEmat"
               "EXAMPLE__&Key-Pair-Id=K2JCJMDEHXQW5F") ==
        "size=large&Expires=1700000000&Signature=REDACTED&Key-Pair-Id=REDACTED");
  CHECK(Redact("Policy=eyJTdGF0ZW1lbnQiOlt7IlJlc291cmNlIjoiaHR0cHM6Ly9kMTExMTExYWJjZGVmOC5jbG91"
               "ZGZyb250Lm5ldC8qIn1dfQ__&Signature=abc~def&Key-Pair-Id=K2JCJMDEHXQW5F") ==
        "Policy=REDACTED&Signature=REDACTED&Key-Pair-Id=REDACTED");
}

TEST_CASE("query redaction: an S3 presigned URL query") {
  CHECK(
      Redact("X-Amz-Algorithm=AWS4-HMAC-SHA256"
             "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
             "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
             "&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2B%2F%3D"
             "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404") ==
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Date=20130524T000000Z"
      "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Security-Token=REDACTED"
      "&X-Amz-Signature=REDACTED");
}

TEST_CASE("query redaction: names are matched exactly and case-sensitively") {
  // Lookalikes are ordinary parameters and stay as they are.
  for (const char* query : {"signature=abc",
                            "SIGNATURE=abc",
                            "MySignature=abc",
                            "SignatureX=abc",
                            "Signature2=abc",
                            "x-amz-signature=abc",
                            "X-Amz-Signature-Extra=abc",
                            "X-Amz-SignatureS=abc",
                            "policy=abc",
                            "key-pair-id=abc",
                            "Key_Pair_Id=abc",
                            "X-Amz-Credentials=abc",
                            " Signature=abc",
                            "Signature =abc",
                            "%53ignature=abc",
                            "x-amz-security-token=abc",
                            "Sig=abc",
                            "SIG=abc",
                            "sigs=abc",
                            "xsig=abc",
                            "x-goog-signature=abc",
                            "X-Goog-Signature2=abc",
                            "awsaccesskeyid=abc",
                            "AWSAccessKeyID=abc"}) {
    CAPTURE(query);
    CHECK(Redact(query) == query);
  }
}

TEST_CASE("query redaction: SigV2 and Google Cloud Storage signed URL queries") {
  CHECK(Redact("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1141889120"
               "&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D") ==
        "AWSAccessKeyId=REDACTED&Expires=1141889120&Signature=REDACTED");
  CHECK(Redact("X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Date=20190201T190919Z"
               "&X-Goog-Signature=8b9e4d1f") ==
        "X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Date=20190201T190919Z"
        "&X-Goog-Signature=REDACTED");
  CHECK(Redact("sv=2019-02-02&sig=abc%2Bdef&se=2030-01-01") ==
        "sv=2019-02-02&sig=REDACTED&se=2030-01-01");
}

TEST_CASE("query redaction: the whole value goes, '=' and encoded characters included") {
  CHECK(Redact("Signature=a=b=c&x=1") == "Signature=REDACTED&x=1");
  CHECK(Redact("Signature=a%26b%3Dc") == "Signature=REDACTED");
  CHECK(Redact("Signature=a+b c") == "Signature=REDACTED");
}

TEST_CASE("query redaction: a secret name without '=' has no value to hide and stays") {
  CHECK(Redact("Signature") == "Signature");
  CHECK(Redact("a=1&Signature&b=2") == "a=1&Signature&b=2");
}

TEST_CASE("query redaction: a secret with an empty value is still written as REDACTED") {
  CHECK(Redact("Signature=") == "Signature=REDACTED");
  CHECK(Redact("Signature=&a=") == "Signature=REDACTED&a=");
}

TEST_CASE("query redaction: a repeated secret is redacted every time") {
  CHECK(Redact("Signature=one&Signature=two&Signature=three") ==
        "Signature=REDACTED&Signature=REDACTED&Signature=REDACTED");
}

TEST_CASE("query redaction: queries without secrets are copied unchanged") {
  for (const char* query : {"a=1", "a=1&b=2", "a", "a&b", "q=caf%C3%A9&page=2", "=x", "a==b",
                            "utm_source=news&utm_medium=email&utm_campaign=spring"}) {
    CAPTURE(query);
    CHECK(Redact(query) == query);
  }
  // Non-ASCII bytes are copied as bytes (JSON escaping happens later, in the encoder).
  CHECK(Redact("q=caf\xc3\xa9") == "q=caf\xc3\xa9");
}

TEST_CASE("query redaction: empty query and empty parameters") {
  CHECK(Redact("") == "");
  CHECK(Redact("a=1&&b=2") == "a=1&&b=2");
  CHECK(Redact("a=1&") == "a=1&");
  // Empty parameters before the first written one are dropped; secrets after them are still
  // redacted.
  CHECK(Redact("&") == "");
  CHECK(Redact("&&") == "");
  CHECK(Redact("&a=1") == "a=1");
  CHECK(Redact("&&Signature=x") == "Signature=REDACTED");
  CHECK(Redact("a=1&&Signature=x&&") == "a=1&&Signature=REDACTED&&");
}

TEST_CASE("query redaction: a query that does not fit is cut at a parameter boundary") {
  const std::string query = "a=1&b=2&c=3";
  CHECK(Redact(query, query.size()) == query);
  CHECK(Redact(query, query.size() - 1) == "a=1&b=2");
  CHECK(Redact(query, 7) == "a=1&b=2");
  CHECK(Redact(query, 6) == "a=1");
  CHECK(Redact(query, 3) == "a=1");
  CHECK(Redact(query, 2) == "");
  CHECK(Redact(query, 0) == "");
}

TEST_CASE("query redaction: the cut keeps a prefix: a later short parameter is not squeezed in") {
  CHECK(Redact("a=1&long=xxxxxxxxxx&b=2", 12) == "a=1");
}

TEST_CASE("query redaction: the redacted size counts, not the secret's size") {
  const std::string secret(1000, 's');
  CHECK(Redact("Signature=" + secret, 18) == "Signature=REDACTED");
  CHECK(Redact("Signature=" + secret, 17) == "");
  CHECK(Redact("a=1&Signature=" + secret, 22) == "a=1&Signature=REDACTED");
  CHECK(Redact("a=1&Signature=" + secret, 21) == "a=1");
}

TEST_CASE("query redaction: a secret value never leaks at any capacity") {
  const std::string query =
      "a=1&Signature=SECRETSIG&X-Amz-Credential=SECRETCRED&Key-Pair-Id=SECRETKP&b=22";
  const std::string full = Redact(query);
  CHECK(full == "a=1&Signature=REDACTED&X-Amz-Credential=REDACTED&Key-Pair-Id=REDACTED&b=22");
  for (size_t capacity = 0; capacity <= query.size() + 8; ++capacity) {
    CAPTURE(capacity);
    const std::string out = Redact(query, capacity);
    CHECK(out.find("SECRET") == std::string::npos);
    CHECK(full.compare(0, out.size(), out) == 0);  // always a prefix of the full result
    // ... that ends at a parameter boundary.
    CHECK((out.empty() || out.size() == full.size() || full[out.size()] == '&'));
  }
}

TEST_CASE("query redaction: CloudFront's largest query fits in the 8 KiB buffer unchanged") {
  std::string query;
  while (query.size() < 8190) query += "k=v&";
  query.resize(8190);
  if (query.back() == '&') query.back() = 'x';
  CHECK(Redact(query) == query);
}

// --- configured extra keys (Config::redact_query_keys) ---

TEST_CASE("query redaction: extra keys are redacted like the built-in names") {
  const std::vector<std::string> keys = {"token", "api_key"};
  CHECK(RedactWith("token=abc", keys) == "token=REDACTED");
  CHECK(RedactWith("a=1&api_key=k&token=t&b=2", keys) == "a=1&api_key=REDACTED&token=REDACTED&b=2");
  CHECK(RedactWith("token=one&token=two", keys) == "token=REDACTED&token=REDACTED");
  CHECK(RedactWith("token=", keys) == "token=REDACTED");
  CHECK(RedactWith("token", keys) == "token");  // no value to hide, as for built-ins
}

TEST_CASE("query redaction: the built-in names stay redacted when extra keys are given") {
  const std::vector<std::string> keys = {"token"};
  CHECK(RedactWith("Signature=s&token=t&Key-Pair-Id=k", keys) ==
        "Signature=REDACTED&token=REDACTED&Key-Pair-Id=REDACTED");
  CHECK(RedactWith("Signature=s&token=t", {}) == "Signature=REDACTED&token=t");
}

TEST_CASE("query redaction: an empty extra-key list behaves exactly like the old overload") {
  for (const char* query :
       {"", "a=1", "&&Signature=x", "a=1&Signature=s&X-Amz-Credential=c&b=2", "=x", "a==b"}) {
    CAPTURE(query);
    for (size_t capacity : {size_t{0}, size_t{3}, size_t{12}, size_t{8192}}) {
      CAPTURE(capacity);
      CHECK(RedactWith(query, {}, capacity) == Redact(query, capacity));
    }
  }
}

TEST_CASE("query redaction: extra keys are matched exactly and case-sensitively, like built-ins") {
  const std::vector<std::string> keys = {"token"};
  for (const char* query : {"Token=abc", "TOKEN=abc", "tokens=abc", "xtoken=abc", "tok=abc",
                            " token=abc", "token =abc", "%74oken=abc", "to%6Ben=abc"}) {
    CAPTURE(query);
    CHECK(RedactWith(query, keys) == query);
  }
  // A key configured in another case matches that case only.
  CHECK(RedactWith("Token=abc&token=def", {"Token"}) == "Token=REDACTED&token=def");
}

TEST_CASE("query redaction: an empty extra key matches nothing (not even a nameless value)") {
  CHECK(RedactWith("=secret&a=1", {""}) == "=secret&a=1");
  CHECK(RedactWith("=secret&token=t", {"", "token"}) == "=secret&token=REDACTED");
}

TEST_CASE("query redaction: extra keys with unusual characters are compared as bytes") {
  CHECK(RedactWith("x[y]=1&a.b=2&c%20d=3", {"x[y]", "c%20d"}) ==
        "x[y]=REDACTED&a.b=2&c%20d=REDACTED");
  CHECK(RedactWith("caf\xc3\xa9=1", {"caf\xc3\xa9"}) == "caf\xc3\xa9=REDACTED");
}

TEST_CASE("query redaction: extra-key secrets never leak at any capacity") {
  const std::vector<std::string> keys = {"session", "token"};
  const std::string query = "a=1&session=SECRETSESS&Signature=SECRETSIG&token=SECRETTOK&b=22";
  const std::string full = RedactWith(query, keys);
  CHECK(full == "a=1&session=REDACTED&Signature=REDACTED&token=REDACTED&b=22");
  for (size_t capacity = 0; capacity <= query.size() + 8; ++capacity) {
    CAPTURE(capacity);
    const std::string out = RedactWith(query, keys, capacity);
    CHECK(out.find("SECRET") == std::string::npos);
    CHECK(full.compare(0, out.size(), out) == 0);
    CHECK((out.empty() || out.size() == full.size() || full[out.size()] == '&'));
  }
}

}  // namespace
}  // namespace edge
