// Native probe for tests/node/propagation_native_differential.test.mjs: runs the C++ X-Ray and
// B3 parsers (and formatters, and InjectHeaders) on lines from stdin and prints one JSON object per
// line, so the Node harness can compare them with the OpenTelemetry JS propagators before the
// parsers are wired into the Lambda package. Not a test itself; built in the native presets only.
//
// Input, one request per line (payloads backslash-escaped: \\ \t \n \r \xHH):
//   xray <X-Amzn-Trace-Id value>
//   b3 <b3 value>
//   b3multi <x-b3-traceid>\t<x-b3-spanid>\t<x-b3-sampled>\t<x-b3-flags>   (empty = absent)
//   inject <trace id hex>\t<span id hex>\t<1|0>\t<X-Ray Lineage>
// `inject` runs InjectHeaders for X-Ray, B3 single and B3 multi at once (ids that do not parse
// are the invalid ids) and reads each header back with ExtractContext.
// B3 values get their HTTP OWS trimmed first, as the triggers do at the HTTP boundary; the
// X-Ray parser handles whitespace itself.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "cloudfront/http_field.h"
#include "edge/config.h"
#include "edge/propagation/b3.h"
#include "edge/propagation/extract.h"
#include "edge/propagation/inject.h"
#include "edge/propagation/xray.h"
#include "internal/hex.h"

namespace {

constexpr char kFieldSeparator = '\t';
constexpr size_t kB3MultiFields = 4;
constexpr size_t kInjectFields = 4;

std::string Unescape(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 >= in.size()) {
      out += in[i];
      continue;
    }
    const char c = in[++i];
    uint8_t byte = 0;
    if (c == 'x' && i + 2 < in.size() && edge::internal::DecodeHex(in.substr(i + 1, 2), &byte)) {
      out += static_cast<char>(byte);
      i += 2;
    } else {
      out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
    }
  }
  return out;
}

