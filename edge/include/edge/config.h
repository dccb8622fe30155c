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

// The CloudFront triggers this function is associated with (config `triggers`), as bits.
namespace trigger_bits {
constexpr uint8_t kViewerRequest = 1;
constexpr uint8_t kOriginRequest = 2;
constexpr uint8_t kOriginResponse = 4;
constexpr uint8_t kViewerResponse = 8;
constexpr uint8_t kOriginPair = kOriginRequest | kOriginResponse;
constexpr uint8_t kViewerPair = kViewerRequest | kViewerResponse;
constexpr uint8_t kAllFour = kOriginPair | kViewerPair;
}  // namespace trigger_bits

// What edgetrace does with trace context sent by the client (`propagation.trust`).
enum class TrustPolicy : uint8_t {
  kIgnore,   // start a new trace; the client's headers are replaced
  kIdsOnly,  // continue its trace and parent ids, but decide sampling here
  kHonor,    // continue it and follow its sampled flag
};

// Propagation formats, as bits (`propagation.extract` order / `propagation.inject` set).
namespace format_bits {
constexpr uint8_t kTraceContext = 1;  // traceparent + tracestate
constexpr uint8_t kXRay = 2;          // X-Amzn-Trace-Id
constexpr uint8_t kB3Single = 4;      // b3
constexpr uint8_t kB3Multi = 8;       // x-b3-traceid, x-b3-spanid, x-b3-sampled
}  // namespace format_bits

// An optional response header for browsers and RUM tools (`propagation.responseHeader`).
enum class ResponseHeaderMode : uint8_t { kNone, kTraceResponse, kServerTiming };

// One `sampling.rules` entry. Empty fields match anything; the first matching rule wins.
struct SamplingRule {
  std::string host;    // exact (case-insensitive) or "*.example.com" (any subdomain)
  std::string path;    // glob over the URI path: `*` any run of characters, `?` one character
  std::string method;  // exact, uppercase
  double ratio = 1.0;
};

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

  uint8_t triggers = trigger_bits::kOriginPair;

  double sampling_ratio = 1.0;
  std::vector<SamplingRule> sampling_rules;
  int sampling_max_per_second = 0;  // per sandbox; 0 = no limit
  bool keep_errors = false;         // export unsampled requests that end in 5xx at the origin

  // `propagation.trust`; the legacy `propagation.trustIncoming` maps true to kHonor and false
  // to kIgnore (both keys may be given only when they agree).
  TrustPolicy trust = TrustPolicy::kIgnore;
  // Extraction order: the first format whose headers give a valid context wins. "b3" in the
  // config is one entry, kB3Single | kB3Multi: the single header first, then x-b3-*.
  uint8_t extract_order[4] = {format_bits::kTraceContext};
  size_t extract_count = 1;
  uint8_t extract_formats = format_bits::kTraceContext;  // the union of extract_order
  // Formats written to the origin request. kTraceContext is always set, listed or not:
  // traceparent is how the origin and the later triggers continue the trace.
  uint8_t inject = format_bits::kTraceContext;
  ResponseHeaderMode response_header = ResponseHeaderMode::kNone;

  // Header names (lowercase) recorded as http.request.header.<name> / http.response.header.<name>.
  std::vector<std::string> capture_request_headers;
  std::vector<std::string> capture_response_headers;
  // Query parameter names redacted in addition to the built-in signed-URL set.
  std::vector<std::string> redact_query_keys;

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
