#pragma once
// The span model: one finished span with a bounded attribute list. All strings are views
// into buffers that outlive the span (input fields, config); a Span never owns memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/span_id.h"
#include "edge/trace_id.h"

namespace edge {

enum class SpanKind : uint8_t { kInternal = 1, kServer = 2, kClient = 3 };
enum class SpanStatusCode : uint8_t { kUnset = 0, kOk = 1, kError = 2 };

// OTLP span flags (trace.proto SpanFlags): low 8 bits W3C flags, then remoteness bits.
namespace span_flags {
constexpr uint32_t kContextHasIsRemote = 0x100;
constexpr uint32_t kContextIsRemote = 0x200;
}  // namespace span_flags

enum class AttributeType : uint8_t { kString, kInt, kBool, kDouble };

struct Attribute {
  std::string_view key;  // a literal; keys are never untrusted
  AttributeType type = AttributeType::kString;
  std::string_view string_value;
  int64_t int_value = 0;
  double double_value = 0;
  bool bool_value = false;
};

class AttributeList {
 public:
  static constexpr size_t kCapacity = 48;

  // Each returns false when the list is full (the attribute is dropped and counted).
  bool AddString(std::string_view key, std::string_view value) noexcept;
  bool AddInt(std::string_view key, int64_t value) noexcept;
  bool AddBool(std::string_view key, bool value) noexcept;
  bool AddDouble(std::string_view key, double value) noexcept;

  size_t size() const noexcept { return count_; }
  const Attribute& at(size_t i) const noexcept { return items_[i]; }
  uint32_t dropped() const noexcept { return dropped_; }

 private:
  Attribute* Next() noexcept;
  Attribute items_[kCapacity];
  size_t count_ = 0;
  uint32_t dropped_ = 0;
};

struct Span {
  TraceId trace_id;
  SpanId span_id;
  SpanId parent_span_id;         // invalid = root span
  std::string_view trace_state;  // serialised W3C tracestate of this span, may be empty
  std::string_view name;
  SpanKind kind = SpanKind::kServer;
  int64_t start_unix_nano = 0;
  int64_t end_unix_nano = 0;
  uint32_t flags = 0;  // see span_flags
  SpanStatusCode status = SpanStatusCode::kUnset;
  std::string_view status_message;
  AttributeList attributes;
};

}  // namespace edge
