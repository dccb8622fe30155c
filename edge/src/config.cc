// Configuration is parsed once per sandbox, so nlohmann_json's convenience is worth its
// bytes here (and nowhere on the per-request path). Built without exceptions: only
// parse(..., nullptr, false) + is_discarded() and type checks before every access are safe.
#include "edge/config.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace edge {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxConfigBytes = 64 * 1024;
constexpr size_t kMaxNameLength = 256;
constexpr size_t kMaxEndpointLength = 2048;
constexpr size_t kMaxExporterHeaders = 16;
constexpr std::string_view kTracesPath = "/v1/traces";

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

// Collects the first error; later checks are skipped once one failed.
class Checker {
 public:
  explicit Checker(std::string& error) : error_(error) {}
  bool ok() const { return error_.empty(); }

  bool Fail(const std::string& path, const std::string& message) {
    if (ok()) error_ = Printable(path) + ": " + message;
    return false;
  }

  // Rejects keys of `section` not in `known`, so typos are reported rather than ignored.
  bool OnlyKeys(const Json& section, const std::string& path,
                std::initializer_list<std::string_view> known) {
    for (const auto& item : section.items()) {
      bool found = false;
      for (std::string_view k : known) found = found || item.key() == k;
      if (!found && item.key() != "$schema" && item.key() != "$comment") {
        std::string full = path.empty() ? item.key() : path + "." + item.key();
        return Fail(full, "unknown key");
      }
    }
    return true;
  }

  const Json* Section(const Json& root, const char* key) {
    if (!root.contains(key)) return nullptr;
    const Json& s = root[key];
    if (!s.is_object()) {
      Fail(key, std::string("must be an object, got ") + TypeName(s));
      return nullptr;
    }
    return &s;
  }

  void String(const Json& section, const std::string& path, const char* key, std::string& out,
              size_t max_length, bool allow_empty) {
    if (!ok() || !section.contains(key)) return;
    const Json& v = section[key];
    std::string full = path + "." + key;
    if (!v.is_string()) {
      Fail(full, std::string("must be a string, got ") + TypeName(v));
      return;
    }
    const std::string& s = v.get_ref<const std::string&>();
    if (!allow_empty && s.empty()) {
      Fail(full, "must not be empty");
      return;
    }
    if (s.size() > max_length) {
      Fail(full, "must be at most " + std::to_string(max_length) + " bytes");
      return;
    }
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7f) {
        Fail(full, "must not contain control characters");
        return;
      }
    }
    out = s;
  }

  void Bool(const Json& section, const std::string& path, const char* key, bool& out) {
    if (!ok() || !section.contains(key)) return;
    const Json& v = section[key];
    if (!v.is_boolean()) {
      Fail(path + "." + key, std::string("must be true or false, got ") + TypeName(v));
      return;
    }
    out = v.get<bool>();
  }

  void Int(const Json& section, const std::string& path, const char* key, int& out, int min,
           int max) {
    if (!ok() || !section.contains(key)) return;
    const Json& v = section[key];
    std::string range =
        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (!v.is_number()) {
      Fail(path + "." + key, range + ", got " + TypeName(v));
      return;
    }
    double d = v.get<double>();
    if (!(d >= min && d <= max) || std::floor(d) != d) {
      Fail(path + "." + key, range + ", got " + FormatNumber(d));
      return;
    }
    out = static_cast<int>(d);
  }

  void Ratio(const Json& section, const std::string& path, const char* key, double& out) {
    if (!ok() || !section.contains(key)) return;
    const Json& v = section[key];
    if (!v.is_number()) {
      Fail(path + "." + key, std::string("must be a number from 0 to 1, got ") + TypeName(v));
      return;
    }
    double d = v.get<double>();
    if (!(d >= 0.0 && d <= 1.0)) {
      Fail(path + "." + key, "must be a number from 0 to 1, got " + FormatNumber(d));
      return;
    }
    out = d;
  }

 private:
  // Paths hold the user's key names: keep the message one line of ASCII whatever they contain.
  static std::string Printable(std::string s) {
    for (char& ch : s) {
      const auto u = static_cast<unsigned char>(ch);
      if (u < 0x20 || u >= 0x7f) ch = '?';
    }
    return s;
  }
  static std::string FormatNumber(double d) {
    char text[32];
    int n = std::snprintf(text, sizeof text, "%g", d);
    return n > 0 ? std::string(text, static_cast<size_t>(n)) : std::string("a number");
  }
  std::string& error_;
};

