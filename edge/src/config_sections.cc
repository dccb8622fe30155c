// One parser per section of edgetrace.config.json (see config_checker.h). Each checks its
// section's keys, then reads them in the order the README lists them; the first error wins.
#include <cstdint>

#include "config_checker.h"
#include "internal/ascii.h"

namespace edge::internal {
namespace {

constexpr size_t kMaxNameLength = 256;
constexpr size_t kMaxEndpointLength = 2048;
constexpr size_t kMaxExporterHeaders = 16;
constexpr std::string_view kTracesPath = "/v1/traces";

constexpr size_t kMaxSamplingRules = 32;
constexpr size_t kMaxRuleHostLength = 253;  // a DNS name, without the optional "*."
constexpr size_t kMaxRulePathLength = 1024;
constexpr size_t kMaxRuleMethodLength = 16;
constexpr int kMaxSampledPerSecond = 100000;

constexpr size_t kMaxCapturedHeaders = 16;  // per list
constexpr size_t kMaxCapturedHeaderLength = 64;
constexpr size_t kMaxRedactedQueryKeys = 32;
constexpr size_t kMaxQueryKeyLength = 128;

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string ToLower(std::string s) {
  for (char& c : s) c = IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}
std::string ToUpper(std::string s) {
  for (char& c : s) c = IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c;
  return s;
}

// ---- exporter --------------------------------------------------------------------------------

bool IsReservedExporterHeader(const std::string& name) {
  const std::string lower = ToLower(name);
  return lower == "content-type" || lower == "content-length" || lower == "host" ||
         lower == "connection" || lower == "transfer-encoding" || lower == "content-encoding";
}

// Why `authority` (host[:port] of the endpoint) is not one Node's URL parser and HTTP client
// accept, or nullptr: a bad one would otherwise fail at the first export, not here.
const char* AuthorityProblem(std::string_view authority) {
  // userinfo@ (Node sends it as Basic auth) is the URL's business: check what follows it.
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close == std::string_view::npos || close == 1) return "has a malformed IPv6 address";
    for (char ch : host.substr(1, close - 1))
      if (!internal::IsAsciiHexDigit(ch) && ch != ':' && ch != '.')
        return "has a malformed IPv6 address";
    if (close + 1 < host.size() && host[close + 1] != ':') return "has a malformed IPv6 address";
    if (close + 1 < host.size()) port = host.substr(close + 2);
    host = host.substr(0, close + 1);
  } else {
    const size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (host.empty()) return "has no host";
    for (char ch : host)
      if (!internal::IsAsciiAlnum(ch) && ch != '-' && ch != '.' && ch != '_')
        return "has a host name with characters other than letters, digits, '-', '.' and '_'";
  }
  if (authority.size() > host.size()) {  // a ':' follows the host
    if (port.empty() || port.size() > 5) return "has a port that is not a number from 1 to 65535";
    int value = 0;
    for (char ch : port) {
      if (!internal::IsAsciiDigit(ch)) return "has a port that is not a number from 1 to 65535";
      value = value * 10 + (ch - '0');
    }
    if (value < 1 || value > 65535) return "has a port that is not a number from 1 to 65535";
  }
  return nullptr;
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
  const size_t path_start = e.find('/', host_start);
  if (const char* problem = AuthorityProblem(e.substr(host_start, path_start - host_start)))
    c.Fail("exporter.endpoint", problem);
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
    // HTTP field values are ASCII here: Node refuses characters above U+00FF at send time
    // (every export would fail), and obs-text is deprecated (RFC 9110 section 5.5).
    for (unsigned char ch : v)
      if ((ch < 0x20 && ch != '\t') || ch >= 0x7f)
        return void(c.Fail(path,
                           "must be printable ASCII (no control characters, CR/LF or "
                           "non-ASCII characters)"));
    out.exporter_headers.emplace_back(item.key(), v);
  }
}

// ---- sampling --------------------------------------------------------------------------------

