// Configuration is parsed once per sandbox, by json::Value (json/json_value.h): a small strict
// reader with nlohmann_json's call shapes, so the module does not carry nlohmann's templates.
// This file holds the entry point and the Checker's readers; the sections are parsed in
// config_sections.cc.
#include "edge/config.h"

#include <cmath>

#include "config_checker.h"
#include "edge/json/json_writer.h"

namespace edge {
namespace internal {
namespace {

constexpr size_t kMaxConfigBytes = 64 * 1024;
constexpr size_t kMaxQuotedLength = 64;

// Keys and values are the user's: keep the message one line of ASCII whatever they contain.
std::string Printable(std::string s) {
  for (char& ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u >= 0x7f) ch = '?';
  }
  return s;
}

// The number as JSON writes it (shortest round trip), e.g. 9000, 1.5, 1e+300: no printf.
std::string FormatNumber(double d) {
  char text[32];
  ByteWriter out(text, sizeof text);
  JsonWriter(out).Double(d);
  return out.overflowed() ? std::string("a number") : std::string(out.view());
}

bool Contains(Names names, std::string_view name, size_t& index) {
  index = 0;
  for (std::string_view n : names) {
    if (n == name) return true;
    ++index;
  }
  return false;
}

// `must be one of "a", "b", got `: the start of every enum error.
std::string MustBeOneOf(Names names) {
  std::string message = "must be one of ";
  for (std::string_view n : names) {
    if (message.back() != ' ') message += ", ";
    message += '"';
    message += n;
    message += '"';
  }
  return message + ", got ";
}

}  // namespace

const char* TypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::discarded:
      return "invalid";
    default:
      return "a number";
  }
}

bool IsTokenChar(unsigned char c) {
  // RFC 9110 tchar
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string Quoted(std::string_view s) {
  if (s.size() <= kMaxQuotedLength) return "\"" + Printable(std::string(s)) + "\"";
  return "\"" + Printable(std::string(s.substr(0, kMaxQuotedLength))) + "...\"";
}

std::string Checker::Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

bool Checker::Fail(const std::string& path, const std::string& message) {
  if (ok()) error_ = Printable(path) + ": " + Printable(message);
  return false;
}

bool Checker::OnlyKeys(const Json& section, const std::string& path, Names known) {
  for (const auto& item : section.items()) {
    size_t unused;
    if (!Contains(known, item.key(), unused) && item.key() != "$schema" && item.key() != "$comment")
      return Fail(Join(path, item.key()), "unknown key");
  }
  return true;
}

const Json* Checker::Section(const Json& root, const char* key) {
  if (!root.contains(key)) return nullptr;
  const Json& s = root[key];
  if (!s.is_object()) {
    Fail(key, std::string("must be an object, got ") + TypeName(s));
    return nullptr;
  }
  return &s;
}

void Checker::String(const Json& section, const std::string& path, const char* key,
                     std::string& out, size_t max_length, bool allow_empty) {
  if (!ok() || !section.contains(key)) return;
  const Json& v = section[key];
  const std::string full = Join(path, key);
  if (!v.is_string()) return void(Fail(full, std::string("must be a string, got ") + TypeName(v)));
  const std::string& s = v.get_ref<const std::string&>();
  if (!allow_empty && s.empty()) return void(Fail(full, "must not be empty"));
  if (s.size() > max_length)
    return void(Fail(full, "must be at most " + std::to_string(max_length) + " bytes"));
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return void(Fail(full, "must not contain control characters"));
  out = s;
}

void Checker::Bool(const Json& section, const std::string& path, const char* key, bool& out) {
  if (!ok() || !section.contains(key)) return;
  const Json& v = section[key];
  if (!v.is_boolean())
    return void(Fail(Join(path, key), std::string("must be true or false, got ") + TypeName(v)));
  out = v.get<bool>();
}

void Checker::Int(const Json& section, const std::string& path, const char* key, int& out, int min,
                  int max) {
  if (!ok() || !section.contains(key)) return;
  const Json& v = section[key];
  const std::string range =
      "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v.is_number()) return void(Fail(Join(path, key), range + ", got " + TypeName(v)));
  double d = v.get<double>();
  if (!(d >= min && d <= max) || std::floor(d) != d)
    return void(Fail(Join(path, key), range + ", got " + FormatNumber(d)));
  out = static_cast<int>(d);
}

void Checker::Ratio(const Json& section, const std::string& path, const char* key, double& out) {
  if (!ok() || !section.contains(key)) return;
  const Json& v = section[key];
  const std::string range = "must be a number from 0 to 1, got ";
  if (!v.is_number()) return void(Fail(Join(path, key), range + TypeName(v)));
  double d = v.get<double>();
  if (!(d >= 0.0 && d <= 1.0)) return void(Fail(Join(path, key), range + FormatNumber(d)));
  out = d;
}

bool Checker::Enum(const Json& section, const std::string& path, const char* key, Names names,
                   size_t& index) {
  if (!ok() || !section.contains(key)) return false;
  const Json& v = section[key];
  if (!v.is_string()) return Fail(Join(path, key), MustBeOneOf(names) + TypeName(v));
  const std::string& s = v.get_ref<const std::string&>();
  return Contains(names, s, index) || Fail(Join(path, key), MustBeOneOf(names) + Quoted(s));
}

const Json* Checker::Array(const Json& section, const std::string& path, const char* key,
                           size_t max_items) {
  if (!ok() || !section.contains(key)) return nullptr;
  const Json& v = section[key];
  if (!v.is_array()) {
    Fail(Join(path, key), std::string("must be an array, got ") + TypeName(v));
    return nullptr;
  }
  if (v.size() > max_items) {
    Fail(Join(path, key), "must have at most " + std::to_string(max_items) + " entries");
    return nullptr;
  }
  return &v;
}

bool Checker::EnumArray(const Json& section, const std::string& path, const char* key, Names names,
                        std::vector<size_t>& picked) {
  // Distinct names: never more elements than names, so the first extra one is a duplicate or
  // an unknown name, which is the better message; no separate size limit.
  std::vector<std::string> values;
  size_t unused;
  if (!StringArray(
          section, path, key, SIZE_MAX, values, [&](const std::string& at, std::string& value) {
            return Contains(names, value, unused) || Fail(at, MustBeOneOf(names) + Quoted(value));
          }))
    return false;
  picked.clear();
  for (const std::string& value : values) {
    size_t index;
    Contains(names, value, index);
    picked.push_back(index);
  }
  return true;
}

}  // namespace internal

