#include "edge/config.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

namespace edge {
namespace {

// A string literal with embedded NULs, all of it.
template <size_t N>
std::string_view Bytes(const char (&literal)[N]) {
  return {literal, N - 1};
}

struct Parsed {
  Status status = Status::kOk;
  Config config;
  std::string error;
};

Parsed Parse(std::string_view json) {
  Parsed p;
  p.status = ParseConfig(json, p.config, p.error);
  return p;
}

// Accepted, with no error text left behind.
Config Accepted(std::string_view json) {
  CAPTURE(json);
  Parsed p = Parse(json);
  CHECK(p.error == "");
  REQUIRE(p.status == Status::kOk);
  return p.config;
}

// Rejected with exactly `message` (which starts with the key path).
void CheckRejected(std::string_view json, std::string_view message) {
  CAPTURE(json);
  Parsed p = Parse(json);
  CHECK(p.status == Status::kBadConfig);
  CHECK(p.error == message);
}

// Rejected with a message starting with `prefix` (for wording that is not part of the rule).
void CheckRejectedWithPrefix(std::string_view json, std::string_view prefix) {
  CAPTURE(json);
  Parsed p = Parse(json);
  CHECK(p.status == Status::kBadConfig);
  CAPTURE(p.error);
  CHECK(p.error.substr(0, prefix.size()) == prefix);
}

std::string Exporter(std::string_view members) {
  return "{\"exporter\":{" + std::string(members) + "}}";
}
std::string OtlpEndpoint(std::string_view endpoint) {
  return Exporter("\"mode\":\"otlp-http\",\"endpoint\":\"" + std::string(endpoint) + "\"");
}
std::string Headers(std::string_view members) {
  return Exporter("\"headers\":{" + std::string(members) + "}");
}

// The configuration the JS shim ships by default (shim-js/edgetrace.config.json).
constexpr std::string_view kShippedDefault = R"json({
  "service": { "name": "edgetrace" },
  "exporter": { "mode": "log" },
  "sampling": { "ratio": 1.0 },
  "propagation": { "trustIncoming": false }
}
)json";

constexpr std::string_view kFull = R"json({
  "$schema": "https://example.com/edgetrace.schema.json",
  "$comment": "every key set",
  "service": { "name": "checkout-edge", "version": "1.4.2", "environment": "production" },
  "exporter": {
    "mode": "otlp-http",
    "endpoint": "https://collector.example:4318/",
    "headers": { "x-api-key": "s3cr3t", "X-Tenant": "acme" },
    "timeoutMs": 350
  },
  "sampling": { "ratio": 0.25 },
  "propagation": { "trustIncoming": true },
  "ids": { "xrayCompatible": true },
  "limits": { "attributeValueLength": 1024 }
})json";

TEST_CASE("config: an empty object gives every default") {
  const Config c = Accepted("{}");
  CHECK(c.service_name == "edgetrace");
  CHECK(c.service_version == "");
  CHECK(c.environment == "");
  CHECK(c.exporter_mode == ExporterMode::kLog);
  CHECK(c.exporter_endpoint == "");
  CHECK(c.exporter_headers.empty());
  CHECK(c.exporter_timeout_ms == 200);
  CHECK(c.sampling_ratio == 1.0);
  CHECK_FALSE(c.trust_incoming);
  CHECK_FALSE(c.xray_compatible_ids);
  CHECK(c.attribute_value_length == 256);
}

TEST_CASE("config: empty sections give the defaults too") {
  const Config c = Accepted(
      R"({"service":{},"exporter":{},"sampling":{},"propagation":{},"ids":{},"limits":{}})");
  CHECK(c.service_name == "edgetrace");
  CHECK(c.exporter_mode == ExporterMode::kLog);
  CHECK(c.sampling_ratio == 1.0);
  CHECK(c.attribute_value_length == 256);
}

TEST_CASE("config: the shipped shim-js/edgetrace.config.json parses to the defaults") {
  const Config c = Accepted(kShippedDefault);
  CHECK(c.service_name == "edgetrace");
  CHECK(c.exporter_mode == ExporterMode::kLog);
  CHECK(c.sampling_ratio == 1.0);
  CHECK_FALSE(c.trust_incoming);
}

