#include "edge/otlp/otlp_json_encoder.h"

#include "edge/json/json_writer.h"

namespace edge {
namespace {

// Pieces of the ExportTraceServiceRequest shared by Init (to size the prefix) and Encode.
constexpr std::string_view kRequestOpen = "{\"resourceSpans\":[{\"resource\":{";
constexpr std::string_view kAttributesOpen = "\"attributes\":[";
constexpr std::string_view kAttributeKeyOpen = "{\"key\":";
constexpr std::string_view kStringValueOpen = ",\"value\":{\"stringValue\":";
constexpr std::string_view kIntValueOpen = ",\"value\":{\"intValue\":";
constexpr std::string_view kBoolValueOpen = ",\"value\":{\"boolValue\":";
constexpr std::string_view kDoubleValueOpen = ",\"value\":{\"doubleValue\":";
constexpr std::string_view kAttributeClose = "}}";
constexpr std::string_view kScopeSpansOpen = "},\"scopeSpans\":[{\"scope\":{";
constexpr std::string_view kScopeName = "\"name\":";
constexpr std::string_view kScopeVersion = ",\"version\":";
constexpr std::string_view kSpansOpen = "},\"spans\":[";
// Closes the spans array, the ScopeSpans, its array, the ResourceSpans, its array, the request.
constexpr std::string_view kRequestClose = "]}]}]}";

// JsonWriter::String expands one input byte to at most 6 output bytes (an invalid byte or a
// control character becomes \ufffd or \u00XX; a 4-byte sequence becomes 12 bytes), plus quotes.
constexpr size_t kMaxEscapedBytesPerByte = 6;
constexpr size_t MaxQuotedSize(std::string_view s) {
  return s.size() * kMaxEscapedBytesPerByte + 2;
}

// Writes `,"name":"<hex>"` (field_open holds everything up to the opening quote of the value)
// straight into the buffer: ids are hex by construction and need no escaping.
template <typename Id>
void WriteHexId(ByteWriter& out, std::string_view field_open, const Id& id) noexcept {
  out.Append(field_open);
  if (char* p = out.Extend(Id::kHexSize + 1)) {
    id.ToHex(p);
    p[Id::kHexSize] = '"';
  }
}

// Span.Link.flags: bits 0-7 are the W3C trace flags, the remoteness bits come above them.
constexpr uint32_t kW3cFlagsMask = 0xff;

// proto fixed64: negative times (a broken clock) are written as 0, which means "unknown",
// rather than as a value no OTLP decoder accepts.
uint64_t AsFixed64(int64_t v) noexcept { return v < 0 ? 0 : static_cast<uint64_t>(v); }

void WriteAttributeValue(JsonWriter& w, const Attribute& a, size_t string_limit) noexcept {
  switch (a.type) {
    case AttributeType::kString:
      w.Raw(kStringValueOpen);
      w.String(a.string_value, string_limit);
      break;
    case AttributeType::kInt:
      w.Raw(kIntValueOpen);
      w.QuotedInt(a.int_value);  // proto3 JSON: int64 is a decimal string
      break;
    case AttributeType::kBool:
      w.Raw(kBoolValueOpen);
      w.Bool(a.bool_value);
      break;
    case AttributeType::kDouble:
      w.Raw(kDoubleValueOpen);
      w.Double(a.double_value);
      break;
  }
  w.Raw(kAttributeClose);
}

// Writes `,"attributes":[...]` for the span's and the events' attributes alike, so that the
// value limit applies to every string attribute value.
void WriteAttributes(JsonWriter& w, const Attribute* attributes, size_t count,
                     size_t string_limit) noexcept {
  if (count == 0) return;  // empty repeated field: a default, omitted
  w.Raw(',');
  w.Raw(kAttributesOpen);
  for (size_t i = 0; i < count; ++i) {
    if (i != 0) w.Raw(',');
    const Attribute& a = attributes[i];
    w.Raw(kAttributeKeyOpen);
    w.String(a.key);
    WriteAttributeValue(w, a, string_limit);
  }
  w.Raw(']');
}

// Writes `,"<field>":N` for a uint32 count unless it is 0 (the default, omitted).
void WriteCount(JsonWriter& w, std::string_view field_open, uint32_t count) noexcept {
  if (count == 0) return;
  w.Raw(field_open);
  w.Uint(count);
}

// Span.events: [{timeUnixNano, name, attributes}], in the order they were added.
void WriteEvents(JsonWriter& w, const Span& span, size_t string_limit) noexcept {
  if (span.event_count == 0) return;
  w.Raw(",\"events\":[");
  for (size_t i = 0; i < span.event_count; ++i) {
    const SpanEvent& event = span.events[i];
    if (i != 0) w.Raw(',');
    w.Raw("{\"timeUnixNano\":");
    w.QuotedUint(AsFixed64(event.time_unix_nano));
    w.Raw(",\"name\":");
    w.String(event.name);
    WriteAttributes(w, event.attributes, event.attribute_count, string_limit);
    w.Raw('}');
  }
  w.Raw(']');
}

// Span.links: [{traceId, spanId, flags}]. A linked context came from another request, so it is
// remote: flags carry its W3C flags plus both remoteness bits, and are never 0.
void WriteLinks(JsonWriter& w, const Span& span) noexcept {
  if (span.link_count == 0) return;
  w.Raw(",\"links\":[");
  for (size_t i = 0; i < span.link_count; ++i) {
    const SpanLink& link = span.links[i];
    if (i != 0) w.Raw(',');
    WriteHexId(w.out(), "{\"traceId\":\"", link.trace_id);
    WriteHexId(w.out(), ",\"spanId\":\"", link.span_id);
    w.Raw(",\"flags\":");  // fixed32: a JSON number
    w.Uint((link.flags & kW3cFlagsMask) | span_flags::kContextHasIsRemote |
           span_flags::kContextIsRemote);
    w.Raw('}');
  }
  w.Raw(']');
}

void WriteStatus(JsonWriter& w, SpanStatusCode code, std::string_view message) noexcept {
  if (code == SpanStatusCode::kUnset) return;  // default Status, omitted
  w.Raw(",\"status\":{\"code\":");
  w.Uint(static_cast<uint8_t>(code));
  if (!message.empty()) {
    w.Raw(",\"message\":");
    w.String(message);
  }
  w.Raw('}');
}

// One Span object, fields in trace.proto order (flags beside the ids it qualifies).
void WriteSpan(ByteWriter& out, const Span& span, size_t string_limit) noexcept {
  JsonWriter w(out);
  WriteHexId(out, "{\"traceId\":\"", span.trace_id);
  WriteHexId(out, ",\"spanId\":\"", span.span_id);
  if (!span.trace_state.empty()) {
    w.Raw(",\"traceState\":");
    w.String(span.trace_state);
  }
  if (span.parent_span_id.IsValid()) WriteHexId(out, ",\"parentSpanId\":\"", span.parent_span_id);
  if (span.flags != 0) {
    w.Raw(",\"flags\":");  // fixed32: a JSON number
    w.Uint(span.flags);
  }
  w.Raw(",\"name\":");
  w.String(span.name);
  w.Raw(",\"kind\":");
  w.Uint(static_cast<uint8_t>(span.kind));
  w.Raw(",\"startTimeUnixNano\":");
  w.QuotedUint(AsFixed64(span.start_unix_nano));
  w.Raw(",\"endTimeUnixNano\":");
  w.QuotedUint(AsFixed64(span.end_unix_nano));
  WriteAttributes(w, span.attributes.data(), span.attributes.size(), string_limit);
  WriteCount(w, ",\"droppedAttributesCount\":", span.attributes.dropped());
  WriteEvents(w, span, string_limit);
  WriteCount(w, ",\"droppedEventsCount\":", span.dropped_events);
  WriteLinks(w, span);
  WriteCount(w, ",\"droppedLinksCount\":", span.dropped_links);
  WriteStatus(w, span.status, span.status_message);
  w.Raw('}');
}

}  // namespace

void OtlpJsonEncoder::Init(const ResourceAttribute* resource, size_t resource_count,
                           std::string_view scope_name, std::string_view scope_version,
                           size_t attribute_value_limit) {
  attribute_value_limit_ = attribute_value_limit;

  // Size the prefix for the worst case so that it is allocated exactly once.
  size_t capacity = kRequestOpen.size() + kAttributesOpen.size() + 1 + kScopeSpansOpen.size() +
                    kScopeName.size() + MaxQuotedSize(scope_name) + kScopeVersion.size() +
                    MaxQuotedSize(scope_version) + kSpansOpen.size();
  for (size_t i = 0; i < resource_count; ++i) {
    capacity += 1 + kAttributeKeyOpen.size() + MaxQuotedSize(resource[i].key) +
                kStringValueOpen.size() + MaxQuotedSize(resource[i].value) + kAttributeClose.size();
  }
  prefix_.assign(capacity, '\0');
  ByteWriter out(prefix_.data(), prefix_.size());
  JsonWriter w(out);

  w.Raw(kRequestOpen);
  size_t written = 0;
  for (size_t i = 0; i < resource_count; ++i) {
    const ResourceAttribute& a = resource[i];
    if (a.value.empty()) continue;  // an unset config value, not an empty attribute
    w.Raw(written++ == 0 ? kAttributesOpen : ",");
    w.Raw(kAttributeKeyOpen);
    w.String(a.key);
    w.Raw(kStringValueOpen);
    w.String(a.value);
    w.Raw(kAttributeClose);
  }
  if (written != 0) w.Raw(']');

  w.Raw(kScopeSpansOpen);
  if (!scope_name.empty()) {
    w.Raw(kScopeName);
    w.String(scope_name);
  }
  if (!scope_version.empty()) {
    w.Raw(scope_name.empty() ? kScopeVersion.substr(1) : kScopeVersion);
    w.String(scope_version);
  }
  w.Raw(kSpansOpen);
  prefix_.resize(out.size());  // shrinks in place: no second allocation
}

Status OtlpJsonEncoder::Encode(const Span& span, ByteWriter& out) const noexcept {
  const Span* const one[] = {&span};
  return Encode(one, 1, out);
}

Status OtlpJsonEncoder::Encode(const Span* const* spans, size_t count,
                               ByteWriter& out) const noexcept {
  if (count == 0) return Status::kNothingToDo;
  if (spans == nullptr) return Status::kInvalidInput;
  for (size_t i = 0; i < count; ++i) {
    if (spans[i] == nullptr) return Status::kInvalidInput;
  }
  const size_t start = out.size();
  JsonWriter w(out);
  w.Raw(prefix_);
  for (size_t i = 0; i < count; ++i) {
    if (i != 0) w.Raw(',');
    WriteSpan(out, *spans[i], attribute_value_limit_);
  }
  w.Raw(kRequestClose);
  if (out.overflowed()) {
    out.Truncate(start);  // all or nothing: no partial request is left behind
    return Status::kOutputFull;
  }
  return Status::kOk;
}

}  // namespace edge
