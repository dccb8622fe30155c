#include "edge/span.h"

namespace edge {

// Returns a fresh slot, or nullptr (counting the drop) when the list is full: OTLP reports
// dropped attributes in droppedAttributesCount instead of failing the span.
Attribute* AttributeList::Next() noexcept {
  if (count_ == kCapacity) {
    ++dropped_;
    return nullptr;
  }
  Attribute* slot = &items_[count_++];
  *slot = Attribute{};
  return slot;
}

bool AttributeList::AddString(std::string_view key, std::string_view value) noexcept {
  Attribute* a = Next();
  if (a == nullptr) return false;
  a->key = key;
  a->type = AttributeType::kString;
  a->string_value = value;
  return true;
}

bool AttributeList::AddInt(std::string_view key, int64_t value) noexcept {
  Attribute* a = Next();
  if (a == nullptr) return false;
  a->key = key;
  a->type = AttributeType::kInt;
  a->int_value = value;
  return true;
}

bool AttributeList::AddBool(std::string_view key, bool value) noexcept {
  Attribute* a = Next();
  if (a == nullptr) return false;
  a->key = key;
  a->type = AttributeType::kBool;
  a->bool_value = value;
  return true;
}

bool AttributeList::AddDouble(std::string_view key, double value) noexcept {
  Attribute* a = Next();
  if (a == nullptr) return false;
  a->key = key;
  a->type = AttributeType::kDouble;
  a->double_value = value;
  return true;
}

bool Span::AddLink(const SpanLink& link) noexcept {
  if (!link.trace_id.IsValid() || !link.span_id.IsValid()) return false;
  if (link_count == kMaxLinks) {
    ++dropped_links;
    return false;
  }
  links[link_count++] = link;
  return true;
}

bool Span::AddExceptionEvent(int64_t time_unix_nano, std::string_view type,
                             std::string_view message) noexcept {
  if (event_count == kMaxEvents) {
    ++dropped_events;
    return false;
  }
  SpanEvent& event = events[event_count++];
  event = SpanEvent{};
  event.name = "exception";
  event.time_unix_nano = time_unix_nano;
  // Semantic conventions (exceptions): type and message are both optional, and an empty
  // string says nothing, so it is left out rather than sent as "".
  if (!type.empty()) {
    Attribute& a = event.attributes[event.attribute_count++];
    a.key = "exception.type";
    a.string_value = type;
  }
  if (!message.empty()) {
    Attribute& a = event.attributes[event.attribute_count++];
    a.key = "exception.message";
    a.string_value = message;
  }
  return true;
}

}  // namespace edge