TEST_CASE("config: every key is applied") {
  const Config c = Accepted(kFull);
  CHECK(c.service_name == "checkout-edge");
  CHECK(c.service_version == "1.4.2");
  CHECK(c.environment == "production");
  CHECK(c.exporter_mode == ExporterMode::kOtlpHttp);
  CHECK(c.exporter_endpoint == "https://collector.example:4318");  // trailing '/' trimmed
  REQUIRE(c.exporter_headers.size() == 2);
  // nlohmann's object is a sorted map: headers come out in key order, byte-wise.
  CHECK(c.exporter_headers[0].first == "X-Tenant");
  CHECK(c.exporter_headers[0].second == "acme");
  CHECK(c.exporter_headers[1].first == "x-api-key");
  CHECK(c.exporter_headers[1].second == "s3cr3t");
  CHECK(c.exporter_timeout_ms == 350);
  CHECK(c.sampling_ratio == 0.25);
  CHECK(c.trust_incoming);
  CHECK(c.xray_compatible_ids);
  CHECK(c.attribute_value_length == 1024);
}

TEST_CASE("config: a second parse into the same Config starts from the defaults") {
  Config c;
  std::string error;
  REQUIRE(ParseConfig(kFull, c, error) == Status::kOk);
  REQUIRE(ParseConfig("{}", c, error) == Status::kOk);
  CHECK(c.exporter_headers.empty());
  CHECK(c.exporter_endpoint == "");
  CHECK(c.service_name == "edgetrace");
  CHECK_FALSE(c.trust_incoming);
}

TEST_CASE("config: a failed parse after a good one reports only the new error") {
  Config c;
  std::string error = "stale";
  REQUIRE(ParseConfig("{}", c, error) == Status::kOk);
  CHECK(error == "");
  REQUIRE(ParseConfig(R"({"nope":1})", c, error) == Status::kBadConfig);
  CHECK(error == "nope: unknown key");
}

TEST_CASE("config: $schema and $comment are allowed at every level") {
  const Config c = Accepted(R"({"$schema":"x","$comment":"y",
    "service":{"$comment":"c","name":"a"},
    "exporter":{"$comment":"c","mode":"none"},
    "sampling":{"$comment":"c","ratio":0.5},
    "propagation":{"$comment":"c","trustIncoming":true},
    "ids":{"$schema":"s","xrayCompatible":true},
    "limits":{"$comment":"c","attributeValueLength":64}})");
  CHECK(c.service_name == "a");
  CHECK(c.exporter_mode == ExporterMode::kNone);
  CHECK(c.sampling_ratio == 0.5);
  CHECK(c.attribute_value_length == 64);
}

// ---- size, syntax, root type -------------------------------------------------------------

TEST_CASE("config: up to 64 KiB is accepted, one byte more is rejected before parsing") {
  std::string json = "{}" + std::string(64 * 1024 - 2, ' ');
  REQUIRE(json.size() == 65536);
  Accepted(json);
  json += ' ';
  CheckRejected(json, "config: larger than 64 KiB");
  // Even a larger invalid document reports the size, not the syntax.
  CheckRejected(std::string(70000, '{'), "config: larger than 64 KiB");
}

TEST_CASE("config: text that is not JSON is rejected") {
  for (std::string_view json :
       {std::string_view(""), std::string_view("{"), std::string_view("{\"service\":}"),
        std::string_view("{} x"), std::string_view("{'service':{}}"), std::string_view("{,}"),
        std::string_view("{\"service\":{\"name\":\"a\",}}"), std::string_view("\xef\xbb")}) {
    CheckRejected(json, "config: not valid JSON");
  }
  // Invalid UTF-8 inside a string is a syntax error too.
  CheckRejected("{\"service\":{\"name\":\"\xc3\x28\"}}", "config: not valid JSON");
  // A NUL byte inside the document is an invalid character.
  CheckRejected(Bytes("{\"service\":\0{}}"), "config: not valid JSON");
}

