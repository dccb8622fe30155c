#pragma once
// edgetrace.config.json: parsed and validated once per sandbox. Every key has a default; an
// unknown key or a wrong type is an error whose message names the key path, because a
// typo silently ignored in a tracing config is a trace silently lost.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/json/byte_writer.h"
#include "edge/status.h"

namespace edge {

enum class ExporterMode : uint8_t { kOtlpHttp, kLog, kNone };

struct Config {
  static constexpr int kMaxTimeoutMs = 4000;  // below the 5 s viewer-trigger limit
  static constexpr int kMinAttributeValueLength = 16;
  static constexpr int kMaxAttributeValueLength = 4096;

  std::string service_name = "edgetrace";
  std::string service_version;
  std::string environment;  // deployment.environment.name

  ExporterMode exporter_mode = ExporterMode::kLog;
  std::string exporter_endpoint;  // base URL, as given (trailing '/' trimmed)
  std::vector<std::pair<std::string, std::string>> exporter_headers;
  int exporter_timeout_ms = 200;

  double sampling_ratio = 1.0;
  bool trust_incoming = false;
  bool xray_compatible_ids = false;
  int attribute_value_length = 256;
};

// Parses `json` into `out`. On error returns kBadConfig and sets `error` to a one-line
// message that names the key path, e.g. `exporter.timeoutMs: must be an integer 1..4000`.
Status ParseConfig(std::string_view json, Config& out, std::string& error);

// The exporter settings the JS shim needs, as one JSON object:
// {"mode":"otlp-http","url":"https://c.example/v1/traces","headers":{...},"timeoutMs":200}
void WriteExporterSettings(const Config& config, ByteWriter& out) noexcept;

const char* ExporterModeName(ExporterMode mode) noexcept;

}  // namespace edge