// "example.com" or "*.example.com", stored lowercase (host names are case-insensitive).
void CheckRuleHost(Checker& c, const std::string& at, std::string& host) {
  std::string_view name = host;
  if (name.substr(0, 2) == "*.") name.remove_prefix(2);
  bool valid = !name.empty() && name.size() <= kMaxRuleHostLength;
  for (char ch : name)
    valid = valid && (IsLower(ch) || IsUpper(ch) || IsDigit(ch) || ch == '.' || ch == '-');
  if (!valid)
    return void(c.Fail(at,
                       "must be a host name (a-z, 0-9, '.', '-'; at most 253 bytes) or \"*.\" "
                       "followed by one, got " +
                           Quoted(host)));
  host = ToLower(host);
}

// A glob over the URI path, which CloudFront gives percent-encoded: printable ASCII.
void CheckRulePath(Checker& c, const std::string& at, const std::string& path) {
  if (path[0] != '/' && path[0] != '*')
    return void(c.Fail(at, "must start with '/' or '*', got " + Quoted(path)));
  for (unsigned char ch : path)
    if (ch <= 0x20 || ch >= 0x7f) return void(c.Fail(at, "must be printable ASCII without spaces"));
}

// Compared exactly with the event's method, which CloudFront gives in uppercase.
void CheckRuleMethod(Checker& c, const std::string& at, const std::string& method) {
  bool letters = true;
  bool upper = true;
  for (char ch : method) {
    letters = letters && (IsUpper(ch) || IsLower(ch));
    upper = upper && IsUpper(ch);
  }
  if (!letters)
    return void(c.Fail(at, "must be an HTTP method of letters A-Z, got " + Quoted(method)));
  if (!upper)
    return void(
        c.Fail(at, "must be uppercase: " + Quoted(ToUpper(method)) + ", not " + Quoted(method)));
}

void ParseRule(Checker& c, const Json& r, const std::string& at, SamplingRule& rule) {
  if (!r.is_object()) return void(c.Fail(at, std::string("must be an object, got ") + TypeName(r)));
  if (!c.OnlyKeys(r, at, {"host", "path", "method", "ratio"})) return;
  // Empty strings are refused: an absent key already means "any".
  c.String(r, at, "host", rule.host, std::string::npos, false);
  if (c.ok() && !rule.host.empty()) CheckRuleHost(c, at + ".host", rule.host);
  c.String(r, at, "path", rule.path, kMaxRulePathLength, false);
  if (c.ok() && !rule.path.empty()) CheckRulePath(c, at + ".path", rule.path);
  c.String(r, at, "method", rule.method, kMaxRuleMethodLength, false);
  if (c.ok() && !rule.method.empty()) CheckRuleMethod(c, at + ".method", rule.method);
  if (c.ok() && !r.contains("ratio")) return void(c.Fail(at + ".ratio", "is required"));
  c.Ratio(r, at, "ratio", rule.ratio);
  if (c.ok() && rule.host.empty() && rule.path.empty() && rule.method.empty())
    c.Fail(at, "a rule needs host, path or method");
}

// ---- propagation -----------------------------------------------------------------------------

// `trust`, and `trustIncoming`, its boolean predecessor, still accepted: true is "honor",
// false is "ignore". Both may be given only when they agree; false with "ids-only" agrees (the
// client's sampled flag is not followed either way).
void ParseTrust(Checker& c, const Json& s, Config& out) {
  constexpr TrustPolicy kPolicies[] = {TrustPolicy::kIgnore, TrustPolicy::kIdsOnly,
                                       TrustPolicy::kHonor};
  bool trust_incoming = false;
  const bool has_alias = s.contains("trustIncoming");
  c.Bool(s, "propagation", "trustIncoming", trust_incoming);
  if (has_alias) out.trust = trust_incoming ? TrustPolicy::kHonor : TrustPolicy::kIgnore;
  size_t policy = 0;
  if (!c.Enum(s, "propagation", "trust", {"ignore", "ids-only", "honor"}, policy)) return;
  if (has_alias && trust_incoming != (kPolicies[policy] == TrustPolicy::kHonor))
    return void(c.Fail("propagation.trustIncoming",
                       "conflicts with propagation.trust; use propagation.trust only"));
  out.trust = kPolicies[policy];
}