TEST_CASE(
    "config: nlohmann_json's lexer ends the document at a NUL byte; what follows is ignored") {
  // Pinned so that a change is noticed: the config is trusted (baked into the package), and
  // nothing after the NUL is ever applied.
  const Config c = Accepted(Bytes("{}\0{\"sampling\":{\"ratio\":0}}"));
  CHECK(c.sampling_ratio == 1.0);
}

TEST_CASE("config: the root must be an object") {
  CheckRejected("[]", "config: must be a JSON object, got an array");
  CheckRejected("null", "config: must be a JSON object, got null");
  CheckRejected("1", "config: must be a JSON object, got a number");
  CheckRejected("1.5", "config: must be a JSON object, got a number");
  CheckRejected("\"x\"", "config: must be a JSON object, got a string");
  CheckRejected("true", "config: must be a JSON object, got a boolean");
}

// ---- unknown keys, section types -------------------------------------------------------------

TEST_CASE("config: an unknown key is an error at every level, named by its path") {
  CheckRejected(R"({"servce":{}})", "servce: unknown key");
  CheckRejected(R"({"Service":{}})", "Service: unknown key");  // keys are case-sensitive
  CheckRejected(R"({"service":{"nmae":"a"}})", "service.nmae: unknown key");
  CheckRejected(R"({"exporter":{"timeoutms":5}})", "exporter.timeoutms: unknown key");
  CheckRejected(R"({"exporter":{"url":"https://c.example"}})", "exporter.url: unknown key");
  CheckRejected(R"({"sampling":{"rate":0.5}})", "sampling.rate: unknown key");
  CheckRejected(R"({"propagation":{"trust":true}})", "propagation.trust: unknown key");
  CheckRejected(R"({"ids":{"xray":true}})", "ids.xray: unknown key");
  CheckRejected(R"({"limits":{"attributeValueLen":64}})", "limits.attributeValueLen: unknown key");
  CheckRejected(R"({"":1})", ": unknown key");
}

TEST_CASE("config: an unknown key is reported even when its value is valid elsewhere") {
  CheckRejected(R"({"service":{"name":"a","ratio":1}})", "service.ratio: unknown key");
}

TEST_CASE("config: every section must be an object") {
  for (const char* section : {"service", "exporter", "sampling", "propagation", "ids", "limits"}) {
    const std::string s(section);
    CheckRejected("{\"" + s + "\":\"x\"}", s + ": must be an object, got a string");
    CheckRejected("{\"" + s + "\":[]}", s + ": must be an object, got an array");
    CheckRejected("{\"" + s + "\":null}", s + ": must be an object, got null");
    CheckRejected("{\"" + s + "\":1}", s + ": must be an object, got a number");
    CheckRejected("{\"" + s + "\":false}", s + ": must be an object, got a boolean");
  }
}

TEST_CASE("config: the first error in document order of checks wins") {
  CheckRejected(R"({"limits":{"attributeValueLength":1},"service":{"name":""}})",
                "service.name: must not be empty");
  CheckRejected(R"({"exporter":{"timeoutMs":0},"service":{"name":5}})",
                "service.name: must be a string, got a number");
  // Within exporter: mode, endpoint, headers, timeout, then the cross-key rules.
  CheckRejected(R"({"exporter":{"endpoint":"ftp://x","timeoutMs":0}})",
                "exporter.timeoutMs: must be an integer from 1 to 4000, got 0");
}

TEST_CASE("regression: error messages stay one ASCII line whatever the key names contain") {
  CheckRejected("{\"a\\nb\":1}", "a?b: unknown key");
  CheckRejected("{\"service\":{\"x\\r\\ny\":1}}", "service.x??y: unknown key");
  CheckRejected("{\"exporter\":{\"headers\":{\"a\\r\\nb\":\"v\"}}}",
                "exporter.headers.a??b: is not a valid HTTP header name");
  CheckRejected("{\"n\xc3\xa9\":1}", "n??: unknown key");  // UTF-8 "né"
  CheckRejected("{\"a\\u007fb\":1}", "a?b: unknown key");
}

// ---- service ----------------------------------------------------------------------------------

TEST_CASE("config: service.name must be a non-empty string of at most 256 bytes") {
  CheckRejected(R"({"service":{"name":5}})", "service.name: must be a string, got a number");
  CheckRejected(R"({"service":{"name":null}})", "service.name: must be a string, got null");
  CheckRejected(R"({"service":{"name":["a"]}})", "service.name: must be a string, got an array");
  CheckRejected(R"({"service":{"name":{}}})", "service.name: must be a string, got an object");
  CheckRejected(R"({"service":{"name":true}})", "service.name: must be a string, got a boolean");
  CheckRejected(R"({"service":{"name":""}})", "service.name: must not be empty");
  const std::string max(256, 'n');
  CHECK(Accepted("{\"service\":{\"name\":\"" + max + "\"}}").service_name == max);
  CheckRejected("{\"service\":{\"name\":\"" + max + "n\"}}",
                "service.name: must be at most 256 bytes");
}

TEST_CASE("config: service strings must not contain control characters") {
  for (const char* key : {"name", "version", "environment"}) {
    const std::string k(key);
    for (const char* bad : {"a\\nb", "a\\rb", "a\\tb", "a\\u0000b", "a\\u001fb", "a\\u007fb"}) {
      CheckRejected("{\"service\":{\"" + k + "\":\"" + bad + "\"}}",
                    "service." + k + ": must not contain control characters");
    }
  }
}

TEST_CASE("config: service strings may be UTF-8 and contain JSON-significant characters") {
  const Config c = Accepted(R"({"service":{"name":"caf\u00e9 \"edge\" \\ \u2603"}})");
  CHECK(c.service_name == "caf\xc3\xa9 \"edge\" \\ \xe2\x98\x83");
}

