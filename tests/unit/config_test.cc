#include "edge/config.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
std::string Sampling(std::string_view members) {
  return "{\"sampling\":{" + std::string(members) + "}}";
}
std::string Rules(std::string_view rules) {
  return Sampling("\"rules\":[" + std::string(rules) + "]");
}
std::string Propagation(std::string_view members) {
  return "{\"propagation\":{" + std::string(members) + "}}";
}
std::string Capture(std::string_view members) {
  return "{\"capture\":{" + std::string(members) + "}}";
}
std::string QueryKeys(std::string_view keys) {
  return "{\"redaction\":{\"queryKeys\":[" + std::string(keys) + "]}}";
}
// `n` comma-separated JSON strings made by `make(i)`.
template <typename Make>
std::string List(int n, Make make) {
  std::string list;
  for (int i = 0; i < n; ++i) list += (i ? ",\"" : "\"") + make(i) + "\"";
  return list;
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
  "triggers": ["viewer-response", "origin-request", "viewer-request", "origin-response"],
  "sampling": {
    "ratio": 0.25,
    "rules": [
      { "host": "API.example.com", "path": "/checkout/*", "method": "POST", "ratio": 1 },
      { "path": "/health", "ratio": 0 }
    ],
    "maxPerSecond": 50,
    "keepErrors": true
  },
  "propagation": {
    "trust": "ids-only",
    "extract": ["xray", "b3", "tracecontext"],
    "inject": ["xray", "b3multi"],
    "responseHeader": "server-timing"
  },
  "ids": { "xrayCompatible": true },
  "capture": { "requestHeaders": ["Accept-Language"], "responseHeaders": ["x-cache", "age"] },
  "redaction": { "queryKeys": ["token", "SessionId"] },
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
  CHECK(c.triggers == trigger_bits::kOriginPair);
  CHECK(c.sampling_ratio == 1.0);
  CHECK(c.sampling_rules.empty());
  CHECK(c.sampling_max_per_second == 0);
  CHECK_FALSE(c.keep_errors);
  CHECK(c.trust == TrustPolicy::kIgnore);
  REQUIRE(c.extract_count == 1);
  CHECK(c.extract_order[0] == format_bits::kTraceContext);
  CHECK(c.inject == format_bits::kTraceContext);
  CHECK(c.response_header == ResponseHeaderMode::kNone);
  CHECK(c.capture_request_headers.empty());
  CHECK(c.capture_response_headers.empty());
  CHECK(c.redact_query_keys.empty());
  CHECK_FALSE(c.xray_compatible_ids);
  CHECK(c.attribute_value_length == 256);
}

TEST_CASE("config: empty sections give the defaults too") {
  const Config c = Accepted(
      R"({"service":{},"exporter":{},"sampling":{},"propagation":{},"ids":{},"capture":{},
          "redaction":{},"limits":{}})");
  CHECK(c.service_name == "edgetrace");
  CHECK(c.exporter_mode == ExporterMode::kLog);
  CHECK(c.sampling_ratio == 1.0);
  CHECK(c.trust == TrustPolicy::kIgnore);
  CHECK(c.extract_count == 1);
  CHECK(c.inject == format_bits::kTraceContext);
  CHECK(c.capture_request_headers.empty());
  CHECK(c.redact_query_keys.empty());
  CHECK(c.attribute_value_length == 256);
}

TEST_CASE("config: the shipped shim-js/edgetrace.config.json parses to the defaults") {
  const Config c = Accepted(kShippedDefault);
  CHECK(c.service_name == "edgetrace");
  CHECK(c.exporter_mode == ExporterMode::kLog);
  CHECK(c.sampling_ratio == 1.0);
  CHECK(c.trust == TrustPolicy::kIgnore);
}