std::string Json(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Bool(bool b) { return b ? "true" : "false"; }

template <typename Id>
std::string Hex(const Id& id) {
  if (!id.IsValid()) return Json("");
  char hex[Id::kSize * 2];
  id.ToHex(hex);
  return Json(std::string_view(hex, sizeof(hex)));
}

const char* Name(edge::XRaySampling s) {
  switch (s) {
    case edge::XRaySampling::kSampled:
      return "sampled";
    case edge::XRaySampling::kNotSampled:
      return "not_sampled";
    default:
      return "unknown";
  }
}

const char* Name(edge::B3Sampling s) {
  switch (s) {
    case edge::B3Sampling::kDeny:
      return "deny";
    case edge::B3Sampling::kAccept:
      return "accept";
    case edge::B3Sampling::kDebug:
      return "debug";
    default:
      return "unset";
  }
}

bool SameXRay(const edge::XRayHeader& a, const edge::XRayHeader& b) {
  if (a.trace_id != b.trace_id || a.parent_id != b.parent_id || a.lineage != b.lineage) {
    return false;
  }
  if (a.extra_field_count != b.extra_field_count) return false;
  for (size_t i = 0; i < a.extra_field_count; ++i) {
    if (a.extra_fields[i].key != b.extra_fields[i].key) return false;
    if (a.extra_fields[i].value != b.extra_fields[i].value) return false;
  }
  return true;
}

void ProbeXRay(std::string_view header) {
  const edge::XRayHeader parsed = edge::ParseXRayHeader(header);
  std::string extra = "[";
  for (size_t i = 0; i < parsed.extra_field_count; ++i) {
    const edge::XRayHeader::Field& f = parsed.extra_fields[i];
    extra += (i ? "," : "") + Json(std::string(f.key) + "=" + std::string(f.value));
  }
  extra += "]";
  std::string reinjected;
  bool round_trip = false;
  if (parsed.IsValid()) {
    const bool sampled = parsed.sampling == edge::XRaySampling::kSampled;
    char out[edge::XRayHeader::kMaxHeaderSize];
    const size_t n =
        edge::FormatXRayHeader(parsed.trace_id, parsed.parent_id, sampled, parsed.lineage,
                               parsed.extra_fields, parsed.extra_field_count, out, sizeof(out));
    reinjected.assign(out, n);
    const edge::XRayHeader back = edge::ParseXRayHeader(reinjected);
    const auto decided = sampled ? edge::XRaySampling::kSampled : edge::XRaySampling::kNotSampled;
    round_trip = back.IsValid() && SameXRay(back, parsed) && back.sampling == decided;
  }
  std::printf(
      "{\"kind\":\"xray\",\"valid\":%s,\"rootOnly\":%s,\"traceId\":%s,\"spanId\":%s,"
      "\"sampling\":\"%s\",\"lineage\":%s,\"extra\":%s,\"reinjected\":%s,\"roundTrip\":%s}\n",
      Bool(parsed.IsValid()).c_str(), Bool(parsed.IsRootOnly()).c_str(),
      Hex(parsed.trace_id).c_str(), Hex(parsed.parent_id).c_str(), Name(parsed.sampling),
      Json(parsed.lineage).c_str(), extra.c_str(), Json(reinjected).c_str(),
      Bool(round_trip).c_str());
}

void PrintB3(const char* kind, const edge::B3Context& parsed) {
  std::string single;
  bool round_trip = false;
  if (parsed.IsValid()) {
    char out[edge::B3Context::kMaxSingleHeaderSize];
    single.assign(out, edge::FormatB3Single(parsed.trace_id, parsed.span_id, parsed.sampling,
                                            parsed.parent_span_id, out));
    const edge::B3Context from_single = edge::ParseB3Single(single);
    edge::B3MultiHeaders multi;
    edge::FormatB3Multi(parsed.trace_id, parsed.span_id, parsed.sampling, parsed.parent_span_id,
                        &multi);
    const edge::B3Context from_multi =
        edge::ParseB3Multi(multi.trace_id(), multi.span_id(), multi.sampled(), multi.flags());
    round_trip = from_single.trace_id == parsed.trace_id && from_single.span_id == parsed.span_id &&
                 from_single.parent_span_id == parsed.parent_span_id &&
                 from_single.sampling == parsed.sampling &&
                 from_multi.trace_id == parsed.trace_id && from_multi.span_id == parsed.span_id &&
                 from_multi.sampling == parsed.sampling;
  }
  std::printf(
      "{\"kind\":\"%s\",\"valid\":%s,\"traceId\":%s,\"spanId\":%s,\"parentSpanId\":%s,"
      "\"sampling\":\"%s\",\"single\":%s,\"roundTrip\":%s}\n",
      kind, Bool(parsed.IsValid()).c_str(), Hex(parsed.trace_id).c_str(),
      Hex(parsed.span_id).c_str(), Hex(parsed.parent_span_id).c_str(), Name(parsed.sampling),
      Json(single).c_str(), Bool(round_trip).c_str());
}

// Tab-separated, each field unescaped.
template <size_t N>
void SplitFields(std::string_view payload, std::string (&fields)[N]) {
  for (std::string& field : fields) {
    const size_t end = payload.find(kFieldSeparator);
    field = Unescape(payload.substr(0, end));
    payload = end == std::string_view::npos ? std::string_view() : payload.substr(end + 1);
  }
}

void ProbeB3Multi(std::string_view payload) {
  std::string fields[kB3MultiFields];
  SplitFields(payload, fields);
  for (std::string& field : fields) {
    field = std::string(edge::internal::TrimOptionalWhitespace(field));
  }
  PrintB3("b3multi", edge::ParseB3Multi(fields[0], fields[1], fields[2], fields[3]));
}

// Reads one injected format back: the same ids and decision (and, for X-Ray, Lineage).
bool ReadsBack(const edge::IncomingHeaders& in, uint8_t format, const edge::TraceId& trace_id,
               const edge::SpanId& span_id, bool sampled, std::string_view lineage) {
  const edge::ExtractedContext got = edge::ExtractContext(in, &format, 1);
  return got.IsValid() && got.format == format && got.parent.trace_id == trace_id &&
         got.parent.parent_id == span_id && got.parent.sampled() == sampled && got.has_decision &&
         got.xray_lineage == lineage;
}

void ProbeInject(std::string_view payload) {
  std::string fields[kInjectFields];
  SplitFields(payload, fields);
  const edge::TraceId trace_id = edge::TraceId::FromHex(fields[0]);
  const edge::SpanId span_id = edge::SpanId::FromHex(fields[1]);
  const bool sampled = fields[2] == "1";
  const std::string& lineage = fields[3];
  constexpr uint8_t kFormats =
      edge::format_bits::kXRay | edge::format_bits::kB3Single | edge::format_bits::kB3Multi;
  char out[edge::kInjectBufferSize];
  const edge::InjectedHeaders injected =
      edge::InjectHeaders(kFormats, trace_id, span_id, sampled, lineage, out, sizeof(out));

  edge::IncomingHeaders in;
  in.xray = injected.xray;
  in.b3 = injected.b3;
  in.b3_trace_id = injected.b3_trace_id;
  in.b3_span_id = injected.b3_span_id;
  in.b3_sampled = injected.b3_sampled;
  bool round_trip = false;
  if (trace_id.IsValid() && span_id.IsValid()) {
    const std::string_view carried =
        edge::IsValidXRayLineage(lineage) ? std::string_view(lineage) : std::string_view();
    round_trip = ReadsBack(in, edge::format_bits::kXRay, trace_id, span_id, sampled, carried) &&
                 ReadsBack(in, edge::format_bits::kB3Single, trace_id, span_id, sampled, "") &&
                 ReadsBack(in, edge::format_bits::kB3Multi, trace_id, span_id, sampled, "");
  } else {
    round_trip = injected.xray.empty() && injected.b3.empty() && injected.b3_trace_id.empty() &&
                 injected.b3_span_id.empty() && injected.b3_sampled.empty();
  }
  std::printf(
      "{\"kind\":\"inject\",\"xray\":%s,\"b3\":%s,\"b3TraceId\":%s,\"b3SpanId\":%s,"
      "\"b3Sampled\":%s,\"roundTrip\":%s}\n",
      Json(injected.xray).c_str(), Json(injected.b3).c_str(), Json(injected.b3_trace_id).c_str(),
      Json(injected.b3_span_id).c_str(), Json(injected.b3_sampled).c_str(),
      Bool(round_trip).c_str());
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::string_view request(line);
    const size_t space = request.find(' ');
    const std::string_view kind = request.substr(0, space);
    const std::string_view payload =
        space == std::string_view::npos ? std::string_view() : request.substr(space + 1);
    if (kind == "xray") {
      ProbeXRay(Unescape(payload));
    } else if (kind == "b3") {
      PrintB3("b3", edge::ParseB3Single(edge::internal::TrimOptionalWhitespace(Unescape(payload))));
    } else if (kind == "b3multi") {
      ProbeB3Multi(payload);
    } else if (kind == "inject") {
      ProbeInject(payload);
    } else {
      std::printf("{\"error\":%s}\n", Json(line).c_str());
    }
    std::fflush(stdout);
  }
  return 0;
}