TEST_CASE("config: service.version and service.environment may be empty, at most 256 bytes") {
  const Config c = Accepted(R"({"service":{"version":"","environment":""}})");
  CHECK(c.service_version == "");
  CHECK(c.environment == "");
  const Config d = Accepted(R"({"service":{"version":"2.0.0","environment":"staging"}})");
  CHECK(d.service_version == "2.0.0");
  CHECK(d.environment == "staging");
  const std::string long_value(257, 'v');
  CheckRejected("{\"service\":{\"version\":\"" + long_value + "\"}}",
                "service.version: must be at most 256 bytes");
  CheckRejected("{\"service\":{\"environment\":\"" + long_value + "\"}}",
                "service.environment: must be at most 256 bytes");
  CheckRejected(R"({"service":{"version":2}})", "service.version: must be a string, got a number");
  CheckRejected(R"({"service":{"environment":false}})",
                "service.environment: must be a string, got a boolean");
}

// ---- exporter.mode ------------------------------------------------------------------------------

TEST_CASE("config: exporter.mode accepts exactly otlp-http, log and none") {
  CHECK(Accepted(OtlpEndpoint("https://c.example")).exporter_mode == ExporterMode::kOtlpHttp);
  CHECK(Accepted(Exporter("\"mode\":\"log\"")).exporter_mode == ExporterMode::kLog);
  CHECK(Accepted(Exporter("\"mode\":\"none\"")).exporter_mode == ExporterMode::kNone);
  const std::string message = R"(exporter.mode: must be one of "otlp-http", "log", "none")";
  for (const char* bad : {"\"OTLP-HTTP\"", "\"otlp\"", "\"otlp-grpc\"", "\"\"", "\"Log\"", "1",
                          "null", "true", "[\"log\"]", "{}"}) {
    CheckRejected(Exporter(std::string("\"mode\":") + bad), message);
  }
}

TEST_CASE("config: ExporterModeName names every mode as the config spells it") {
  CHECK(std::string_view(ExporterModeName(ExporterMode::kOtlpHttp)) == "otlp-http");
  CHECK(std::string_view(ExporterModeName(ExporterMode::kLog)) == "log");
  CHECK(std::string_view(ExporterModeName(ExporterMode::kNone)) == "none");
}