void ParseExtract(Checker& c, const Json& s, Config& out) {
  // "b3" is one entry: the single `b3` header first, then the multi `x-b3-*` headers.
  constexpr uint8_t kFormats[] = {format_bits::kTraceContext, format_bits::kXRay,
                                  format_bits::kB3Single | format_bits::kB3Multi};
  constexpr size_t kSlots = sizeof out.extract_order / sizeof out.extract_order[0];
  static_assert(kSlots >= sizeof kFormats, "extract_order holds every format once");
  std::vector<size_t> picked;
  if (!c.EnumArray(s, "propagation", "extract", {"tracecontext", "xray", "b3"}, picked)) return;
  if (picked.empty()) return void(c.Fail("propagation.extract", "must list at least one format"));
  out.extract_formats = 0;
  for (size_t i = 0; i < kSlots; ++i) {
    out.extract_order[i] = i < picked.size() ? kFormats[picked[i]] : 0;
    out.extract_formats |= out.extract_order[i];
  }
  out.extract_count = picked.size();
}

void ParseInject(Checker& c, const Json& s, Config& out) {
  constexpr uint8_t kFormats[] = {format_bits::kTraceContext, format_bits::kXRay,
                                  format_bits::kB3Single, format_bits::kB3Multi};
  std::vector<size_t> picked;
  if (!c.EnumArray(s, "propagation", "inject", {"tracecontext", "xray", "b3", "b3multi"}, picked))
    return;
  // traceparent is always sent (it is how the origin and the later triggers continue the
  // trace), so tracecontext is in the set whether listed or not: [] means tracecontext only.
  out.inject = format_bits::kTraceContext;
  for (size_t i : picked) out.inject |= kFormats[i];
}

// ---- capture, redaction ----------------------------------------------------------------------

// Headers never recorded whatever the config says: credentials, and edgetrace's own.
constexpr std::string_view kCredentialHeaders[] = {"authorization", "proxy-authorization", "cookie",
                                                   "set-cookie", "x-amz-security-token"};
constexpr std::string_view kOwnHeaders[] = {"x-edgetrace-ctx", "x-edgetrace-fill"};

bool CheckCapturedHeader(Checker& c, const std::string& at, std::string& name) {
  if (name.empty()) return c.Fail(at, "must not be empty");
  if (name.size() > kMaxCapturedHeaderLength)
    return c.Fail(at, "must be at most " + std::to_string(kMaxCapturedHeaderLength) + " bytes");
  for (unsigned char ch : name)
    if (!IsTokenChar(ch)) return c.Fail(at, "is not a valid HTTP header name");
  name = ToLower(name);  // CloudFront's event keys headers by lowercase name
  for (std::string_view secret : kCredentialHeaders)
    if (name == secret) return c.Fail(at, "is never recorded (credentials)");
  for (std::string_view own : kOwnHeaders)
    if (name == own) return c.Fail(at, "is edgetrace's own header and never recorded");
  return true;
}

bool CheckQueryKey(Checker& c, const std::string& at, const std::string& key) {
  if (key.empty()) return c.Fail(at, "must not be empty");
  if (key.size() > kMaxQueryKeyLength)
    return c.Fail(at, "must be at most " + std::to_string(kMaxQueryKeyLength) + " bytes");
  for (unsigned char ch : key)
    if (ch <= 0x20 || ch >= 0x7f || ch == '&' || ch == '=' || ch == '#')
      return c.Fail(at, "must be printable ASCII without spaces, '&', '=' or '#'");
  return true;
}

}  // namespace

