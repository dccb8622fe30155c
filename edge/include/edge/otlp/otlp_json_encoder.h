#pragma once
// OTLP/HTTP JSON (ExportTraceServiceRequest) encoder. The resource and scope never change in
// a sandbox, so their JSON is built once (Init) and every span body is prefix + span + suffix.
// Follows the OTLP JSON mapping: lowerCamelCase names, ids as lowercase hex, enums as
// integers, 64-bit integers as decimal strings, default values omitted.
#include <cstddef>
#include <string>
#include <string_view>

#include "edge/json/byte_writer.h"
#include "edge/span.h"
#include "edge/status.h"

namespace edge {

struct ResourceAttribute {
  std::string_view key;
  std::string_view value;  // string-valued; empty values are skipped
};

class OtlpJsonEncoder {
 public:
  // attribute_value_limit: max code points of any string attribute value (0 = no limit).
  void Init(const ResourceAttribute* resource, size_t resource_count, std::string_view scope_name,
            std::string_view scope_version, size_t attribute_value_limit);

  // Appends one complete ExportTraceServiceRequest holding `span`.
  Status Encode(const Span& span, ByteWriter& out) const noexcept;

  std::string_view prefix() const noexcept { return prefix_; }

 private:
  std::string
      prefix_;  // {"resourceSpans":[{"resource":{...},"scopeSpans":[{"scope":{...},"spans":[
  size_t attribute_value_limit_ = 0;
};

}  // namespace edge