// ---- exporter.endpoint ------------------------------------------------------------------------

TEST_CASE("config: exporter.endpoint is required for otlp-http only") {
  const std::string required =
      R"(exporter.endpoint: is required when exporter.mode is "otlp-http")";
  CheckRejected(Exporter("\"mode\":\"otlp-http\""), required);
  CheckRejected(OtlpEndpoint(""), required);
  CHECK(Accepted(Exporter("\"mode\":\"log\",\"endpoint\":\"\"")).exporter_endpoint == "");
  CHECK(Accepted(Exporter("\"mode\":\"none\"")).exporter_endpoint == "");
}

TEST_CASE("config: an endpoint given with mode log is still validated and kept") {
  CHECK(Accepted(Exporter("\"mode\":\"log\",\"endpoint\":\"https://c.example/\""))
            .exporter_endpoint == "https://c.example");
  CheckRejected(Exporter("\"mode\":\"log\",\"endpoint\":\"c.example\""),
                "exporter.endpoint: must start with http:// or https://");
}

TEST_CASE("config: exporter.endpoint must be a string") {
  CheckRejected(Exporter("\"mode\":\"otlp-http\",\"endpoint\":null"),
                "exporter.endpoint: must be a string, got null");
  CheckRejected(Exporter("\"mode\":\"otlp-http\",\"endpoint\":4318"),
                "exporter.endpoint: must be a string, got a number");
  CheckRejected(Exporter("\"endpoint\":[\"https://c.example\"]"),
                "exporter.endpoint: must be a string, got an array");
}

TEST_CASE("config: exporter.endpoint accepts http and https base URLs, with port and path") {
  CHECK(Accepted(OtlpEndpoint("https://c.example")).exporter_endpoint == "https://c.example");
  CHECK(Accepted(OtlpEndpoint("http://10.0.0.1:4318")).exporter_endpoint == "http://10.0.0.1:4318");
  CHECK(Accepted(OtlpEndpoint("https://c.example/otlp")).exporter_endpoint ==
        "https://c.example/otlp");
  CHECK(Accepted(OtlpEndpoint("https://user@c.example")).exporter_endpoint ==
        "https://user@c.example");
}

TEST_CASE("config: exporter.endpoint trailing slashes are trimmed") {
  CHECK(Accepted(OtlpEndpoint("https://c.example/")).exporter_endpoint == "https://c.example");
  CHECK(Accepted(OtlpEndpoint("https://c.example:4318///")).exporter_endpoint ==
        "https://c.example:4318");
  CHECK(Accepted(OtlpEndpoint("https://c.example/otlp/")).exporter_endpoint ==
        "https://c.example/otlp");
}

TEST_CASE("config: exporter.endpoint must start with http:// or https://") {
  const std::string message = "exporter.endpoint: must start with http:// or https://";
  for (const char* bad : {"c.example", "ftp://c.example", "HTTPS://c.example", "https:/c.example",
                          "https:", "//c.example", " https://c.example", "grpc://c.example"}) {
    CheckRejected(OtlpEndpoint(bad), message);
  }
}

TEST_CASE("config: exporter.endpoint must not contain spaces or non-ASCII characters") {
  const std::string message = "exporter.endpoint: must not contain spaces or non-ASCII characters";
  CheckRejected(OtlpEndpoint("https://c.example /x"), message);
  CheckRejected(OtlpEndpoint("https://c.example/ "), message);
  CheckRejected(OtlpEndpoint("https://caf\\u00e9.example"), message);
  // Control characters are caught earlier, by the string rule.
  CheckRejected(OtlpEndpoint("https://c.example\\t"),
                "exporter.endpoint: must not contain control characters");
  CheckRejected(OtlpEndpoint("https://c.example\\r\\nX: y"),
                "exporter.endpoint: must not contain control characters");
}

TEST_CASE(
    "regression: exporter.endpoint rejects quotes and backslashes, which would break the "
    "exporter settings JSON") {
  CheckRejected(OtlpEndpoint("https://c.example/a\\\"b"),
                "exporter.endpoint: must not contain quotes or backslashes");
  CheckRejected(OtlpEndpoint("https://c.example\\\\x"),
                "exporter.endpoint: must not contain quotes or backslashes");
}