TEST_CASE("config: every key is applied") {
  const Config c = Accepted(kFull);
  CHECK(c.service_name == "checkout-edge");
  CHECK(c.service_version == "1.4.2");
  CHECK(c.environment == "production");
  CHECK(c.exporter_mode == ExporterMode::kOtlpHttp);
  CHECK(c.exporter_endpoint == "https://collector.example:4318");  // trailing '/' trimmed
  REQUIRE(c.exporter_headers.size() == 2);
  // Headers keep the order the config lists them in (json::Value's items() is document order).
  CHECK(c.exporter_headers[0].first == "x-api-key");
  CHECK(c.exporter_headers[0].second == "s3cr3t");
  CHECK(c.exporter_headers[1].first == "X-Tenant");
  CHECK(c.exporter_headers[1].second == "acme");
  CHECK(c.exporter_timeout_ms == 350);
  CHECK(c.triggers == trigger_bits::kAllFour);
  CHECK(c.sampling_ratio == 0.25);
  REQUIRE(c.sampling_rules.size() == 2);
  CHECK(c.sampling_rules[0].host == "api.example.com");  // lowercased
  CHECK(c.sampling_rules[0].path == "/checkout/*");
  CHECK(c.sampling_rules[0].method == "POST");
  CHECK(c.sampling_rules[0].ratio == 1.0);
  CHECK(c.sampling_rules[1].host == "");
  CHECK(c.sampling_rules[1].path == "/health");
  CHECK(c.sampling_rules[1].method == "");
  CHECK(c.sampling_rules[1].ratio == 0.0);
  CHECK(c.sampling_max_per_second == 50);
  CHECK(c.keep_errors);
  CHECK(c.trust == TrustPolicy::kIdsOnly);
  REQUIRE(c.extract_count == 3);
  CHECK(c.extract_order[0] == format_bits::kXRay);
  CHECK(c.extract_order[1] == (format_bits::kB3Single | format_bits::kB3Multi));
  CHECK(c.extract_order[2] == format_bits::kTraceContext);
  CHECK(c.inject == (format_bits::kTraceContext | format_bits::kXRay | format_bits::kB3Multi));
  CHECK(c.response_header == ResponseHeaderMode::kServerTiming);
  CHECK(c.xray_compatible_ids);
  CHECK(c.capture_request_headers == std::vector<std::string>{"accept-language"});
  CHECK(c.capture_response_headers == std::vector<std::string>{"x-cache", "age"});
  CHECK(c.redact_query_keys == std::vector<std::string>{"token", "SessionId"});
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
  CHECK(c.triggers == trigger_bits::kOriginPair);
  CHECK(c.sampling_rules.empty());
  CHECK(c.sampling_max_per_second == 0);
  CHECK_FALSE(c.keep_errors);
  CHECK(c.trust == TrustPolicy::kIgnore);
  CHECK(c.extract_count == 1);
  CHECK(c.extract_order[0] == format_bits::kTraceContext);
  CHECK(c.extract_order[1] == 0);
  CHECK(c.inject == format_bits::kTraceContext);
  CHECK(c.response_header == ResponseHeaderMode::kNone);
  CHECK(c.capture_request_headers.empty());
  CHECK(c.capture_response_headers.empty());
  CHECK(c.redact_query_keys.empty());
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
    "sampling":{"$comment":"c","ratio":0.5,"rules":[{"$comment":"c","path":"/","ratio":0}]},
    "propagation":{"$comment":"c","trustIncoming":true},
    "ids":{"$schema":"s","xrayCompatible":true},
    "capture":{"$comment":"c","requestHeaders":["x-a"]},
    "redaction":{"$comment":"c","queryKeys":["k"]},
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

TEST_CASE("config: a NUL byte after the document is invalid too, not an end of input") {
  // nlohmann_json (the parser before json::Value) stopped at a NUL and ignored what followed.
  CheckRejected(Bytes("{}\0{\"sampling\":{\"ratio\":0}}"), "config: not valid JSON");
  CheckRejected(Bytes("{}\0"), "config: not valid JSON");
}

TEST_CASE("config: a duplicate key is invalid JSON, at every level") {
  // nlohmann_json (the parser before json::Value) silently kept the last value.
  CheckRejected(R"({"service":{},"service":{}})", "config: not valid JSON");
  CheckRejected(R"({"sampling":{"ratio":0,"ratio":1}})", "config: not valid JSON");
  CheckRejected(Headers(R"("x-a":"1","x-a":"2")"), "config: not valid JSON");
}

TEST_CASE("config: at most 32 levels of nesting") {
  // The root object and `arrays` nested arrays under $comment.
  const auto nested = [](int arrays) {
    return "{\"$comment\":" + std::string(arrays, '[') + std::string(arrays, ']') + "}";
  };
  Accepted(nested(31));
  CheckRejected(nested(32), "config: not valid JSON");
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
  CheckRejected(R"({"sampling":{"rules":[{"hots":"a","ratio":1}]}})",
                "sampling.rules[0].hots: unknown key");
  CheckRejected(R"({"propagation":{"trustincoming":true}})",
                "propagation.trustincoming: unknown key");
  CheckRejected(R"({"propagation":{"injectFormats":[]}})",
                "propagation.injectFormats: unknown key");
  CheckRejected(R"({"capture":{"headers":[]}})", "capture.headers: unknown key");
  CheckRejected(R"({"redaction":{"query":[]}})", "redaction.query: unknown key");
  CheckRejected(R"({"trigger":[]})", "trigger: unknown key");
  CheckRejected(R"({"ids":{"xray":true}})", "ids.xray: unknown key");
  CheckRejected(R"({"limits":{"attributeValueLen":64}})", "limits.attributeValueLen: unknown key");
  CheckRejected(R"({"":1})", ": unknown key");
}

TEST_CASE("config: an unknown key is reported even when its value is valid elsewhere") {
  CheckRejected(R"({"service":{"name":"a","ratio":1}})", "service.ratio: unknown key");
}

TEST_CASE("config: every section must be an object") {
  for (const char* section : {"service", "exporter", "sampling", "propagation", "ids", "capture",
                              "redaction", "limits"}) {
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

TEST_CASE("config: exporter.endpoint host and port are what Node's URL and HTTP client take") {
  CHECK(Accepted(OtlpEndpoint("http://[::1]:4318")).exporter_endpoint == "http://[::1]:4318");
  CHECK(Accepted(OtlpEndpoint("https://[2001:db8::1]")).exporter_endpoint ==
        "https://[2001:db8::1]");
  CHECK(Accepted(OtlpEndpoint("http://otel_collector:65535/x")).exporter_endpoint ==
        "http://otel_collector:65535/x");
  const std::string port = "exporter.endpoint: has a port that is not a number from 1 to 65535";
  for (const char* bad : {"http://h:65536", "http://h:8x", "http://h:0", "http://h:80:90",
                          "http://h:", "http://h:123456", "http://[::1]:99999"}) {
    CheckRejected(OtlpEndpoint(bad), port);
  }
  CheckRejected(OtlpEndpoint("http://[zz]"), "exporter.endpoint: has a malformed IPv6 address");
  CheckRejected(OtlpEndpoint("http://[::1"), "exporter.endpoint: has a malformed IPv6 address");
  CheckRejected(OtlpEndpoint("http://[::1]x"), "exporter.endpoint: has a malformed IPv6 address");
  CheckRejectedWithPrefix(OtlpEndpoint("http://a,b.example"), "exporter.endpoint: has a host name");
  CheckRejected(OtlpEndpoint("http://user@:80"), "exporter.endpoint: has no host");
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

TEST_CASE("config: exporter header values must be printable ASCII strings") {
  CheckRejected(Headers("\"x-api-key\":1"),
                "exporter.headers.x-api-key: must be a string, got a number");
  CheckRejected(Headers("\"x-api-key\":null"),
                "exporter.headers.x-api-key: must be a string, got null");
  CheckRejected(Headers("\"x-api-key\":[\"a\"]"),
                "exporter.headers.x-api-key: must be a string, got an array");
  // Controls could split the request; non-ASCII ("\u20ac", which Node refuses at send time,
  // so every export would fail) is refused here, where the message names the key.
  for (const char* bad : {"a\\r\\nx-evil: 1", "a\\n", "a\\r", "\\u0000", "a\\u007f", "\\u001b",
                          "Bearer \\u20acuro", "caf\\u00e9", "\\ud83d\\ude00"}) {
    CheckRejected(Headers(std::string("\"x-api-key\":\"") + bad + "\""),
                  "exporter.headers.x-api-key: must be printable ASCII (no control characters, "
                  "CR/LF or non-ASCII characters)");
  }
}

TEST_CASE("config: exporter header values may be empty, contain tabs, quotes and backslashes") {
  const Config c = Accepted(Headers(R"("a":"","b":"x\ty","c":"say \"hi\" \\ ok")"));
  REQUIRE(c.exporter_headers.size() == 3);
  CHECK(c.exporter_headers[0] == std::make_pair(std::string("a"), std::string("")));
  CHECK(c.exporter_headers[1] == std::make_pair(std::string("b"), std::string("x\ty")));
  CHECK(c.exporter_headers[2] == std::make_pair(std::string("c"), std::string("say \"hi\" \\ ok")));
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
  CHECK(Accepted(R"({"propagation":{"trustIncoming":true}})").trust == TrustPolicy::kHonor);
  CHECK(Accepted(R"({"propagation":{"trustIncoming":false}})").trust == TrustPolicy::kIgnore);
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

// ---- triggers ----------------------------------------------------------------------------------

constexpr std::string_view kTriggerPairs =
    "triggers: must be the origin pair [\"origin-request\",\"origin-response\"], the viewer pair "
    "[\"viewer-request\",\"viewer-response\"] or all four";

TEST_CASE("config: triggers is the origin pair, the viewer pair or all four, in any order") {
  CHECK(Accepted(R"({"triggers":["origin-request","origin-response"]})").triggers ==
        trigger_bits::kOriginPair);
  CHECK(Accepted(R"({"triggers":["origin-response","origin-request"]})").triggers ==
        trigger_bits::kOriginPair);
  CHECK(Accepted(R"({"triggers":["viewer-request","viewer-response"]})").triggers ==
        trigger_bits::kViewerPair);
  CHECK(Accepted(R"({"triggers":["viewer-response","origin-response","viewer-request",
                                 "origin-request"]})")
            .triggers == trigger_bits::kAllFour);
}

TEST_CASE("config: triggers that are not a pair or all four are rejected") {
  CheckRejected(R"({"triggers":[]})", kTriggerPairs);
  CheckRejected(R"({"triggers":["origin-request"]})", kTriggerPairs);
  CheckRejected(R"({"triggers":["viewer-response"]})", kTriggerPairs);
  CheckRejected(R"({"triggers":["viewer-request","origin-response"]})", kTriggerPairs);
  CheckRejected(R"({"triggers":["viewer-request","origin-request","origin-response"]})",
                kTriggerPairs);
}

TEST_CASE("config: triggers names an unknown or repeated trigger, and wrong types") {
  const std::string known =
      "must be one of \"viewer-request\", \"origin-request\", \"origin-response\", "
      "\"viewer-response\", got ";
  CheckRejected(R"({"triggers":["origin-request","origin-reqest"]})",
                "triggers[1]: " + known + "\"origin-reqest\"");
  CheckRejected(R"({"triggers":["Origin-Request","origin-response"]})",
                "triggers[0]: " + known + "\"Origin-Request\"");  // names are case-sensitive
  CheckRejected(R"({"triggers":["origin-request","origin-request","origin-response"]})",
                "triggers[1]: \"origin-request\" is listed twice");
  CheckRejected(R"({"triggers":"origin-request"})", "triggers: must be an array, got a string");
  CheckRejected(R"({"triggers":{"origin-request":true}})",
                "triggers: must be an array, got an object");
  CheckRejected(R"({"triggers":[1,2]})", "triggers[0]: must be a string, got a number");
}

TEST_CASE("regression: a rejected value quoted in a message stays one short ASCII line") {
  const std::string known =
      "must be one of \"viewer-request\", \"origin-request\", \"origin-response\", "
      "\"viewer-response\", got ";
  CheckRejected("{\"triggers\":[\"a\\r\\nb\\u00e9\"]}", "triggers[0]: " + known + "\"a??b??\"");
  CheckRejected("{\"triggers\":[\"" + std::string(100, 'x') + "\"]}",
                "triggers[0]: " + known + "\"" + std::string(64, 'x') + "...\"");
}

// ---- sampling.rules ----------------------------------------------------------------------------

TEST_CASE("config: sampling.rules are kept in order, with host lowercased") {
  const Config c = Accepted(Rules(R"({"host":"*.Example.COM","ratio":0.1},
      {"path":"*.jpg","ratio":0},{"method":"DELETE","ratio":1},
      {"host":"a-b.c0","path":"/x/?/*","method":"GET","ratio":0.5})"));
  REQUIRE(c.sampling_rules.size() == 4);
  CHECK(c.sampling_rules[0].host == "*.example.com");
  CHECK(c.sampling_rules[0].ratio == 0.1);
  CHECK(c.sampling_rules[1].path == "*.jpg");
  CHECK(c.sampling_rules[1].ratio == 0.0);
  CHECK(c.sampling_rules[2].method == "DELETE");
  CHECK(c.sampling_rules[3].host == "a-b.c0");
  CHECK(c.sampling_rules[3].path == "/x/?/*");
  CHECK(c.sampling_rules[3].method == "GET");
  CHECK(Accepted(Rules("")).sampling_rules.empty());
}

TEST_CASE("config: at most 32 sampling.rules") {
  std::string rules;
  for (int i = 0; i < 32; ++i) rules += std::string(i ? "," : "") + R"({"path":"/","ratio":1})";
  CHECK(Accepted(Rules(rules)).sampling_rules.size() == 32);
  CheckRejected(Rules(rules + R"(,{"path":"/","ratio":1})"),
                "sampling.rules: must have at most 32 entries");
}

TEST_CASE("config: sampling.rules must be an array of objects") {
  CheckRejected(Sampling(R"("rules":{"path":"/"})"),
                "sampling.rules: must be an array, got an object");
  CheckRejected(Sampling(R"("rules":null)"), "sampling.rules: must be an array, got null");
  CheckRejected(Rules(R"({"path":"/","ratio":1},"/api")"),
                "sampling.rules[1]: must be an object, got a string");
}

TEST_CASE("config: a sampling rule needs a ratio and host, path or method") {
  CheckRejected(Rules(R"({"path":"/","ratio":1},{"host":"a.example"})"),
                "sampling.rules[1].ratio: is required");
  CheckRejected(Rules(R"({"ratio":0.5})"), "sampling.rules[0]: a rule needs host, path or method");
  CheckRejected(Rules(R"({"path":"/","ratio":1},{"path":"/","ratio":1},{"path":"/","ratio":3})"),
                "sampling.rules[2].ratio: must be a number from 0 to 1, got 3");
  CheckRejected(Rules(R"({"path":"/","ratio":"1"})"),
                "sampling.rules[0].ratio: must be a number from 0 to 1, got a string");
}

TEST_CASE("config: a sampling rule host is a host name or *. and a host name") {
  const std::string name = std::string(249, 'a') + ".com";  // 253 bytes
  CHECK(Accepted(Rules(R"({"host":")" + name + R"(","ratio":1})")).sampling_rules[0].host == name);
  CHECK(Accepted(Rules(R"({"host":"*.)" + name + R"(","ratio":1})")).sampling_rules[0].host ==
        "*." + name);
  const std::string message =
      "sampling.rules[0].host: must be a host name (a-z, 0-9, '.', '-'; at most 253 bytes) or "
      "\"*.\" followed by one, got ";
  for (const char* bad : {"exa mple.com", "example.com:443", "*", "*.", "a.*.example.com",
                          "*example.com", "example_1.com", "https://example.com"}) {
    CheckRejected(Rules(std::string(R"({"host":")") + bad + R"(","ratio":1})"),
                  message + "\"" + bad + "\"");
  }
  CheckRejectedWithPrefix(Rules(R"({"host":"a)" + name + R"(","ratio":1})"), message);
  CheckRejected(Rules(R"({"host":"","ratio":1})"), "sampling.rules[0].host: must not be empty");
  CheckRejected(Rules(R"({"host":7,"ratio":1})"),
                "sampling.rules[0].host: must be a string, got a number");
}

TEST_CASE("config: a sampling rule path starts with / or * and is printable ASCII") {
  const std::string longest = "/" + std::string(1023, 'p');
  CHECK(Accepted(Rules(R"({"path":")" + longest + R"(","ratio":1})")).sampling_rules[0].path ==
        longest);
  CHECK(Accepted(Rules(R"({"path":"*","ratio":1})")).sampling_rules[0].path == "*");
  CheckRejected(Rules(R"({"path":")" + longest + R"(p","ratio":1})"),
                "sampling.rules[0].path: must be at most 1024 bytes");
  CheckRejected(Rules(R"({"path":"api/*","ratio":1})"),
                "sampling.rules[0].path: must start with '/' or '*', got \"api/*\"");
  const std::string printable = "sampling.rules[0].path: must be printable ASCII without spaces";
  CheckRejected(Rules(R"({"path":"/a b","ratio":1})"), printable);
  CheckRejected(Rules(R"({"path":"/caf\u00e9","ratio":1})"), printable);
  CheckRejected(Rules(R"({"path":"/a\tb","ratio":1})"),
                "sampling.rules[0].path: must not contain control characters");
}

TEST_CASE("config: a sampling rule method is uppercase letters") {
  CHECK(Accepted(Rules(R"({"method":"PROPFIND","ratio":1})")).sampling_rules[0].method ==
        "PROPFIND");
  CHECK(Accepted(Rules(R"({"method":")" + std::string(16, 'X') + R"(","ratio":1})"))
            .sampling_rules[0]
            .method == std::string(16, 'X'));
  CheckRejected(Rules(R"({"method":"get","ratio":1})"),
                "sampling.rules[0].method: must be uppercase: \"GET\", not \"get\"");
  CheckRejected(Rules(R"({"method":"Post","ratio":1})"),
                "sampling.rules[0].method: must be uppercase: \"POST\", not \"Post\"");
  CheckRejected(
      Rules(R"({"method":"M-SEARCH","ratio":1})"),
      "sampling.rules[0].method: must be an HTTP method of letters A-Z, got \"M-SEARCH\"");
  CheckRejected(Rules(R"({"method":"GET ","ratio":1})"),
                "sampling.rules[0].method: must be an HTTP method of letters A-Z, got \"GET \"");
  CheckRejected(Rules(R"({"method":")" + std::string(17, 'X') + R"(","ratio":1})"),
                "sampling.rules[0].method: must be at most 16 bytes");
  CheckRejected(Rules(R"({"method":"","ratio":1})"), "sampling.rules[0].method: must not be empty");
}

// ---- sampling.maxPerSecond, sampling.keepErrors ------------------------------------------------

TEST_CASE("config: sampling.maxPerSecond is an integer from 0 to 100000") {
  CHECK(Accepted(Sampling(R"("maxPerSecond":0)")).sampling_max_per_second == 0);
  CHECK(Accepted(Sampling(R"("maxPerSecond":100000)")).sampling_max_per_second == 100000);
  const std::string range = "sampling.maxPerSecond: must be an integer from 0 to 100000";
  CheckRejected(Sampling(R"("maxPerSecond":100001)"), range + ", got 100001");
  CheckRejected(Sampling(R"("maxPerSecond":-1)"), range + ", got -1");
  CheckRejected(Sampling(R"("maxPerSecond":2.5)"), range + ", got 2.5");
  CheckRejected(Sampling(R"("maxPerSecond":"10")"), range + ", got a string");
}

TEST_CASE("config: sampling.keepErrors is a boolean") {
  CHECK(Accepted(Sampling(R"("keepErrors":true)")).keep_errors);
  CHECK_FALSE(Accepted(Sampling(R"("keepErrors":false)")).keep_errors);
  CheckRejected(Sampling(R"("keepErrors":"yes")"),
                "sampling.keepErrors: must be true or false, got a string");
}

// ---- propagation.trust and its alias trustIncoming ---------------------------------------------

TEST_CASE("config: propagation.trust is ignore, ids-only or honor") {
  CHECK(Accepted(Propagation(R"("trust":"ignore")")).trust == TrustPolicy::kIgnore);
  CHECK(Accepted(Propagation(R"("trust":"ids-only")")).trust == TrustPolicy::kIdsOnly);
  CHECK(Accepted(Propagation(R"("trust":"honor")")).trust == TrustPolicy::kHonor);
  const std::string message =
      "propagation.trust: must be one of \"ignore\", \"ids-only\", \"honor\", got ";
  CheckRejected(Propagation(R"("trust":"Honor")"), message + "\"Honor\"");
  CheckRejected(Propagation(R"("trust":"honour")"), message + "\"honour\"");
  CheckRejected(Propagation(R"("trust":true)"), message + "a boolean");
  CheckRejected(Propagation(R"("trust":null)"), message + "null");
}

TEST_CASE("config: propagation.trustIncoming is an alias: true is honor, false is ignore") {
  CHECK(Accepted(Propagation(R"("trustIncoming":true)")).trust == TrustPolicy::kHonor);
  CHECK(Accepted(Propagation(R"("trustIncoming":false)")).trust == TrustPolicy::kIgnore);
  // Both given and agreeing: accepted.
  CHECK(Accepted(Propagation(R"("trustIncoming":true,"trust":"honor")")).trust ==
        TrustPolicy::kHonor);
  CHECK(Accepted(Propagation(R"("trustIncoming":false,"trust":"ignore")")).trust ==
        TrustPolicy::kIgnore);
  // false never followed the client's sampled flag, and neither does ids-only.
  CHECK(Accepted(Propagation(R"("trustIncoming":false,"trust":"ids-only")")).trust ==
        TrustPolicy::kIdsOnly);
}

TEST_CASE("config: propagation.trustIncoming conflicting with propagation.trust is an error") {
  const std::string message =
      "propagation.trustIncoming: conflicts with propagation.trust; use propagation.trust only";
  CheckRejected(Propagation(R"("trustIncoming":true,"trust":"ignore")"), message);
  CheckRejected(Propagation(R"("trustIncoming":true,"trust":"ids-only")"), message);
  CheckRejected(Propagation(R"("trust":"honor","trustIncoming":false)"), message);
}

// ---- propagation.extract, inject, responseHeader -----------------------------------------------

TEST_CASE("config: propagation.extract is an ordered list; b3 is one entry, single then multi") {
  constexpr uint8_t kB3 = format_bits::kB3Single | format_bits::kB3Multi;
  Config c = Accepted(Propagation(R"("extract":["b3"])"));
  REQUIRE(c.extract_count == 1);
  CHECK(c.extract_order[0] == kB3);
  CHECK(c.extract_formats == kB3);
  CHECK(Config{}.extract_formats == format_bits::kTraceContext);
  c = Accepted(Propagation(R"("extract":["xray","tracecontext"])"));
  REQUIRE(c.extract_count == 2);
  CHECK(c.extract_order[0] == format_bits::kXRay);
  CHECK(c.extract_order[1] == format_bits::kTraceContext);
  CHECK(c.extract_order[2] == 0);
  CHECK(c.extract_formats == (format_bits::kXRay | format_bits::kTraceContext));
  c = Accepted(Propagation(R"("extract":["tracecontext","b3","xray"])"));
  REQUIRE(c.extract_count == 3);
  CHECK(c.extract_order[0] == format_bits::kTraceContext);
  CHECK(c.extract_order[1] == kB3);
  CHECK(c.extract_order[2] == format_bits::kXRay);
}

TEST_CASE("config: propagation.extract must list known formats, each once, at least one") {
  CheckRejected(Propagation(R"("extract":[])"),
                "propagation.extract: must list at least one format");
  CheckRejected(Propagation(R"("extract":["tracecontext","b3multi"])"),
                "propagation.extract[1]: must be one of \"tracecontext\", \"xray\", \"b3\", got "
                "\"b3multi\"");
  CheckRejected(Propagation(R"("extract":["xray","xray"])"),
                "propagation.extract[1]: \"xray\" is listed twice");
  CheckRejected(Propagation(R"("extract":"xray")"),
                "propagation.extract: must be an array, got a string");
}

TEST_CASE("config: propagation.inject is a set of formats that always includes tracecontext") {
  CHECK(Accepted(Propagation(R"("inject":[])")).inject == format_bits::kTraceContext);
  CHECK(Accepted(Propagation(R"("inject":["tracecontext"])")).inject == format_bits::kTraceContext);
  CHECK(Accepted(Propagation(R"("inject":["xray"])")).inject ==
        (format_bits::kTraceContext | format_bits::kXRay));
  CHECK(Accepted(Propagation(R"("inject":["b3"])")).inject ==
        (format_bits::kTraceContext | format_bits::kB3Single));
  CHECK(Accepted(Propagation(R"("inject":["b3multi","b3","xray","tracecontext"])")).inject ==
        (format_bits::kTraceContext | format_bits::kXRay | format_bits::kB3Single |
         format_bits::kB3Multi));
  CheckRejected(Propagation(R"("inject":["w3c"])"),
                "propagation.inject[0]: must be one of \"tracecontext\", \"xray\", \"b3\", "
                "\"b3multi\", got \"w3c\"");
  CheckRejected(Propagation(R"("inject":["b3","b3"])"),
                "propagation.inject[1]: \"b3\" is listed twice");
  CheckRejected(Propagation(R"("inject":[true])"),
                "propagation.inject[0]: must be a string, got a boolean");
}

TEST_CASE("config: propagation.responseHeader is none, traceresponse or server-timing") {
  CHECK(Accepted(Propagation(R"("responseHeader":"none")")).response_header ==
        ResponseHeaderMode::kNone);
  CHECK(Accepted(Propagation(R"("responseHeader":"traceresponse")")).response_header ==
        ResponseHeaderMode::kTraceResponse);
  CHECK(Accepted(Propagation(R"("responseHeader":"server-timing")")).response_header ==
        ResponseHeaderMode::kServerTiming);
  const std::string message =
      "propagation.responseHeader: must be one of \"none\", \"traceresponse\", "
      "\"server-timing\", got ";
  CheckRejected(Propagation(R"("responseHeader":"Server-Timing")"), message + "\"Server-Timing\"");
  CheckRejected(Propagation(R"("responseHeader":false)"), message + "a boolean");
}

// ---- capture -----------------------------------------------------------------------------------

TEST_CASE("config: capture header names are stored lowercase, in order") {
  const Config c = Accepted(Capture(R"("requestHeaders":["X-Request-Id","accept-language"],
                                       "responseHeaders":["X-Cache"])"));
  CHECK(c.capture_request_headers == std::vector<std::string>{"x-request-id", "accept-language"});
  CHECK(c.capture_response_headers == std::vector<std::string>{"x-cache"});
  CHECK(Accepted(Capture(R"("requestHeaders":[])")).capture_request_headers.empty());
}

TEST_CASE("config: capture header names are non-empty tokens of at most 64 bytes, each once") {
  const std::string longest(64, 'h');
  CHECK(Accepted(Capture(R"("requestHeaders":[")" + longest + R"("])")).capture_request_headers ==
        std::vector<std::string>{longest});
  CheckRejected(Capture(R"("requestHeaders":[")" + longest + R"(h"])"),
                "capture.requestHeaders[0]: must be at most 64 bytes");
  CheckRejected(Capture(R"("requestHeaders":[""])"),
                "capture.requestHeaders[0]: must not be empty");
  for (const char* bad : {"x a", "x:a", "x\\u00e9", "x\\r\\n", "x/a"}) {
    CheckRejected(Capture(std::string(R"("responseHeaders":["ok",")") + bad + "\"]"),
                  "capture.responseHeaders[1]: is not a valid HTTP header name");
  }
  CheckRejected(Capture(R"("requestHeaders":["x-a","X-A"])"),
                "capture.requestHeaders[1]: \"x-a\" is listed twice");
  CheckRejected(Capture(R"("requestHeaders":[1])"),
                "capture.requestHeaders[0]: must be a string, got a number");
  CheckRejected(Capture(R"("responseHeaders":"x-cache")"),
                "capture.responseHeaders: must be an array, got a string");
}

TEST_CASE("config: at most 16 captured headers per list") {
  const std::string sixteen = List(16, [](int i) { return "x-h" + std::to_string(i); });
  const Config c = Accepted(
      Capture(R"("requestHeaders":[)" + sixteen + R"(],"responseHeaders":[)" + sixteen + "]"));
  CHECK(c.capture_request_headers.size() == 16);
  CHECK(c.capture_response_headers.size() == 16);
  CheckRejected(Capture(R"("responseHeaders":[)" + sixteen + R"(,"x-h16"])"),
                "capture.responseHeaders: must have at most 16 entries");
}

TEST_CASE("config: credential headers and edgetrace's own are never captured, in any case") {
  for (const char* name :
       {"authorization", "Proxy-Authorization", "cookie", "Set-Cookie", "X-Amz-Security-Token"}) {
    CAPTURE(name);
    CheckRejected(Capture(std::string(R"("requestHeaders":[")") + name + "\"]"),
                  "capture.requestHeaders[0]: is never recorded (credentials)");
    CheckRejected(Capture(std::string(R"("responseHeaders":["age",")") + name + "\"]"),
                  "capture.responseHeaders[1]: is never recorded (credentials)");
  }
  for (const char* name : {"x-edgetrace-ctx", "X-Edgetrace-Fill"}) {
    CheckRejected(Capture(std::string(R"("requestHeaders":[")") + name + "\"]"),
                  "capture.requestHeaders[0]: is edgetrace's own header and never recorded");
  }
  // Lookalikes are fine.
  CHECK(Accepted(Capture(R"("requestHeaders":["x-authorization","cookie2"])"))
            .capture_request_headers.size() == 2);
}

// ---- redaction ---------------------------------------------------------------------------------

TEST_CASE("config: redaction.queryKeys are stored as given") {
  CHECK(Accepted(QueryKeys(R"("token","Session_ID","a.b[]")")).redact_query_keys ==
        std::vector<std::string>{"token", "Session_ID", "a.b[]"});
  CHECK(Accepted(QueryKeys("")).redact_query_keys.empty());
}

TEST_CASE("config: redaction.queryKeys are printable ASCII without & = # or spaces") {
  const std::string message =
      "redaction.queryKeys[0]: must be printable ASCII without spaces, '&', '=' or '#'";
  for (const char* bad : {"a=b", "a&b", "a#b", "a b", "caf\\u00e9"}) {
    CheckRejected(QueryKeys(std::string("\"") + bad + "\""), message);
  }
  CheckRejected(QueryKeys(R"("")"), "redaction.queryKeys[0]: must not be empty");
  const std::string longest(128, 'k');
  CHECK(Accepted(QueryKeys("\"" + longest + "\"")).redact_query_keys[0] == longest);
  CheckRejected(QueryKeys("\"" + longest + "k\""),
                "redaction.queryKeys[0]: must be at most 128 bytes");
  CheckRejected(QueryKeys(R"("sig","sig")"), "redaction.queryKeys[1]: \"sig\" is listed twice");
  CheckRejected(QueryKeys("null"), "redaction.queryKeys[0]: must be a string, got null");
  CheckRejected(R"({"redaction":{"queryKeys":"sig"}})",
                "redaction.queryKeys: must be an array, got a string");
}

TEST_CASE("config: at most 32 redaction.queryKeys") {
  const auto key = [](int i) { return "k" + std::to_string(i); };
  CHECK(Accepted(QueryKeys(List(32, key))).redact_query_keys.size() == 32);
  CheckRejected(QueryKeys(List(33, key)), "redaction.queryKeys: must have at most 32 entries");
}

}  // namespace
}  // namespace edge
