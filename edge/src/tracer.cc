#include "edge/tracer.h"

namespace edge {

Status Tracer::Configure(std::string_view config_json, const RuntimeInfo& runtime,
                         std::string& error) {
  Config parsed;
  if (ParseConfig(config_json, parsed, error) != Status::kOk) return Status::kBadConfig;
  config_ = std::move(parsed);
  ids_ = std::make_unique<IdGenerator>(random_, config_.xray_compatible_ids);
  sampler_ = std::make_unique<EdgeSampler>(config_);
  region_ = std::string(runtime.region);
  request_capture_.Init(config_.capture_request_headers, "http.request.header.");
  response_capture_.Init(config_.capture_response_headers, "http.response.header.");

  const ResourceAttribute resource[] = {
      {"service.name", config_.service_name},
      {"service.version", config_.service_version},
      {"deployment.environment.name", config_.environment},
      {"telemetry.sdk.name", "edgetrace"},
      {"telemetry.sdk.language", "cpp"},
      {"telemetry.sdk.version", EDGETRACE_VERSION},
      {"cloud.provider", "aws"},
      {"cloud.platform", "aws_lambda"},
      {"cloud.region", runtime.region},
      {"faas.name", runtime.function_name},
      {"faas.version", runtime.function_version},
  };
  encoder_.Init(resource, sizeof(resource) / sizeof(resource[0]), "edgetrace", EDGETRACE_VERSION,
                static_cast<size_t>(config_.attribute_value_length));
  configured_ = true;
  return Status::kOk;
}

}  // namespace edge