TEST_CASE("config: exporter.endpoint must not carry a query or fragment") {
  const std::string message = "exporter.endpoint: must not contain a query or fragment";
  CheckRejected(OtlpEndpoint("https://c.example/?x=1"), message);
  CheckRejected(OtlpEndpoint("https://c.example?"), message);
  CheckRejected(OtlpEndpoint("https://c.example/#frag"), message);
}

TEST_CASE("config: exporter.endpoint is a base URL: /v1/traces is appended by edgetrace") {
  const std::string message =
      "exporter.endpoint: give the base URL (e.g. https://collector.example:4318); edgetrace "
      "appends /v1/traces itself";
  CheckRejected(OtlpEndpoint("https://c.example/v1/traces"), message);
  CheckRejected(OtlpEndpoint("https://c.example:4318/v1/traces/"), message);
  CheckRejected(OtlpEndpoint("https://c.example/otlp/v1/traces//"), message);
  // Only the exact suffix is refused.
  CHECK(Accepted(OtlpEndpoint("https://c.example/v1/traces-proxy")).exporter_endpoint ==
        "https://c.example/v1/traces-proxy");
  CHECK(Accepted(OtlpEndpoint("https://c.example/v1")).exporter_endpoint == "https://c.example/v1");
}

TEST_CASE("config: exporter.endpoint must name a host") {
  const std::string message = "exporter.endpoint: has no host";
  CheckRejected(OtlpEndpoint("https:///x"), message);
  CheckRejected(OtlpEndpoint("https://:4318"), message);
  CheckRejected(OtlpEndpoint("http://:80/x"), message);
}

TEST_CASE(
    "regression: exporter.endpoint https:// alone has no host (slash trimming stops at the "
    "scheme)") {
  const std::string message = "exporter.endpoint: has no host";
  CheckRejected(OtlpEndpoint("https://"), message);
  CheckRejected(OtlpEndpoint("http://"), message);
  CheckRejected(OtlpEndpoint("https:///"), message);
  CheckRejected(OtlpEndpoint("http:////"), message);
}

TEST_CASE("config: exporter.endpoint is at most 2048 bytes") {
  const std::string max = "https://" + std::string(2048 - 8, 'a');
  CHECK(Accepted(OtlpEndpoint(max)).exporter_endpoint == max);
  CheckRejected(OtlpEndpoint(max + "a"), "exporter.endpoint: must be at most 2048 bytes");
}

// ---- exporter.headers -------------------------------------------------------------------------

TEST_CASE("config: exporter.headers must be an object") {
  CheckRejected(Exporter("\"headers\":[]"),
                "exporter.headers: must be an object of strings, got an array");
  CheckRejected(Exporter("\"headers\":\"x-api-key: 1\""),
                "exporter.headers: must be an object of strings, got a string");
  CheckRejected(Exporter("\"headers\":null"),
                "exporter.headers: must be an object of strings, got null");
  CHECK(Accepted(Exporter("\"headers\":{}")).exporter_headers.empty());
}

TEST_CASE("config: at most 16 exporter headers") {
  std::string sixteen;
  for (int i = 0; i < 16; ++i) {
    if (i) sixteen += ',';
    sixteen += "\"x-h" + std::to_string(i) + "\":\"v\"";
  }
  CHECK(Accepted(Headers(sixteen)).exporter_headers.size() == 16);
  CheckRejected(Headers(sixteen + ",\"x-h16\":\"v\""), "exporter.headers: at most 16 headers");
}

