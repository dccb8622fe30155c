// ParseConfig on arbitrary bytes: never crashes; a rejection explains itself in one non-empty
// line of printable ASCII (the host logs it as is); an accepted config satisfies every rule
// and its exporter settings are JSON that says exactly what the config says.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "../unit/support/fixed_random_source.h"
#include "edge/config.h"
#include "edge/tracer.h"
#include "fuzz_check.h"

namespace {

using nlohmann::json;

// 64 KiB of config can hold header values that escape to six bytes per input byte.
char g_settings[512 * 1024];

bool IsTokenChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

void CheckAccepted(const edge::Config& c) {
  FUZZ_CHECK(!c.service_name.empty() && c.service_name.size() <= 256);
  FUZZ_CHECK(c.service_version.size() <= 256 && c.environment.size() <= 256);
  FUZZ_CHECK(c.exporter_timeout_ms >= 1 && c.exporter_timeout_ms <= edge::Config::kMaxTimeoutMs);
  FUZZ_CHECK(c.sampling_ratio >= 0.0 && c.sampling_ratio <= 1.0);
  FUZZ_CHECK(c.attribute_value_length >= edge::Config::kMinAttributeValueLength &&
             c.attribute_value_length <= edge::Config::kMaxAttributeValueLength);
  FUZZ_CHECK(c.exporter_mode != edge::ExporterMode::kOtlpHttp || !c.exporter_endpoint.empty());

  const std::string_view e = c.exporter_endpoint;
  if (!e.empty()) {
    FUZZ_CHECK(StartsWith(e, "http://") || StartsWith(e, "https://"));
    const size_t host = e.find("//") + 2;
    FUZZ_CHECK(host < e.size() && e[host] != '/' && e[host] != ':');  // has a host
    FUZZ_CHECK(e.back() != '/');
    FUZZ_CHECK(e.size() < 10 || e.substr(e.size() - 10) != "/v1/traces");
    for (char ch : e) {
      const auto u = static_cast<unsigned char>(ch);
      FUZZ_CHECK(u > 0x20 && u < 0x7f && ch != '"' && ch != '\\' && ch != '?' && ch != '#');
    }
  }

  FUZZ_CHECK(c.exporter_headers.size() <= 16);
  for (const auto& [name, value] : c.exporter_headers) {
    FUZZ_CHECK(!name.empty());
    for (char ch : name) FUZZ_CHECK(IsTokenChar(ch));
    for (char ch : value) {
      const auto u = static_cast<unsigned char>(ch);
      FUZZ_CHECK((u >= 0x20 || ch == '\t') && u != 0x7f);
    }
  }
}

void CheckSettings(const edge::Config& c) {
  edge::ByteWriter out(g_settings, sizeof g_settings);
  edge::WriteExporterSettings(c, out);
  FUZZ_CHECK(!out.overflowed());
  const std::string_view text = out.view();
  for (char ch : text) FUZZ_CHECK(static_cast<unsigned char>(ch) < 0x80);

  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  FUZZ_CHECK(!j.is_discarded());
  FUZZ_CHECK(j.is_object());
  FUZZ_CHECK(j.contains("mode") && j["mode"].is_string());
  FUZZ_CHECK(j["mode"].get<std::string>() == edge::ExporterModeName(c.exporter_mode));
  if (c.exporter_endpoint.empty()) {
    FUZZ_CHECK(!j.contains("url"));
  } else {
    FUZZ_CHECK(j.contains("url") && j["url"].is_string());
    FUZZ_CHECK(j["url"].get<std::string>() == c.exporter_endpoint + "/v1/traces");
  }
  FUZZ_CHECK(j.contains("headers") && j["headers"].is_object());
  const json& headers = j["headers"];
  FUZZ_CHECK(headers.size() == c.exporter_headers.size());
  for (const auto& [name, value] : c.exporter_headers) {
    FUZZ_CHECK(headers.contains(name) && headers[name].is_string());
    FUZZ_CHECK(headers[name].get<std::string>() == value);
  }
  FUZZ_CHECK(j.contains("timeoutMs") && j["timeoutMs"].is_number_integer());
  FUZZ_CHECK(j["timeoutMs"].get<int>() == c.exporter_timeout_ms);
  FUZZ_CHECK(j.size() == (c.exporter_endpoint.empty() ? 3u : 4u));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  edge::Config config;
  std::string error = "stale";
  const edge::Status status = edge::ParseConfig(text, config, error);
  if (status != edge::Status::kOk) {
    FUZZ_CHECK(status == edge::Status::kBadConfig);
    FUZZ_CHECK(!error.empty());
    for (char ch : error) {
      const auto u = static_cast<unsigned char>(ch);
      FUZZ_CHECK(u >= 0x20 && u < 0x7f);  // one line, printable ASCII
    }
    return 0;
  }
  FUZZ_CHECK(error.empty());
  CheckAccepted(config);
  CheckSettings(config);

  // The tracer accepts what ParseConfig accepts, and builds its resource from it.
  edge::testing::FixedRandomSource random(1);
  edge::Tracer tracer(random);
  FUZZ_CHECK(tracer.Configure(text, edge::RuntimeInfo{"us-east-1", "f", "1"}, error) ==
             edge::Status::kOk);
  FUZZ_CHECK(tracer.configured());
  return 0;
}
