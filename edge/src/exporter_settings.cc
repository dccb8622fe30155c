// The part of the configuration the JS shim acts on (where and how to send spans), written
// by the core so that validation rules live in exactly one place.
#include "edge/config.h"
#include "edge/json/json_writer.h"

namespace edge {

void WriteExporterSettings(const Config& config, ByteWriter& out) noexcept {
  JsonWriter w(out);
  w.Raw('{');
  w.Key("mode");
  w.String(ExporterModeName(config.exporter_mode));
  if (!config.exporter_endpoint.empty()) {
    w.Raw(',');
    w.Key("url");
    w.Raw('"');
    // Validated ASCII without quotes or escapes; "/v1/traces" per the OTLP/HTTP spec.
    w.Raw(config.exporter_endpoint);
    w.Raw("/v1/traces\"");
  }
  w.Raw(',');
  w.Key("headers");
  w.Raw('{');
  bool first = true;
  for (const auto& [name, value] : config.exporter_headers) {
    if (!first) w.Raw(',');
    first = false;
    w.String(name);
    w.Raw(':');
    w.String(value);
  }
  w.Raw("},");
  w.Key("timeoutMs");
  w.Int(config.exporter_timeout_ms);
  w.Raw('}');
}

}  // namespace edge
