// Differential target: json::Value (edge/src/json/json_value.h) against nlohmann_json, the
// parser it replaced in the config path. On any input both accept or both reject, and accepted
// documents have the same tree (types, strings, numbers to the bit, keys in document order).
// The only exceptions are the documented ones, each checked here rather than skipped:
//   - json::Value rejects a NUL byte and a byte order mark; nlohmann ends the input at a NUL
//     and skips a BOM, so json::Value must agree with nlohmann on what nlohmann actually read;
//   - json::Value rejects duplicate keys and nesting deeper than 32, which nlohmann accepts.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "../../edge/src/json/json_value.h"
#include "fuzz_check.h"

namespace {

using edge::json::Value;
// ordered_json keeps keys in document order, as json::Value does (nlohmann::json sorts them).
using Reference = nlohmann::ordered_json;

constexpr std::string_view kByteOrderMark = "\xef\xbb\xbf";

// What nlohmann met while parsing: where json::Value is stricter on purpose.
struct Seen {
  int max_nesting = 0;
  bool duplicate_key = false;
  std::vector<std::vector<std::string>> open_objects;  // the keys of each open object
};

Reference ParseReference(std::string_view text, Seen& seen) {
  const auto observe = [&seen](int depth, Reference::parse_event_t event, Reference& parsed) {
    switch (event) {
      case Reference::parse_event_t::object_start:
        seen.open_objects.emplace_back();
        seen.max_nesting = std::max(seen.max_nesting, depth + 1);
        break;
      case Reference::parse_event_t::array_start:
        seen.max_nesting = std::max(seen.max_nesting, depth + 1);
        break;
      case Reference::parse_event_t::key:
        if (!seen.open_objects.empty() && parsed.is_string()) {
          std::vector<std::string>& keys = seen.open_objects.back();
          const std::string& key = parsed.get_ref<const std::string&>();
          if (std::find(keys.begin(), keys.end(), key) != keys.end()) seen.duplicate_key = true;
          keys.push_back(key);
        }
        break;
      case Reference::parse_event_t::object_end:
        if (!seen.open_objects.empty()) seen.open_objects.pop_back();
        break;
      default:
        break;
    }
    return true;
  };
  return Reference::parse(text.begin(), text.end(), observe, false);
}

Value Parse(std::string_view text) {
  return Value::parse(text.data(), text.data() + text.size(), nullptr, false);
}

bool Same(const Value& ours, const Reference& ref) {
  switch (ours.type()) {
    case Value::value_t::null:
      return ref.is_null() && ours.size() == 0;
    case Value::value_t::boolean:
      return ref.is_boolean() && ours.get<bool>() == ref.get<bool>();
    case Value::value_t::number: {
      if (!ref.is_number()) return false;
      const double a = ours.get<double>();
      const double b = ref.get<double>();
      return std::isfinite(a) && a == b && std::signbit(a) == std::signbit(b);
    }
    case Value::value_t::string:
      return ref.is_string() && ours.get_ref<const std::string&>() == ref.get<std::string>();
    case Value::value_t::array:
      if (!ref.is_array() || ours.size() != ref.size()) return false;
      for (size_t i = 0; i < ours.size(); ++i)
        if (!Same(ours[i], ref[i])) return false;
      return ours[ours.size()].is_null() && ours["k"].is_null() && !ours.contains("k");
    case Value::value_t::object: {
      if (!ref.is_object() || ours.size() != ref.size() || ours.items().size() != ours.size())
        return false;
      auto it = ref.begin();
      for (const auto& member : ours.items()) {
        if (member.key() != it.key() || !Same(member.value(), it.value())) return false;
        // Keys are unique, so lookup by key finds this very member.
        if (!ours.contains(member.key()) || &ours[member.key()] != &member.value()) return false;
        ++it;
      }
      return ours[size_t{0}].is_null();
    }
    case Value::value_t::discarded:
      return false;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Value ours = Parse(input);

  // What nlohmann actually reads of `input`: up to the first NUL (a NUL inside a string makes
  // both reject anyway), after a leading BOM. json::Value rejects both outright.
  std::string_view read = input;
  if (const size_t nul = read.find('\0'); nul != std::string_view::npos) {
    FUZZ_CHECK(ours.is_discarded());
    read = read.substr(0, nul);
  }
  if (read.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    FUZZ_CHECK(ours.is_discarded());
    read.remove_prefix(kByteOrderMark.size());
  }
  const Value mine = read.size() == input.size() ? ours : Parse(read);

  Seen seen;
  const Reference ref = ParseReference(input, seen);
  if (mine.is_discarded()) {
    FUZZ_CHECK(mine.type() == Value::value_t::discarded && !mine.is_object());
    // Stricter than nlohmann only where documented.
    FUZZ_CHECK(ref.is_discarded() || seen.duplicate_key || seen.max_nesting > Value::kMaxDepth);
    return 0;
  }
  FUZZ_CHECK(!ref.is_discarded());
  FUZZ_CHECK(!seen.duplicate_key);
  FUZZ_CHECK(seen.max_nesting <= Value::kMaxDepth);
  FUZZ_CHECK(Same(mine, ref));
  return 0;
}
