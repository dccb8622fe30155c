#pragma once
// The pieces ParseConfig (config.cc) is built from: a Checker that reads typed values out of
// the parsed JSON and keeps the first error, and one parser per configuration section
// (config_sections.cc). Every read goes through the Checker, which checks a value's type
// before reading it.
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/config.h"
#include "json/json_value.h"

namespace edge::internal {

using Json = edge::json::Value;

// A closed set of names a string may take, e.g. {"ignore", "ids-only", "honor"}.
using Names = std::initializer_list<std::string_view>;

// "null", "a string", "an array", ...: the type of a rejected value, for messages.
const char* TypeName(const Json& j);

// RFC 9110 tchar: what an HTTP field name is made of.
bool IsTokenChar(unsigned char c);

// `s` in double quotes for an error message: printable ASCII, cut after 64 bytes, so that a
// rejected value never breaks the one-line message.
std::string Quoted(std::string_view s);

// Collects the first error; later checks are skipped once one failed. Every message is one
// line, `<key path>: <what is wrong>`, e.g. `sampling.rules[2].ratio: must be a number from 0
// to 1, got 3`. `path` arguments name the enclosing section ("" for the root); `key` the member.
class Checker {
 public:
  explicit Checker(std::string& error) : error_(error) {}
  bool ok() const { return error_.empty(); }

  // Records `path: message` unless an error is already recorded. Always returns false, so a
  // check can end with `return c.Fail(...)`.
  bool Fail(const std::string& path, const std::string& message);

  // Rejects keys of `section` not in `known`, so typos are reported rather than ignored.
  bool OnlyKeys(const Json& section, const std::string& path, Names known);

  // root[key] when it is present and an object; nullptr otherwise (an error if not an object).
  const Json* Section(const Json& root, const char* key);

  // The scalar readers leave `out` untouched when the key is absent or after an error.
  void String(const Json& section, const std::string& path, const char* key, std::string& out,
              size_t max_length, bool allow_empty);
  void Bool(const Json& section, const std::string& path, const char* key, bool& out);
  void Int(const Json& section, const std::string& path, const char* key, int& out, int min,
           int max);
  void Ratio(const Json& section, const std::string& path, const char* key, double& out);
  // True when the key is present and names one of `names`; `index` is its position there.
  bool Enum(const Json& section, const std::string& path, const char* key, Names names,
            size_t& index);

  // section[key] when present and an array of at most `max_items` elements; nullptr otherwise.
  const Json* Array(const Json& section, const std::string& path, const char* key,
                    size_t max_items);

  // section[key] as an array of at most `max_items` distinct strings. `check(item_path, value)`
  // validates one element and may normalize it in place (lowercase, ...); it returns false
  // after calling Fail. Duplicates are compared after normalization. Returns true, with `out`
  // replaced, when the key is present and every element passed.
  template <typename Check>
  bool StringArray(const Json& section, const std::string& path, const char* key, size_t max_items,
                   std::vector<std::string>& out, Check check) {
    const Json* array = Array(section, path, key, max_items);
    if (array == nullptr) return false;
    std::vector<std::string> values;
    for (size_t i = 0; i < array->size(); ++i) {
      const std::string at = Join(path, key) + "[" + std::to_string(i) + "]";
      const Json& v = (*array)[i];
      if (!v.is_string()) return Fail(at, std::string("must be a string, got ") + TypeName(v));
      std::string value = v.get<std::string>();
      if (!check(at, value)) return false;
      for (const std::string& seen : values)
        if (seen == value) return Fail(at, Quoted(value) + " is listed twice");
      values.push_back(std::move(value));
    }
    out = std::move(values);
    return true;
  }

  // section[key] as an array of distinct names from `names`; `picked` gets their positions in
  // `names`, in array order. Returns true when the key is present and valid.
  bool EnumArray(const Json& section, const std::string& path, const char* key, Names names,
                 std::vector<size_t>& picked);

  // `path.key`, or `key` at the root.
  static std::string Join(const std::string& path, std::string_view key);

 private:
  std::string& error_;
};

// One parser per section; each reads `s` (the section's object; the root for ParseTriggers)
// into `out` and reports through `c`.
void ParseService(Checker& c, const Json& s, Config& out);
void ParseExporter(Checker& c, const Json& s, Config& out);
void ParseTriggers(Checker& c, const Json& root, Config& out);
void ParseSampling(Checker& c, const Json& s, Config& out);
void ParsePropagation(Checker& c, const Json& s, Config& out);
void ParseIds(Checker& c, const Json& s, Config& out);
void ParseCapture(Checker& c, const Json& s, Config& out);
void ParseRedaction(Checker& c, const Json& s, Config& out);
void ParseLimits(Checker& c, const Json& s, Config& out);

}  // namespace edge::internal