void ParseService(Checker& c, const Json& s, Config& out) {
  if (!c.OnlyKeys(s, "service", {"name", "version", "environment"})) return;
  c.String(s, "service", "name", out.service_name, kMaxNameLength, false);
  c.String(s, "service", "version", out.service_version, kMaxNameLength, true);
  c.String(s, "service", "environment", out.environment, kMaxNameLength, true);
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

void ParseTriggers(Checker& c, const Json& root, Config& out) {
  constexpr uint8_t kBits[] = {trigger_bits::kViewerRequest, trigger_bits::kOriginRequest,
                               trigger_bits::kOriginResponse, trigger_bits::kViewerResponse};
  std::vector<size_t> picked;
  if (!c.EnumArray(root, "", "triggers",
                   {"viewer-request", "origin-request", "origin-response", "viewer-response"},
                   picked))
    return;
  uint8_t bits = 0;
  for (size_t i : picked) bits |= kBits[i];
  // A request-side trigger without its response-side partner could open a span nothing closes.
  if (bits != trigger_bits::kOriginPair && bits != trigger_bits::kViewerPair &&
      bits != trigger_bits::kAllFour)
    return void(c.Fail("triggers",
                       "must be the origin pair [\"origin-request\",\"origin-response\"], the "
                       "viewer pair [\"viewer-request\",\"viewer-response\"] or all four"));
  out.triggers = bits;
}

void ParseSampling(Checker& c, const Json& s, Config& out) {
  if (!c.OnlyKeys(s, "sampling", {"ratio", "rules", "maxPerSecond", "keepErrors"})) return;
  c.Ratio(s, "sampling", "ratio", out.sampling_ratio);
  if (const Json* rules = c.Array(s, "sampling", "rules", kMaxSamplingRules)) {
    for (size_t i = 0; i < rules->size() && c.ok(); ++i) {
      SamplingRule rule;
      ParseRule(c, (*rules)[i], "sampling.rules[" + std::to_string(i) + "]", rule);
      out.sampling_rules.push_back(std::move(rule));
    }
  }
  c.Int(s, "sampling", "maxPerSecond", out.sampling_max_per_second, 0, kMaxSampledPerSecond);
  c.Bool(s, "sampling", "keepErrors", out.keep_errors);
}

void ParsePropagation(Checker& c, const Json& s, Config& out) {
  if (!c.OnlyKeys(s, "propagation",
                  {"trustIncoming", "trust", "extract", "inject", "responseHeader"}))
    return;
  ParseTrust(c, s, out);
  ParseExtract(c, s, out);
  ParseInject(c, s, out);
  constexpr ResponseHeaderMode kModes[] = {ResponseHeaderMode::kNone,
                                           ResponseHeaderMode::kTraceResponse,
                                           ResponseHeaderMode::kServerTiming};
  size_t mode = 0;
  if (c.Enum(s, "propagation", "responseHeader", {"none", "traceresponse", "server-timing"}, mode))
    out.response_header = kModes[mode];
}

void ParseIds(Checker& c, const Json& s, Config& out) {
  if (c.OnlyKeys(s, "ids", {"xrayCompatible"}))
    c.Bool(s, "ids", "xrayCompatible", out.xray_compatible_ids);
}

void ParseCapture(Checker& c, const Json& s, Config& out) {
  if (!c.OnlyKeys(s, "capture", {"requestHeaders", "responseHeaders"})) return;
  const auto check = [&c](const std::string& at, std::string& name) {
    return CheckCapturedHeader(c, at, name);
  };
  c.StringArray(s, "capture", "requestHeaders", kMaxCapturedHeaders, out.capture_request_headers,
                check);
  c.StringArray(s, "capture", "responseHeaders", kMaxCapturedHeaders, out.capture_response_headers,
                check);
}

void ParseRedaction(Checker& c, const Json& s, Config& out) {
  if (!c.OnlyKeys(s, "redaction", {"queryKeys"})) return;
  c.StringArray(
      s, "redaction", "queryKeys", kMaxRedactedQueryKeys, out.redact_query_keys,
      [&c](const std::string& at, std::string& key) { return CheckQueryKey(c, at, key); });
}

void ParseLimits(Checker& c, const Json& s, Config& out) {
  if (c.OnlyKeys(s, "limits", {"attributeValueLength"}))
    c.Int(s, "limits", "attributeValueLength", out.attribute_value_length,
          Config::kMinAttributeValueLength, Config::kMaxAttributeValueLength);
}

}  // namespace edge::internal
