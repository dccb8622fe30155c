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
  const Attribute* data() const noexcept { return items_; }  // size() attributes
  uint32_t dropped() const noexcept { return dropped_; }

 private:
  Attribute* Next() noexcept;
  Attribute items_[kCapacity];
  size_t count_ = 0;
  uint32_t dropped_ = 0;
};

// A link to a span of another trace (e.g. a cache hit to the trace that filled the cache).
// The linked context always came from another request, so the encoder marks it remote.
struct SpanLink {
  TraceId trace_id;
  SpanId span_id;
  uint32_t flags = 0;  // W3C trace flags of the linked context (low 8 bits)
};

// A timestamped event with a few attributes (e.g. the `exception` event).
struct SpanEvent {
  static constexpr size_t kMaxAttributes = 4;
  std::string_view name;  // a literal
  int64_t time_unix_nano = 0;
  Attribute attributes[kMaxAttributes];
  size_t attribute_count = 0;
};

struct Span {
  static constexpr size_t kMaxLinks = 2;
  static constexpr size_t kMaxEvents = 2;

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
  SpanLink links[kMaxLinks];
  size_t link_count = 0;
  SpanEvent events[kMaxEvents];
  size_t event_count = 0;
  // Links and events refused because the span already held the maximum; OTLP reports them
  // in droppedLinksCount / droppedEventsCount instead of failing the span.
  uint32_t dropped_links = 0;
  uint32_t dropped_events = 0;

  // Each returns false when the span already holds the maximum: nothing is stored and the
  // matching dropped_* count goes up by one.
  // AddLink also refuses (returns false, counts nothing) a link with an invalid trace or span
  // id: it links to nothing, and OTLP receivers reject all-zero link ids.
  bool AddLink(const SpanLink& link) noexcept;
  // The OTel `exception` event: exception.type and exception.message (both may be empty,
  // then left out).
  bool AddExceptionEvent(int64_t time_unix_nano, std::string_view type,
                         std::string_view message) noexcept;
};

}  // namespace edge