TEST_CASE("config: exporter header names must be non-empty RFC 9110 tokens") {
  CheckRejected(Headers("\"\":\"v\""), "exporter.headers: header names must not be empty");
  for (const char* bad : {"x api", "x:api", "x(api)", "x\\\"api", "x/api", "x@api", "x,api",
                          "x;api", "x=api", "x{api}", "x\\u00e9"}) {
    CAPTURE(bad);
    CheckRejectedWithPrefix(Headers(std::string("\"") + bad + "\":\"v\""), "exporter.headers.x");
    Parsed p = Parse(Headers(std::string("\"") + bad + "\":\"v\""));
    CHECK(p.error.find(": is not a valid HTTP header name") != std::string::npos);
  }
  CheckRejected(Headers("\"x api\":\"v\""),
                "exporter.headers.x api: is not a valid HTTP header name");
  // Every tchar is allowed.
  const Config c = Accepted(Headers("\"Aa0!#$%&'*+-.^_`|~\":\"v\""));
  REQUIRE(c.exporter_headers.size() == 1);
  CHECK(c.exporter_headers[0].first == "Aa0!#$%&'*+-.^_`|~");
}

TEST_CASE("config: exporter headers edgetrace sets itself cannot be overridden, in any case") {
  for (const char* name : {"content-type", "Content-Type", "CONTENT-LENGTH", "host", "Host",
                           "connection", "Transfer-Encoding", "content-encoding"}) {
    CheckRejected(Headers(std::string("\"") + name + "\":\"v\""),
                  std::string("exporter.headers.") + name +
                      ": is set by edgetrace itself and cannot be overridden");
  }
  // Lookalikes are fine.
  CHECK(Accepted(Headers("\"content-type-x\":\"v\",\"x-host\":\"h\"")).exporter_headers.size() ==
        2);
}

TEST_CASE("config: exporter header values must be strings without CR/LF or other controls") {
  CheckRejected(Headers("\"x-api-key\":1"),
                "exporter.headers.x-api-key: must be a string, got a number");
  CheckRejected(Headers("\"x-api-key\":null"),
                "exporter.headers.x-api-key: must be a string, got null");
  CheckRejected(Headers("\"x-api-key\":[\"a\"]"),
                "exporter.headers.x-api-key: must be a string, got an array");
  for (const char* bad : {"a\\r\\nx-evil: 1", "a\\n", "a\\r", "\\u0000", "a\\u007f", "\\u001b"}) {
    CheckRejected(Headers(std::string("\"x-api-key\":\"") + bad + "\""),
                  "exporter.headers.x-api-key: must not contain control characters (CR/LF)");
  }
}

