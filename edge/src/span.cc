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

}  // namespace edge