Status ParseConfig(std::string_view json, Config& out, std::string& error) {
  using internal::Json;
  error.clear();
  out = Config{};
  if (json.size() > internal::kMaxConfigBytes) {
    error = "config: larger than 64 KiB";
    return Status::kBadConfig;
  }
  Json root = Json::parse(json.begin(), json.end(), nullptr, false);
  if (root.is_discarded()) {
    error = "config: not valid JSON";
    return Status::kBadConfig;
  }
  if (!root.is_object()) {
    error = std::string("config: must be a JSON object, got ") + internal::TypeName(root);
    return Status::kBadConfig;
  }
  internal::Checker c(error);
  if (!c.OnlyKeys(root, "",
                  {"service", "exporter", "triggers", "sampling", "propagation", "ids", "capture",
                   "redaction", "limits"}))
    return Status::kBadConfig;
  // Sections are checked in this order; the first error wins.
  constexpr std::pair<const char*, void (*)(internal::Checker&, const Json&, Config&)> kSections[] =
      {
          {"service", internal::ParseService},
          {"exporter", internal::ParseExporter},
          {"sampling", internal::ParseSampling},
          {"propagation", internal::ParsePropagation},
          {"ids", internal::ParseIds},
          {"capture", internal::ParseCapture},
          {"redaction", internal::ParseRedaction},
          {"limits", internal::ParseLimits},
      };
  internal::ParseTriggers(c, root, out);
  for (const auto& [key, parse] : kSections) {
    if (const Json* s = c.ok() ? c.Section(root, key) : nullptr) parse(c, *s, out);
  }
  return c.ok() ? Status::kOk : Status::kBadConfig;
}

const char* ExporterModeName(ExporterMode mode) noexcept {
  switch (mode) {
    case ExporterMode::kOtlpHttp:
      return "otlp-http";
    case ExporterMode::kLog:
      return "log";
    case ExporterMode::kNone:
      return "none";
  }
  return "none";
}

}  // namespace edge