TEST_CASE("config: exporter header values may be empty, contain tabs, quotes and UTF-8") {
  const Config c = Accepted(Headers(R"("a":"","b":"x\ty","c":"say \"hi\" \\ caf\u00e9")"));
  REQUIRE(c.exporter_headers.size() == 3);
  CHECK(c.exporter_headers[0] == std::make_pair(std::string("a"), std::string("")));
  CHECK(c.exporter_headers[1] == std::make_pair(std::string("b"), std::string("x\ty")));
  CHECK(c.exporter_headers[2] ==
        std::make_pair(std::string("c"), std::string("say \"hi\" \\ caf\xc3\xa9")));
}

// ---- exporter.timeoutMs -------------------------------------------------------------------------

TEST_CASE("config: exporter.timeoutMs is an integer from 1 to 4000") {
  CHECK(Accepted(Exporter("\"timeoutMs\":1")).exporter_timeout_ms == 1);
  CHECK(Accepted(Exporter("\"timeoutMs\":4000")).exporter_timeout_ms == 4000);
  CHECK(Accepted(Exporter("\"timeoutMs\":250.0")).exporter_timeout_ms == 250);  // integral value
  CHECK(Accepted(Exporter("\"timeoutMs\":1e3")).exporter_timeout_ms == 1000);
  const std::string range = "exporter.timeoutMs: must be an integer from 1 to 4000";
  CheckRejected(Exporter("\"timeoutMs\":0"), range + ", got 0");
  CheckRejected(Exporter("\"timeoutMs\":4001"), range + ", got 4001");
  CheckRejected(Exporter("\"timeoutMs\":-5"), range + ", got -5");
  CheckRejected(Exporter("\"timeoutMs\":\"200\""), range + ", got a string");
  CheckRejected(Exporter("\"timeoutMs\":true"), range + ", got a boolean");
  CheckRejected(Exporter("\"timeoutMs\":null"), range + ", got null");
  CheckRejected(Exporter("\"timeoutMs\":1.5"), range + ", got 1.5");
  CheckRejected(Exporter("\"timeoutMs\":1e300"), range + ", got 1e+300");
  CheckRejectedWithPrefix(Exporter("\"timeoutMs\":18446744073709551615"), range + ", got ");
}

// ---- sampling, propagation, ids, limits --------------------------------------------------------

TEST_CASE("config: sampling.ratio is a number from 0 to 1") {
  CHECK(Accepted(R"({"sampling":{"ratio":0}})").sampling_ratio == 0.0);
  CHECK(Accepted(R"({"sampling":{"ratio":1}})").sampling_ratio == 1.0);
  CHECK(Accepted(R"({"sampling":{"ratio":0.25}})").sampling_ratio == 0.25);
  CHECK(Accepted(R"({"sampling":{"ratio":1e-9}})").sampling_ratio == 1e-9);
  const std::string range = "sampling.ratio: must be a number from 0 to 1";
  CheckRejected(R"({"sampling":{"ratio":2}})", range + ", got 2");
  CheckRejected(R"({"sampling":{"ratio":-1}})", range + ", got -1");
  CheckRejected(R"({"sampling":{"ratio":"0.5"}})", range + ", got a string");
  CheckRejected(R"({"sampling":{"ratio":null}})", range + ", got null");
  CheckRejected(R"({"sampling":{"ratio":false}})", range + ", got a boolean");
  CheckRejectedWithPrefix(R"({"sampling":{"ratio":1.0000001}})", range + ", got ");
  CheckRejected(R"({"sampling":{"ratio":-0.5}})", range + ", got -0.5");
}

TEST_CASE("config: propagation.trustIncoming is a boolean") {
  CHECK(Accepted(R"({"propagation":{"trustIncoming":true}})").trust_incoming);
  CHECK_FALSE(Accepted(R"({"propagation":{"trustIncoming":false}})").trust_incoming);
  const std::string message = "propagation.trustIncoming: must be true or false";
  CheckRejected(R"({"propagation":{"trustIncoming":"true"}})", message + ", got a string");
  CheckRejected(R"({"propagation":{"trustIncoming":1}})", message + ", got a number");
  CheckRejected(R"({"propagation":{"trustIncoming":null}})", message + ", got null");
}

TEST_CASE("config: ids.xrayCompatible is a boolean") {
  CHECK(Accepted(R"({"ids":{"xrayCompatible":true}})").xray_compatible_ids);
  CHECK_FALSE(Accepted(R"({"ids":{"xrayCompatible":false}})").xray_compatible_ids);
  const std::string message = "ids.xrayCompatible: must be true or false";
  CheckRejected(R"({"ids":{"xrayCompatible":"yes"}})", message + ", got a string");
  CheckRejected(R"({"ids":{"xrayCompatible":0}})", message + ", got a number");
  CheckRejected(R"({"ids":{"xrayCompatible":{}}})", message + ", got an object");
}

TEST_CASE("config: limits.attributeValueLength is an integer from 16 to 4096") {
  CHECK(Accepted(R"({"limits":{"attributeValueLength":16}})").attribute_value_length == 16);
  CHECK(Accepted(R"({"limits":{"attributeValueLength":4096}})").attribute_value_length == 4096);
  const std::string range = "limits.attributeValueLength: must be an integer from 16 to 4096";
  CheckRejected(R"({"limits":{"attributeValueLength":15}})", range + ", got 15");
  CheckRejected(R"({"limits":{"attributeValueLength":4097}})", range + ", got 4097");
  CheckRejected(R"({"limits":{"attributeValueLength":0}})", range + ", got 0");
  CheckRejected(R"({"limits":{"attributeValueLength":"256"}})", range + ", got a string");
  CheckRejected(R"({"limits":{"attributeValueLength":16.5}})", range + ", got 16.5");
}

}  // namespace
}  // namespace edge
