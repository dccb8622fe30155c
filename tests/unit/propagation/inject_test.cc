#include "edge/propagation/inject.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "edge/config.h"
#include "edge/propagation/b3.h"
#include "edge/propagation/extract.h"
#include "edge/propagation/xray.h"

namespace edge {
namespace {

namespace fb = format_bits;

constexpr std::string_view kTraceIdHex = "5759e988bd862e3fe1be46a994272793";
constexpr std::string_view kSpanIdHex = "53995c3f42cd8ad8";
const TraceId kTraceId = TraceId::FromHex(kTraceIdHex);
const SpanId kSpanId = SpanId::FromHex(kSpanIdHex);
constexpr uint8_t kAll = fb::kTraceContext | fb::kXRay | fb::kB3Single | fb::kB3Multi;

// The headers and the buffer they point into; not copyable, so no view can dangle.
struct Injection {
  explicit Injection(uint8_t formats, bool sampled, std::string_view lineage = {},
                     size_t capacity = kInjectBufferSize, const TraceId& trace_id = kTraceId,
                     const SpanId& span_id = kSpanId) {
    headers = InjectHeaders(formats, trace_id, span_id, sampled, lineage, buffer, capacity);
  }
  Injection(const Injection&) = delete;
  Injection& operator=(const Injection&) = delete;

