// WriteExporterSettings: the JSON object the JS shim reads to know where and how to export.
#include <doctest/doctest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "edge/config.h"

namespace edge {
namespace {

using nlohmann::json;

char g_buffer[1 << 16];

std::string Write(const Config& config) {
  ByteWriter out(g_buffer, sizeof g_buffer);
  WriteExporterSettings(config, out);
  REQUIRE_FALSE(out.overflowed());
  return std::string(out.view());
}

Config Parse(std::string_view config_json) {
  Config config;
  std::string error;
  CAPTURE(config_json);
  REQUIRE(ParseConfig(config_json, config, error) == Status::kOk);
  return config;
}

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Parses the settings and checks the shape every settings object has.
json ParseSettings(const std::string& text) {
  CAPTURE(text);
  json j = json::parse(text, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  REQUIRE(j.is_object());
  REQUIRE(j.contains("mode"));
  REQUIRE(j["mode"].is_string());
  REQUIRE(j.contains("headers"));
  REQUIRE(j["headers"].is_object());
  REQUIRE(j.contains("timeoutMs"));
  REQUIRE(j["timeoutMs"].is_number_integer());
  return j;
}

std::string StringField(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>()
                                                                : "<absent>";
}

TEST_CASE("exporter settings: the defaults are mode log, no url, no headers, 200 ms") {
  const std::string text = Write(Config{});
  CHECK(text == R"({"mode":"log","headers":{},"timeoutMs":200})");
  const json j = ParseSettings(text);
  CHECK(j.size() == 3);
  CHECK_FALSE(j.contains("url"));
}

TEST_CASE("exporter settings: otlp-http gets url = endpoint + /v1/traces, headers and timeout") {
  const Config config = Parse(R"({"exporter":{"mode":"otlp-http",
      "endpoint":"https://collector.example:4318/","headers":{"x-api-key":"k1","X-Tenant":"acme"},
      "timeoutMs":750}})");
  const std::string text = Write(config);
  CHECK(text == R"({"mode":"otlp-http","url":"https://collector.example:4318/v1/traces",)"
                R"("headers":{"x-api-key":"k1","X-Tenant":"acme"},"timeoutMs":750})");
  const json j = ParseSettings(text);
  CHECK(StringField(j, "mode") == "otlp-http");
  CHECK(StringField(j, "url") == "https://collector.example:4318/v1/traces");
  CHECK(j["headers"].size() == 2);
  CHECK(StringField(j["headers"], "x-api-key") == "k1");
  CHECK(StringField(j["headers"], "X-Tenant") == "acme");
  CHECK(j["timeoutMs"].get<int>() == 750);
}

TEST_CASE("exporter settings: an endpoint with a path keeps it before /v1/traces") {
  const json j = ParseSettings(
      Write(Parse(R"({"exporter":{"mode":"otlp-http","endpoint":"http://10.0.0.7/otlp//"}})")));
  CHECK(StringField(j, "url") == "http://10.0.0.7/otlp/v1/traces");
}

TEST_CASE("exporter settings: mode none and mode log are named as in the config") {
  CHECK(StringField(ParseSettings(Write(Parse(R"({"exporter":{"mode":"none"}})"))), "mode") ==
        "none");
  const json log =
      ParseSettings(Write(Parse(R"({"exporter":{"mode":"log","endpoint":"https://c.example"}})")));
  CHECK(StringField(log, "mode") == "log");
  // An endpoint given with another mode is still passed on (the shim may log it).
  CHECK(StringField(log, "url") == "https://c.example/v1/traces");
}

TEST_CASE("exporter settings: header values are JSON-escaped and the output is pure ASCII") {
  // Header values are printable ASCII and tab (config.cc refuses the rest); quotes,
  // backslashes and tabs are what the JSON must escape.
  const Config config =
      Parse(R"({"exporter":{"headers":{"authorization":"Basic \"q\" \\ x\ty"}}})");
  const std::string text = Write(config);
  CAPTURE(text);
  CHECK(IsAscii(text));
  const json j = ParseSettings(text);
  CHECK(StringField(j["headers"], "authorization") == "Basic \"q\" \\ x\ty");
}

TEST_CASE("exporter settings: every config value round-trips through the JSON") {
  const Config config = Parse(R"({"exporter":{"mode":"otlp-http","endpoint":"https://c.example",
      "headers":{"a":"1","b":"","c":"x y"},"timeoutMs":4000}})");
  const json j = ParseSettings(Write(config));
  CHECK(StringField(j, "mode") == ExporterModeName(config.exporter_mode));
  CHECK(StringField(j, "url") == config.exporter_endpoint + "/v1/traces");
  REQUIRE(j["headers"].size() == config.exporter_headers.size());
  for (const auto& [name, value] : config.exporter_headers) {
    CHECK(StringField(j["headers"], name.c_str()) == value);
  }
  CHECK(j["timeoutMs"].get<int>() == config.exporter_timeout_ms);
}

TEST_CASE("regression: an endpoint that could break the settings JSON never reaches it") {
  // Before the fix these were accepted and written raw into the "url" string.
  Config config;
  std::string error;
  CHECK(ParseConfig(R"({"exporter":{"mode":"otlp-http","endpoint":"https://a\"b"}})", config,
                    error) == Status::kBadConfig);
  CHECK(ParseConfig(R"({"exporter":{"mode":"otlp-http","endpoint":"https://a\\b"}})", config,
                    error) == Status::kBadConfig);
  // ... and a hostless one that trimmed to "https:".
  CHECK(ParseConfig(R"({"exporter":{"mode":"otlp-http","endpoint":"https://"}})", config, error) ==
        Status::kBadConfig);
}

TEST_CASE("exporter settings: a buffer too small overflows without writing past it") {
  const Config config = Parse(R"({"exporter":{"mode":"otlp-http","endpoint":"https://c.example",
      "headers":{"x-api-key":"0123456789"}}})");
  const std::string full = Write(config);
  for (size_t capacity : {size_t{0}, size_t{1}, size_t{10}, full.size() - 1}) {
    CAPTURE(capacity);
    char buffer[256];
    std::memset(buffer, '#', sizeof buffer);
    ByteWriter out(buffer, capacity);
    WriteExporterSettings(config, out);
    CHECK(out.overflowed());
    CHECK(out.size() <= capacity);
    CHECK(buffer[capacity] == '#');
  }
  char exact[256];
  ByteWriter out(exact, full.size());
  WriteExporterSettings(config, out);
  CHECK_FALSE(out.overflowed());
  CHECK(out.view() == full);
}

}  // namespace
}  // namespace edge
