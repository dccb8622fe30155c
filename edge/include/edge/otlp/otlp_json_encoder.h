#pragma once
// OTLP/HTTP JSON (ExportTraceServiceRequest) encoder. The resource and scope never change in
// a sandbox, so their JSON is built once (Init) and every body is prefix + spans + suffix.
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

  // Appends one complete ExportTraceServiceRequest holding `span`; the same bytes as the
  // overload below with a single span.
  Status Encode(const Span& span, ByteWriter& out) const noexcept;

  // Appends one complete ExportTraceServiceRequest holding spans[0..count) in that order, all
  // in the one scopeSpans[0].spans array (they share the resource and scope). Takes pointers
  // rather than a Span array: a Span is a few kilobytes, and the spans of one request (e.g. the
  // server span and its client child) live in different places, so nothing is copied.
  // All or nothing: kOk with the whole request appended, or kOutputFull with `out` overflowed
  // and truncated back to where it was (nothing of the request left in it). count == 0 gives
  // kNothingToDo, a null `spans` or element kInvalidInput; both leave `out` untouched.
  Status Encode(const Span* const* spans, size_t count, ByteWriter& out) const noexcept;

  std::string_view prefix() const noexcept { return prefix_; }

 private:
  std::string
      prefix_;  // {"resourceSpans":[{"resource":{...},"scopeSpans":[{"scope":{...},"spans":[
  size_t attribute_value_limit_ = 0;
};

}  // namespace edge
