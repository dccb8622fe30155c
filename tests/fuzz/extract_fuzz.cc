// ExtractContext (every format, any order) on arbitrary header values: never crashes or reads
// outside the input, the result is never half-filled, the winner is a format the order asked
// for, and the context it gives injects (InjectHeaders) and extracts back to itself in every
// non-W3C format, with printable-ASCII headers only.
//
// Input: <n><n order bytes><traceparent>\n<x-amzn-trace-id>\n<b3>\n<x-b3-traceid>\n
// <x-b3-spanid>\n<x-b3-sampled>\n<x-b3-flags> (n is taken mod 5; missing fields are absent).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/config.h"
#include "edge/propagation/extract.h"
#include "edge/propagation/inject.h"
#include "edge/propagation/xray.h"
#include "fuzz_check.h"

namespace {

namespace fb = edge::format_bits;

constexpr size_t kMaxOrder = 4;
constexpr char kFieldSeparator = '\n';
constexpr uint8_t kInjectable = fb::kXRay | fb::kB3Single | fb::kB3Multi;

bool Inside(std::string_view view, std::string_view input) {
  return view.empty() ||
         (view.data() >= input.data() && view.data() + view.size() <= input.data() + input.size());
}

bool IsPrintableAscii(std::string_view v) {
  for (const char c : v) {
    if (c < '\x20' || c > '\x7e') return false;
  }
  return true;
}

std::string_view NextField(std::string_view* rest) {
  const size_t end = rest->find(kFieldSeparator);
  const std::string_view field = rest->substr(0, end);
  *rest = end == std::string_view::npos ? std::string_view() : rest->substr(end + 1);
  return field;
}

void CheckReadsBack(const edge::InjectedHeaders& injected, uint8_t format,
                    const edge::ExtractedContext& from) {
  edge::IncomingHeaders in;
  in.xray = injected.xray;
  in.b3 = injected.b3;
  in.b3_trace_id = injected.b3_trace_id;
  in.b3_span_id = injected.b3_span_id;
  in.b3_sampled = injected.b3_sampled;
  const edge::ExtractedContext back = edge::ExtractContext(in, &format, 1);
  FUZZ_CHECK(back.IsValid());
  FUZZ_CHECK(back.format == format);
  FUZZ_CHECK(back.parent.trace_id == from.parent.trace_id);
  FUZZ_CHECK(back.parent.parent_id == from.parent.parent_id);
  FUZZ_CHECK(back.parent.sampled() == from.parent.sampled());
  FUZZ_CHECK(back.has_decision);  // an injected header always carries the decision
  if (format == fb::kXRay) FUZZ_CHECK(back.xray_lineage == from.xray_lineage);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  const size_t count =
      std::min<size_t>(static_cast<uint8_t>(input[0]) % (kMaxOrder + 1), input.size() - 1);
  const auto* order = reinterpret_cast<const uint8_t*>(input.data() + 1);
  std::string_view rest = input.substr(1 + count);

  edge::IncomingHeaders in;
  in.traceparent = NextField(&rest);
  in.xray = NextField(&rest);
  in.b3 = NextField(&rest);
  in.b3_trace_id = NextField(&rest);
  in.b3_span_id = NextField(&rest);
  in.b3_sampled = NextField(&rest);
  in.b3_flags = NextField(&rest);

  const edge::ExtractedContext got = edge::ExtractContext(in, order, count);
  FUZZ_CHECK(Inside(got.xray_lineage, input));
  FUZZ_CHECK(got.xray_lineage.empty() || edge::IsValidXRayLineage(got.xray_lineage));

  if (got.format == 0) {
    FUZZ_CHECK(!got.IsValid());
    FUZZ_CHECK(!got.parent.trace_id.IsValid() && !got.parent.parent_id.IsValid());
    FUZZ_CHECK(got.parent.flags == 0 && !got.has_decision);
    FUZZ_CHECK(got.xray_lineage.empty() || got.root_only_trace_id.IsValid());
    return 0;
  }

  FUZZ_CHECK(got.IsValid());
  FUZZ_CHECK(!got.root_only_trace_id.IsValid());
  FUZZ_CHECK(got.format == fb::kTraceContext || got.format == fb::kXRay ||
             got.format == fb::kB3Single || got.format == fb::kB3Multi);
  bool asked = false;
  for (size_t i = 0; i < count; ++i) asked = asked || (order[i] & got.format) != 0;
  FUZZ_CHECK(asked);
  if (got.format == fb::kTraceContext) {
    FUZZ_CHECK(got.has_decision);
  } else {
    FUZZ_CHECK((got.parent.flags & ~edge::trace_flags::kSampled) == 0);  // never kRandom
  }
  if (got.format != fb::kXRay) FUZZ_CHECK(got.xray_lineage.empty());

  char out[edge::kInjectBufferSize];
  const edge::InjectedHeaders injected =
      edge::InjectHeaders(kInjectable, got.parent.trace_id, got.parent.parent_id,
                          got.parent.sampled(), got.xray_lineage, out, sizeof(out));
  for (const std::string_view v : {injected.xray, injected.b3, injected.b3_trace_id,
                                   injected.b3_span_id, injected.b3_sampled}) {
    FUZZ_CHECK(!v.empty() && IsPrintableAscii(v));
    FUZZ_CHECK(v.data() >= out && v.data() + v.size() <= out + sizeof(out));
  }
  CheckReadsBack(injected, fb::kXRay, got);
  CheckReadsBack(injected, fb::kB3Single, got);
  CheckReadsBack(injected, fb::kB3Multi, got);
  return 0;
}
