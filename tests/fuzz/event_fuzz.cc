// One origin request/response pair from arbitrary bytes. The input is split into the untrusted
// RequestFields strings by a simple length-prefixed scheme:
//
//   byte 0        options: bits 0-1 ratio (1, 0.25, 0, 0.5), bit 2 X-Ray ids, bit 3 cold start,
//                 bit 4 attributeValueLength 16 (else the default 256)
//   byte 1        first byte of the (counting) random source
//   bytes 2-9     request time, little-endian; mapped into 1 ns .. 9.2e18 ns, the range the
//                 glue's ToUnixNano produces (it passes 0 for a broken clock)
//   bytes 10-17   response time minus request time, mapped into -2 min .. +22 min, so both
//                 sides of the accepted window (1 min of skew, 10 min of age) are reached
//   then, for each field in kFields order: a 2-byte little-endian length and that many bytes
//   (a length past the end takes what is left; missing fields are empty).
//
// Invariants, with trustIncoming on:
// - origin-request always sets a 55-char version-00 traceparent that re-parses valid, whose
//   sampled bit is the decision and whose ids/flags follow a valid incoming parent;
// - every header value set is printable ASCII (no CR/LF); traceparent and x-edgetrace-ctx have
//   no ',' at all; tracestate is <= 512 chars and re-parses valid to the same bytes (commas only
//   as member separators);
// - x-edgetrace-ctx is set on every request, sampled or not, and records this call's time
//   and parent;
// - origin-response on the headers origin-request set is kNothingToDo when not sampled, kOk
//   when sampled and inside the time window (else kInvalidInput); on the raw untrusted headers
//   it is never kOutputFull, and kInvalidInput only with a one-line problem(); every kOk body
//   is pure ASCII JSON holding exactly one span whose ids and times agree with the headers.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "../unit/support/fixed_random_source.h"
#include "edge/tracer.h"
#include "fuzz_check.h"

