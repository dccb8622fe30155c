#pragma once
// A small, strict, bounded JSON reader for the configuration (parsed once per sandbox): a DOM
// with exactly the part of nlohmann::json's API that config.cc / config_sections.cc use, so
// those files only name it through `using Json = ...`. In the gzipped module nlohmann_json
// cost ~14 KB; this costs under 3 KB. Bounded: nesting is limited (below), and the caller caps
// the input (ParseConfig: 64 KiB); duplicate keys are found by a linear scan per member.
//
// Grammar: RFC 8259, strictly. No comments, trailing commas, leading zeros, NaN/Infinity, byte
// order mark or NUL; whitespace is space, tab, LF and CR only; strings must be valid UTF-8
// without raw control characters; \uXXXX escapes decode to UTF-8, and a surrogate must be a
// high one followed by a low one. Numbers are doubles, correctly rounded by strtod; one that
// does not fit a double (1e400) makes the document invalid. Deliberately unlike nlohmann:
//   - duplicate keys in an object make the document invalid (nlohmann keeps the last one);
//   - more than kMaxDepth nested arrays/objects make the document invalid (nlohmann has no
//     limit); this also bounds the parser's recursion;
//   - a NUL byte is invalid everywhere (nlohmann ends the input at a NUL outside a string and
//     ignores what follows);
//   - a leading UTF-8 byte order mark is invalid (nlohmann skips it);
//   - items() iterates in document order (nlohmann::json sorts keys);
//   - reading a value as the wrong type, or a missing key / index through operator[], yields
//     false / 0 / "" / a null Value instead of an assertion or undefined behaviour.
// An invalid document parses to a `discarded` Value, as nlohmann's parse(..., false) does.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edge::json {

namespace internal {
class Parser;
}  // namespace internal

struct Member;

class Value {
 public:
  // nlohmann's names (TypeName switches on them); all numbers are one kind here.
  enum class value_t : uint8_t { null, boolean, number, string, array, object, discarded };

  // Nesting of arrays and objects allowed in a document; one more is invalid.
  static constexpr int kMaxDepth = 32;

  // Parses [first, last). The extra parameters keep nlohmann's call shape: there is no
  // callback, and no exceptions are thrown: an invalid document is a discarded Value.
  static Value parse(const char* first, const char* last, std::nullptr_t callback,
                     bool allow_exceptions);

  value_t type() const { return type_; }
  bool is_discarded() const { return type_ == value_t::discarded; }
  bool is_null() const { return type_ == value_t::null; }
  bool is_boolean() const { return type_ == value_t::boolean; }
  bool is_number() const { return type_ == value_t::number; }
  bool is_string() const { return type_ == value_t::string; }
  bool is_array() const { return type_ == value_t::array; }
  bool is_object() const { return type_ == value_t::object; }

  // Elements of an array or members of an object; like nlohmann, 0 for null and 1 for any
  // other scalar.
  size_t size() const;
  bool contains(std::string_view key) const { return Find(key) != nullptr; }
  // The member named `key` of an object, or a null Value when there is none.
  const Value& operator[](std::string_view key) const;
  // Element `index` of an array, or a null Value when there is none.
  const Value& operator[](size_t index) const;
  // An object's members in document order (empty for anything else); each has key() and
  // value(), as nlohmann's items() proxies do.
  const std::vector<Member>& items() const { return members_; }

  // get<bool>(), get<double>(), get<std::string>(); get_ref<const std::string&>().
  template <typename T>
  T get() const;
  template <typename T>
  T get_ref() const;

 private:
  friend class internal::Parser;

  const Value* Find(std::string_view key) const;

  value_t type_ = value_t::null;
  bool boolean_ = false;
  double number_ = 0;
  std::string string_;
  // An array's elements (with empty keys) or an object's members.
  std::vector<Member> members_;
};

struct Member {
  const std::string& key() const { return key_; }
  const Value& value() const { return value_; }

  std::string key_;
  Value value_;
};

template <>
inline bool Value::get<bool>() const {
  return boolean_;
}
template <>
inline double Value::get<double>() const {
  return number_;
}
template <>
inline std::string Value::get<std::string>() const {
  return string_;
}
template <>
inline const std::string& Value::get_ref<const std::string&>() const {
  return string_;
}

}  // namespace edge::json