bool IsTokenChar(unsigned char c) {
  // RFC 9110 tchar
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsReservedExporterHeader(std::string name) {
  for (char& c : name) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return name == "content-type" || name == "content-length" || name == "host" ||
         name == "connection" || name == "transfer-encoding" || name == "content-encoding";
}

void ParseService(Checker& c, const Json& s, Config& out) {
  if (!c.OnlyKeys(s, "service", {"name", "version", "environment"})) return;
  c.String(s, "service", "name", out.service_name, kMaxNameLength, false);
  c.String(s, "service", "version", out.service_version, kMaxNameLength, true);
  c.String(s, "service", "environment", out.environment, kMaxNameLength, true);
}

void ParseEndpoint(Checker& c, std::string& endpoint) {
  std::string_view e = endpoint;
  if (e.substr(0, 7) != "http://" && e.substr(0, 8) != "https://")
    return void(c.Fail("exporter.endpoint", "must start with http:// or https://"));
  for (unsigned char ch : e) {
    if (ch <= 0x20 || ch >= 0x7f)
      return void(c.Fail("exporter.endpoint", "must not contain spaces or non-ASCII characters"));
    // WriteExporterSettings copies the endpoint into a JSON string without escaping.
    if (ch == '"' || ch == '\\')
      return void(c.Fail("exporter.endpoint", "must not contain quotes or backslashes"));
  }
  if (e.find('?') != std::string_view::npos || e.find('#') != std::string_view::npos)
    return void(c.Fail("exporter.endpoint", "must not contain a query or fragment"));
  // Trim trailing '/' but never into the scheme's "//" ("https://" must stay hostless).
  const size_t host_start = e.find("//") + 2;
  while (endpoint.size() > host_start && endpoint.back() == '/') endpoint.pop_back();
  e = endpoint;
  if (e.size() >= kTracesPath.size() && e.substr(e.size() - kTracesPath.size()) == kTracesPath)
    return void(c.Fail("exporter.endpoint",
                       "give the base URL (e.g. https://collector.example:4318); edgetrace "
                       "appends /v1/traces itself"));
  if (host_start >= e.size() || e[host_start] == '/' || e[host_start] == ':')
    return void(c.Fail("exporter.endpoint", "has no host"));
}

void ParseHeaders(Checker& c, const Json& h, Config& out) {
  if (!h.is_object())
    return void(c.Fail("exporter.headers",
                       std::string("must be an object of strings, got ") + TypeName(h)));
  if (h.size() > kMaxExporterHeaders)
    return void(
        c.Fail("exporter.headers", "at most " + std::to_string(kMaxExporterHeaders) + " headers"));
  for (const auto& item : h.items()) {
    std::string path = "exporter.headers." + item.key();
    if (item.key().empty())
      return void(c.Fail("exporter.headers", "header names must not be empty"));
    for (unsigned char ch : item.key())
      if (!IsTokenChar(ch)) return void(c.Fail(path, "is not a valid HTTP header name"));
    if (IsReservedExporterHeader(item.key()))
      return void(c.Fail(path, "is set by edgetrace itself and cannot be overridden"));
    if (!item.value().is_string())
      return void(c.Fail(path, std::string("must be a string, got ") + TypeName(item.value())));
    const std::string& v = item.value().get_ref<const std::string&>();
    for (unsigned char ch : v)
      if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
        return void(c.Fail(path, "must not contain control characters (CR/LF)"));
    out.exporter_headers.emplace_back(item.key(), v);
  }
}

void ParseExporter(Checker& c, const Json& s, Config& out) {
  if (!c.OnlyKeys(s, "exporter", {"mode", "endpoint", "headers", "timeoutMs"})) return;
  if (s.contains("mode")) {
    const Json& m = s["mode"];
    std::string_view mode = m.is_string() ? std::string_view(m.get_ref<const std::string&>()) : "";
    if (mode == "otlp-http")
      out.exporter_mode = ExporterMode::kOtlpHttp;
    else if (mode == "log")
      out.exporter_mode = ExporterMode::kLog;
    else if (mode == "none")
      out.exporter_mode = ExporterMode::kNone;
    else
      return void(c.Fail("exporter.mode", "must be one of \"otlp-http\", \"log\", \"none\""));
  }
  c.String(s, "exporter", "endpoint", out.exporter_endpoint, kMaxEndpointLength, true);
  if (c.ok() && s.contains("headers")) ParseHeaders(c, s["headers"], out);
  c.Int(s, "exporter", "timeoutMs", out.exporter_timeout_ms, 1, Config::kMaxTimeoutMs);
  if (!c.ok()) return;
  if (out.exporter_mode == ExporterMode::kOtlpHttp && out.exporter_endpoint.empty())
    return void(c.Fail("exporter.endpoint", "is required when exporter.mode is \"otlp-http\""));
  if (!out.exporter_endpoint.empty()) ParseEndpoint(c, out.exporter_endpoint);
}

}  // namespace

Status ParseConfig(std::string_view json, Config& out, std::string& error) {
  error.clear();
  out = Config{};
  if (json.size() > kMaxConfigBytes) {
    error = "config: larger than 64 KiB";
    return Status::kBadConfig;
  }
  Json root = Json::parse(json.begin(), json.end(), nullptr, false);
  if (root.is_discarded()) {
    error = "config: not valid JSON";
    return Status::kBadConfig;
  }
  if (!root.is_object()) {
    error = std::string("config: must be a JSON object, got ") + TypeName(root);
    return Status::kBadConfig;
  }
  Checker c(error);
  if (!c.OnlyKeys(root, "", {"service", "exporter", "sampling", "propagation", "ids", "limits"}))
    return Status::kBadConfig;
  if (const Json* s = c.Section(root, "service")) ParseService(c, *s, out);
  if (const Json* s = c.ok() ? c.Section(root, "exporter") : nullptr) ParseExporter(c, *s, out);
  if (const Json* s = c.ok() ? c.Section(root, "sampling") : nullptr) {
    if (c.OnlyKeys(*s, "sampling", {"ratio"})) c.Ratio(*s, "sampling", "ratio", out.sampling_ratio);
  }
  if (const Json* s = c.ok() ? c.Section(root, "propagation") : nullptr) {
    if (c.OnlyKeys(*s, "propagation", {"trustIncoming"}))
      c.Bool(*s, "propagation", "trustIncoming", out.trust_incoming);
  }
  if (const Json* s = c.ok() ? c.Section(root, "ids") : nullptr) {
    if (c.OnlyKeys(*s, "ids", {"xrayCompatible"}))
      c.Bool(*s, "ids", "xrayCompatible", out.xray_compatible_ids);
  }
  if (const Json* s = c.ok() ? c.Section(root, "limits") : nullptr) {
    if (c.OnlyKeys(*s, "limits", {"attributeValueLength"}))
      c.Int(*s, "limits", "attributeValueLength", out.attribute_value_length,
            Config::kMinAttributeValueLength, Config::kMaxAttributeValueLength);
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