namespace {

using edge::HeaderChange;
using edge::RequestFields;
using nlohmann::json;

constexpr size_t kOptionsSize = 18;
constexpr int64_t kSecond = 1000000000;
constexpr int64_t kMaxGlueNow = 9200000000000000000;  // wasm-glue ToUnixNano's upper bound
constexpr int64_t kMinDelta = -120 * kSecond;
constexpr int64_t kMaxDelta = 1320 * kSecond;
constexpr int64_t kMaxSkew = 60 * kSecond;  // origin_response.cc: start may be this far ahead
constexpr int64_t kMaxAge = 600 * kSecond;  // ... or this far behind

std::string_view RequestFields::*const kFields[] = {
    &RequestFields::traceparent,     &RequestFields::tracestate,
    &RequestFields::edge_context,    &RequestFields::host,
    &RequestFields::user_agent,      &RequestFields::forwarded_proto,
    &RequestFields::method,          &RequestFields::uri,
    &RequestFields::querystring,     &RequestFields::client_ip,
    &RequestFields::distribution_id, &RequestFields::distribution_domain,
    &RequestFields::request_id,      &RequestFields::response_status,
    &RequestFields::invocation_id,
};

char g_body[256 * 1024];

uint64_t ReadU64(const uint8_t* p) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}
bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
bool IsDecimal(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}
uint64_t Decimal(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

std::string ConfigJson(uint8_t options) {
  static const char* const kRatios[] = {"1", "0.25", "0", "0.5"};
  std::string config = R"({"propagation":{"trustIncoming":true},"sampling":{"ratio":)";
  config += kRatios[options & 3];
  config += R"(},"ids":{"xrayCompatible":)";
  config += (options & 4) ? "true" : "false";
  config += "}";
  if (options & 16) config += R"(,"limits":{"attributeValueLength":16})";
  config += "}";
  return config;
}

const json* Member(const json* j, const char* key) {
  return j != nullptr && j->is_object() && j->contains(key) ? &(*j)[key] : nullptr;
}
const json* OnlyElement(const json* j) {
  return j != nullptr && j->is_array() && j->size() == 1 ? &(*j)[0] : nullptr;
}
std::string StringAt(const json* j) {
  FUZZ_CHECK(j != nullptr && j->is_string());
  return j->get<std::string>();
}

struct SpanSummary {
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // empty for a root
  uint64_t start = 0;
  uint64_t end = 0;
};

// Pure ASCII, valid JSON, exactly one resource, scope and span, well-formed ids and times.
SpanSummary CheckBody(std::string_view body) {
  for (char c : body) FUZZ_CHECK(static_cast<unsigned char>(c) < 0x80);
  const json root = json::parse(body.begin(), body.end(), nullptr, false);
  FUZZ_CHECK(!root.is_discarded());
  FUZZ_CHECK(root.is_object() && root.size() == 1);
  const json* resource_spans = OnlyElement(Member(&root, "resourceSpans"));
  FUZZ_CHECK(resource_spans != nullptr);
  FUZZ_CHECK(Member(resource_spans, "resource") != nullptr);
  const json* scope_spans = OnlyElement(Member(resource_spans, "scopeSpans"));
  FUZZ_CHECK(scope_spans != nullptr);
  const json* span = OnlyElement(Member(scope_spans, "spans"));
  FUZZ_CHECK(span != nullptr && span->is_object());

  SpanSummary s;
  s.trace_id = StringAt(Member(span, "traceId"));
  s.span_id = StringAt(Member(span, "spanId"));
  FUZZ_CHECK(s.trace_id.size() == 32 && IsLowerHex(s.trace_id));
  FUZZ_CHECK(s.span_id.size() == 16 && IsLowerHex(s.span_id));
  if (span->contains("parentSpanId")) {
    s.parent_span_id = StringAt(Member(span, "parentSpanId"));
    FUZZ_CHECK(s.parent_span_id.size() == 16 && IsLowerHex(s.parent_span_id));
  }
  const json* kind = Member(span, "kind");
  FUZZ_CHECK(kind != nullptr && kind->is_number_integer() && kind->get<int>() == 2);
  const json* flags = Member(span, "flags");
  FUZZ_CHECK(flags != nullptr && flags->is_number_unsigned());
  const uint32_t f = flags->get<uint32_t>();
  FUZZ_CHECK((f & 0x100) != 0 && (f & ~0x303u) == 0 && (f & 1) != 0);
  FUZZ_CHECK(((f & 0x200) != 0) == !s.parent_span_id.empty());
  const std::string name = StringAt(Member(span, "name"));
  FUZZ_CHECK(!name.empty());
  const std::string start = StringAt(Member(span, "startTimeUnixNano"));
  const std::string end = StringAt(Member(span, "endTimeUnixNano"));
  FUZZ_CHECK(IsDecimal(start) && IsDecimal(end));
  s.start = Decimal(start);
  s.end = Decimal(end);
  FUZZ_CHECK(s.start > 0 && s.end >= s.start);
  const json* attributes = Member(span, "attributes");
  FUZZ_CHECK(attributes != nullptr && attributes->is_array() && !attributes->empty());
  return s;
}

std::string Applied(const HeaderChange& change) {
  return change.action == HeaderChange::Action::kSet ? std::string(change.value) : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < kOptionsSize) return 0;
  const uint8_t options = data[0];
  const int64_t request_now =
      static_cast<int64_t>(ReadU64(data + 2) % static_cast<uint64_t>(kMaxGlueNow - kMaxDelta)) + 1;
  const int64_t delta =
      static_cast<int64_t>(ReadU64(data + 10) % static_cast<uint64_t>(kMaxDelta - kMinDelta + 1)) +
      kMinDelta;
  const int64_t response_now = request_now + delta;

  RequestFields in;
  in.cold_start = (options & 8) != 0;
  size_t pos = kOptionsSize;
  for (auto field : kFields) {
    if (pos + 2 > size) break;
    size_t len = data[pos] | (static_cast<size_t>(data[pos + 1]) << 8);
    pos += 2;
    if (len > size - pos) len = size - pos;
    in.*field = std::string_view(reinterpret_cast<const char*>(data + pos), len);
    pos += len;
  }

  edge::testing::CountingRandomSource random(data[1]);
  edge::Tracer tracer(random);
  std::string error;
  FUZZ_CHECK(tracer.Configure(ConfigJson(options), edge::RuntimeInfo{"eu-west-1", "f", "1"},
                              error) == edge::Status::kOk);

  // ---- origin-request ----
  edge::RequestDecision decision;
  FUZZ_CHECK(tracer.OnOriginRequest(in, request_now, decision) == edge::Status::kOk);
  // Optional whitespace (SP / HTAB) around a field value is not part of it (RFC 9110 5.5).
  std::string_view trimmed = in.traceparent;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) {
    trimmed.remove_suffix(1);
  }
  const edge::TraceParent incoming = edge::ParseTraceParent(trimmed);

  FUZZ_CHECK(decision.traceparent.action == HeaderChange::Action::kSet);
  const std::string traceparent(decision.traceparent.value);
  FUZZ_CHECK(traceparent.size() == edge::TraceParent::kHeaderSize);
  FUZZ_CHECK(traceparent.substr(0, 3) == "00-");
  FUZZ_CHECK(IsPrintableAscii(traceparent) && traceparent.find(',') == std::string::npos);
  const edge::TraceParent out = edge::ParseTraceParent(traceparent);
  FUZZ_CHECK(out.IsValid());
  FUZZ_CHECK((out.flags & ~edge::trace_flags::kKnownMask) == 0);
  FUZZ_CHECK(out.sampled() == decision.sampled);
  if (incoming.IsValid()) {
    FUZZ_CHECK(out.trace_id == incoming.trace_id);
    FUZZ_CHECK(out.sampled() == incoming.sampled());
    FUZZ_CHECK((out.flags & edge::trace_flags::kRandom) ==
               (incoming.flags & edge::trace_flags::kRandom));
  } else {
    FUZZ_CHECK((out.flags & edge::trace_flags::kRandom) != 0);
  }

  // kKeep: the incoming tracestate of a continued trace is already canonical and goes on as
  // it came; it is then checked exactly like a value the module wrote.
  const bool kept = decision.tracestate.action == HeaderChange::Action::kKeep;
  if (kept) FUZZ_CHECK(incoming.IsValid() && !in.tracestate.empty());
  const std::string tracestate = kept ? std::string(in.tracestate) : Applied(decision.tracestate);
  if (kept || decision.tracestate.action == HeaderChange::Action::kSet) {
    FUZZ_CHECK(!tracestate.empty() && tracestate.size() <= edge::TraceState::kPropagateLimit);
    FUZZ_CHECK(IsPrintableAscii(tracestate));
    const edge::TraceState state = edge::TraceState::Parse(tracestate);
    FUZZ_CHECK(state.valid() && state.size() > 0);
    char again[edge::TraceState::kPropagateLimit];
    edge::ByteWriter writer(again, sizeof again);
    state.Serialize(writer);
    FUZZ_CHECK(writer.view() == tracestate);  // canonical: commas only between members
    if (!incoming.IsValid()) {
      FUZZ_CHECK(decision.sampled && tracestate.substr(0, 6) == "ot=th:" && state.size() == 1);
    }
  } else {
    FUZZ_CHECK(decision.tracestate.value.empty());
  }

  const std::string edge_context = Applied(decision.edge_context);
  {
    FUZZ_CHECK(decision.edge_context.action == HeaderChange::Action::kSet);
    FUZZ_CHECK(IsPrintableAscii(edge_context) && edge_context.find(',') == std::string::npos);
    const edge::EdgeContext ctx = edge::ParseEdgeContext(edge_context);
    FUZZ_CHECK(ctx.IsValid());
    FUZZ_CHECK(ctx.start_unix_nano == request_now);
    FUZZ_CHECK(ctx.remote_parent == (incoming.IsValid() ? incoming.parent_id : edge::SpanId()));
  }

  // ---- origin-response, on the request as origin-request left it ----
  RequestFields forwarded = in;
  forwarded.traceparent = traceparent;
  forwarded.tracestate = tracestate;
  forwarded.edge_context = edge_context;
  {
    edge::ByteWriter body(g_body, sizeof g_body);
    const edge::Status status = tracer.OnOriginResponse(forwarded, response_now, body);
    if (decision.sampled && (delta < -kMaxSkew || delta > kMaxAge)) {
      FUZZ_CHECK(status == edge::Status::kInvalidInput);
      FUZZ_CHECK(tracer.problem() ==
                 "x-edgetrace-ctx start time is not within the last 10 minutes");
      FUZZ_CHECK(body.size() == 0);
    } else if (decision.sampled) {
      FUZZ_CHECK(status == edge::Status::kOk);
      FUZZ_CHECK(tracer.problem().empty());
      const SpanSummary span = CheckBody(body.view());
      FUZZ_CHECK(span.trace_id == traceparent.substr(3, 32));
      FUZZ_CHECK(span.span_id == traceparent.substr(36, 16));
      std::string parent;  // a continued trace's edge span is a child of the incoming parent
      if (incoming.IsValid()) {
        char hex[edge::SpanId::kHexSize];
        incoming.parent_id.ToHex(hex);
        parent.assign(hex, sizeof hex);
      }
      FUZZ_CHECK(span.parent_span_id == parent);
      FUZZ_CHECK(span.start == static_cast<uint64_t>(request_now));
      FUZZ_CHECK(span.end ==
                 (response_now > request_now ? static_cast<uint64_t>(response_now) : span.start));
    } else {
      FUZZ_CHECK(status == edge::Status::kNothingToDo);
      FUZZ_CHECK(body.size() == 0);
    }
  }

  // ---- origin-response, on the raw untrusted headers ----
  {
    edge::ByteWriter body(g_body, sizeof g_body);
    const edge::Status status = tracer.OnOriginResponse(in, response_now, body);
    if (status == edge::Status::kOk) {
      FUZZ_CHECK(tracer.problem().empty());
      CheckBody(body.view());
    } else if (status == edge::Status::kNothingToDo) {
      FUZZ_CHECK(body.size() == 0);
    } else {
      FUZZ_CHECK(status == edge::Status::kInvalidInput);
      FUZZ_CHECK(!tracer.problem().empty() && IsPrintableAscii(tracer.problem()));
      FUZZ_CHECK(body.size() == 0);
    }
  }
  return 0;
}
