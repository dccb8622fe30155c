// ParseTraceParent on arbitrary bytes: never crashes, and whatever it accepts re-formats to
// the same fields, so a forwarded header never differs from the one we trusted.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/propagation/traceparent.h"
#include "fuzz_check.h"

namespace {

constexpr size_t kFieldsEnd = 53;  // "VV-<trace-id>-<parent-id>-": flags start here
constexpr size_t kVersionSize = 2;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const edge::TraceParent parsed = edge::ParseTraceParent(header);
  if (!parsed.IsValid()) {
    // The sentinel is never half-filled.
    FUZZ_CHECK(!parsed.trace_id.IsValid() && !parsed.parent_id.IsValid() && parsed.flags == 0);
    return 0;
  }

  FUZZ_CHECK(size >= edge::TraceParent::kHeaderSize);
  const bool version00 = header.substr(0, kVersionSize) == "00";
  FUZZ_CHECK(header.substr(0, kVersionSize) != "ff");
  FUZZ_CHECK(!version00 || size == edge::TraceParent::kHeaderSize);
  FUZZ_CHECK(size == edge::TraceParent::kHeaderSize ||
             header[edge::TraceParent::kHeaderSize] == '-');
  for (size_t i = 0; i < edge::TraceParent::kHeaderSize; ++i) {
    const bool delimiter = i == 2 || i == 35 || i == 52;
    FUZZ_CHECK(delimiter ? header[i] == '-' : IsLowerHex(header[i]));
  }

  char out[edge::TraceParent::kHeaderSize];
  edge::FormatTraceParent(parsed.trace_id, parsed.parent_id, parsed.flags, out);
  const std::string_view formatted(out, sizeof(out));
  FUZZ_CHECK(formatted.substr(0, kVersionSize) == "00");
  FUZZ_CHECK(formatted.substr(kVersionSize, kFieldsEnd - kVersionSize) ==
             header.substr(kVersionSize, kFieldsEnd - kVersionSize));

  // Formatting masks unknown flags; the masked header must parse back to the same context.
  const edge::TraceParent reparsed = edge::ParseTraceParent(formatted);
  FUZZ_CHECK(reparsed.IsValid());
  FUZZ_CHECK(reparsed.trace_id == parsed.trace_id);
  FUZZ_CHECK(reparsed.parent_id == parsed.parent_id);
  FUZZ_CHECK(reparsed.flags == (parsed.flags & edge::trace_flags::kKnownMask));
  if (version00 && (parsed.flags & ~edge::trace_flags::kKnownMask) == 0) {
    FUZZ_CHECK(formatted == header);
  }
  return 0;
}