  char buffer[kInjectBufferSize];
  InjectedHeaders headers;
};

bool AllEmpty(const InjectedHeaders& h) {
  return h.xray.empty() && h.b3.empty() && h.b3_trace_id.empty() && h.b3_span_id.empty() &&
         h.b3_sampled.empty();
}

// Printable ASCII only: no CR, LF, NUL or anything that could split or corrupt a header.
bool IsSafeHeaderValue(std::string_view v) {
  for (const char c : v) {
    if (c < '\x20' || c > '\x7e') return false;
  }
  return true;
}

bool Inside(std::string_view v, const char* buffer, size_t capacity) {
  return v.empty() || (v.data() >= buffer && v.data() + v.size() <= buffer + capacity);
}

TEST_CASE("inject: the exact values OTel JS injects for the same span context") {
  const Injection sampled(kAll, true);
  CHECK(sampled.headers.xray ==
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  CHECK(sampled.headers.b3 == "5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-1");
  CHECK(sampled.headers.b3_trace_id == kTraceIdHex);
  CHECK(sampled.headers.b3_span_id == kSpanIdHex);
  CHECK(sampled.headers.b3_sampled == "1");

  const Injection unsampled(kAll, false);
  CHECK(unsampled.headers.xray ==
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0");
  CHECK(unsampled.headers.b3 == "5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-0");
  CHECK(unsampled.headers.b3_sampled == "0");
}

TEST_CASE("inject: only the requested formats; tracecontext is not written here") {
  CHECK(AllEmpty(Injection(fb::kTraceContext, true).headers));
  CHECK(AllEmpty(Injection(0, true).headers));

  const Injection xray_only(fb::kXRay, true);
  const InjectedHeaders& xray = xray_only.headers;
  CHECK_FALSE(xray.xray.empty());
  CHECK(xray.b3.empty());
  CHECK(xray.b3_trace_id.empty());

  const Injection single_only(fb::kB3Single | fb::kTraceContext, true);
  const InjectedHeaders& single = single_only.headers;
  CHECK(single.xray.empty());
  CHECK_FALSE(single.b3.empty());
  CHECK(single.b3_trace_id.empty());

  const Injection multi_only(fb::kB3Multi, false);
  const InjectedHeaders& multi = multi_only.headers;
  CHECK(multi.xray.empty());
  CHECK(multi.b3.empty());
  CHECK(multi.b3_trace_id == kTraceIdHex);
  CHECK(multi.b3_span_id == kSpanIdHex);
  CHECK(multi.b3_sampled == "0");
}

TEST_CASE("inject: a valid X-Ray Lineage is carried, an invalid one is left out") {
  CHECK(Injection(fb::kXRay, true, "a87bd80c:1|68fd508a:5").headers.xray ==
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;"
        "Lineage=a87bd80c:1|68fd508a:5");
  for (const std::string_view bad :
       {std::string_view("12326a9d:0\r\nX-Injected: 1"), std::string_view("A87BD80C:1"),
        std::string_view("1:a87bd80c:0;Sampled=1"), std::string_view(":1")}) {
    CAPTURE(bad);
    CHECK(Injection(fb::kXRay, true, bad).headers.xray ==
          "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  }
}

TEST_CASE("inject: round trip through the parsers gives the same ids and decision") {
  const std::string_view lineage = "12326a9d:0";
  for (const bool sampled : {true, false}) {
    CAPTURE(sampled);
    const Injection i(kAll, sampled, lineage);

    const XRayHeader xray = ParseXRayHeader(i.headers.xray);
    REQUIRE(xray.IsValid());
    CHECK(xray.trace_id == kTraceId);
    CHECK(xray.parent_id == kSpanId);
    CHECK(xray.sampling == (sampled ? XRaySampling::kSampled : XRaySampling::kNotSampled));
    CHECK(xray.lineage == lineage);

    const B3Context single = ParseB3Single(i.headers.b3);
    REQUIRE(single.IsValid());
    CHECK(single.trace_id == kTraceId);
    CHECK(single.span_id == kSpanId);
    CHECK(single.sampling == (sampled ? B3Sampling::kAccept : B3Sampling::kDeny));
    CHECK_FALSE(single.parent_span_id.IsValid());

    const B3Context multi =
        ParseB3Multi(i.headers.b3_trace_id, i.headers.b3_span_id, i.headers.b3_sampled, {});
    REQUIRE(multi.IsValid());
    CHECK(multi.trace_id == kTraceId);
    CHECK(multi.span_id == kSpanId);
    CHECK(multi.sampling == (sampled ? B3Sampling::kAccept : B3Sampling::kDeny));

    // And through ExtractContext, format by format: what we send is what the next hop reads.
    IncomingHeaders in;
    in.xray = i.headers.xray;
    in.b3 = i.headers.b3;
    in.b3_trace_id = i.headers.b3_trace_id;
    in.b3_span_id = i.headers.b3_span_id;
    in.b3_sampled = i.headers.b3_sampled;
    for (const uint8_t format : {fb::kXRay, fb::kB3Single, fb::kB3Multi}) {
      CAPTURE(format);
      const ExtractedContext got = ExtractContext(in, &format, 1);
      REQUIRE(got.IsValid());
      CHECK(got.format == format);
      CHECK(got.parent.trace_id == kTraceId);
      CHECK(got.parent.parent_id == kSpanId);
      CHECK(got.parent.sampled() == sampled);
      CHECK(got.has_decision);
      CHECK(got.xray_lineage == (format == fb::kXRay ? lineage : std::string_view()));
    }
  }
}

TEST_CASE("inject: a trace id with leading zero bytes (a padded 64-bit B3 id) is sent whole") {
  const TraceId padded = TraceId::FromHex("0000000000000000a3ce929d0e0e4736");
  const Injection i(kAll, true, {}, kInjectBufferSize, padded);
  const InjectedHeaders& h = i.headers;
  CHECK(h.b3 == "0000000000000000a3ce929d0e0e4736-53995c3f42cd8ad8-1");
  CHECK(h.b3_trace_id == "0000000000000000a3ce929d0e0e4736");
  CHECK(h.xray == "Root=1-00000000-00000000a3ce929d0e0e4736;Parent=53995c3f42cd8ad8;Sampled=1");
}

TEST_CASE("inject: invalid ids inject nothing") {
  CHECK(AllEmpty(Injection(kAll, true, {}, kInjectBufferSize, TraceId()).headers));
  CHECK(AllEmpty(Injection(kAll, true, {}, kInjectBufferSize, kTraceId, SpanId()).headers));
}

TEST_CASE("inject: kInjectBufferSize holds every format with the longest Lineage") {
  const std::string lineage = "a87bd80c:1|68fd508a:5|c512fbe3:2|" + std::string(31, 'f');
  REQUIRE(lineage.size() == XRayHeader::kMaxLineageSize);
  REQUIRE(IsValidXRayLineage(lineage));
  const Injection i(kAll, true, lineage);
  CHECK(i.headers.xray.size() == inject_size::kXRay);
  CHECK(i.headers.b3.size() == inject_size::kB3Single);
  CHECK(i.headers.b3_trace_id.size() + i.headers.b3_span_id.size() + i.headers.b3_sampled.size() ==
        inject_size::kB3Multi);
  // Back to back, filling the buffer exactly, without overlaps.
  CHECK(i.headers.xray.data() == i.buffer);
  CHECK(i.headers.b3.data() == i.headers.xray.data() + i.headers.xray.size());
  CHECK(i.headers.b3_trace_id.data() == i.headers.b3.data() + i.headers.b3.size());
  CHECK(i.headers.b3_sampled.data() + i.headers.b3_sampled.size() == i.buffer + kInjectBufferSize);
}

TEST_CASE("inject: a buffer too small leaves the formats that do not fit empty") {
  const std::string_view lineage = "12326a9d:0";
  const Injection full(kAll, true, lineage);
  const size_t xray = full.headers.xray.size();
  const size_t single = full.headers.b3.size();
  const size_t multi = inject_size::kB3Multi;

  CHECK(AllEmpty(Injection(kAll, true, lineage, 0).headers));
  CHECK(AllEmpty(Injection(kAll, true, lineage, 10).headers));

  // X-Ray does not fit (with its Lineage): it is left out whole, B3 takes the room.
  const Injection no_xray(kAll, true, lineage, xray - 1);
  CHECK(no_xray.headers.xray.empty());
  CHECK(no_xray.headers.b3 == full.headers.b3);
  CHECK(no_xray.headers.b3_trace_id.empty());  // single (51) + multi (49) > xray - 1 (92)

  const Injection xray_only(kAll, true, lineage, xray);
  CHECK(xray_only.headers.xray == full.headers.xray);
  CHECK(xray_only.headers.b3.empty());
  CHECK(xray_only.headers.b3_trace_id.empty());

  const Injection no_multi(kAll, true, lineage, xray + single + multi - 1);
  CHECK(no_multi.headers.xray == full.headers.xray);
  CHECK(no_multi.headers.b3 == full.headers.b3);
  CHECK(no_multi.headers.b3_trace_id.empty());
  CHECK(no_multi.headers.b3_span_id.empty());
  CHECK(no_multi.headers.b3_sampled.empty());

  const Injection all(kAll, true, lineage, xray + single + multi);
  CHECK(all.headers.b3_sampled == "1");

  // A null buffer is a zero-capacity buffer.
  CHECK(AllEmpty(InjectHeaders(kAll, kTraceId, kSpanId, true, lineage, nullptr, 500)));
}

TEST_CASE("inject: every capacity from 0 up: views stay inside, formats are whole or absent") {
  const std::string_view lineage = "1:a87bd80c:0";
  const Injection full(kAll, false, lineage);
  for (size_t capacity = 0; capacity <= kInjectBufferSize; ++capacity) {
    CAPTURE(capacity);
    const Injection i(kAll, false, lineage, capacity);
    const InjectedHeaders& h = i.headers;
    for (const std::string_view v : {h.xray, h.b3, h.b3_trace_id, h.b3_span_id, h.b3_sampled}) {
      CHECK(Inside(v, i.buffer, capacity));
      CHECK(IsSafeHeaderValue(v));
    }
    CHECK((h.xray.empty() || h.xray == full.headers.xray));
    CHECK((h.b3.empty() || h.b3 == full.headers.b3));
    const bool multi = !h.b3_trace_id.empty();
    CHECK(multi == !h.b3_span_id.empty());
    CHECK(multi == !h.b3_sampled.empty());
  }
}

TEST_CASE("inject: never a header containing CR, LF or other control characters") {
  // Whatever lineage is handed over (it comes from an untrusted incoming header).
  const std::string lineages[] = {
      "\r\n",         "12326a9d:0\r\nSet-Cookie: a=b", std::string(1, '\0'), "12326a9d:0\n",
      "\t12326a9d:0", std::string(300, 'a'),           "a87bd80c:1|\x7f"};
  for (const std::string& lineage : lineages) {
    for (const bool sampled : {true, false}) {
      const Injection i(kAll, sampled, lineage);
      const InjectedHeaders& h = i.headers;
      CHECK_FALSE(h.xray.empty());
      for (const std::string_view v : {h.xray, h.b3, h.b3_trace_id, h.b3_span_id, h.b3_sampled}) {
        CHECK(IsSafeHeaderValue(v));
      }
      CHECK(h.xray.find("Lineage") == std::string_view::npos);
    }
  }
}

}  // namespace
}  // namespace edge
