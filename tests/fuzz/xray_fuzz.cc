// ParseXRayHeader on arbitrary bytes: never crashes or reads outside the input, every view it
// returns lies inside the input, and whatever it accepts formats and re-parses to the same
// ids, decision, Lineage and carried fields.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/propagation/xray.h"
#include "fuzz_check.h"

namespace {

bool Inside(std::string_view view, std::string_view input) {
  return view.empty() ||
         (view.data() >= input.data() && view.data() + view.size() <= input.data() + input.size());
}

bool NoSeparators(std::string_view s) {
  return s.find(';') == std::string_view::npos && s.find(' ') == std::string_view::npos &&
         s.find('\t') == std::string_view::npos;
}

// A fixed parent for root-only headers, so the formatter has something to write.
const edge::SpanId kStandInParent = edge::SpanId::FromHex("00f067aa0ba902b7");

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const edge::XRayHeader parsed = edge::ParseXRayHeader(header);
  if (!parsed.trace_id.IsValid()) {
    // The sentinel is never half-filled.
    FUZZ_CHECK(!parsed.parent_id.IsValid());
    FUZZ_CHECK(parsed.sampling == edge::XRaySampling::kUnknown);
    FUZZ_CHECK(parsed.lineage.empty() && parsed.extra_field_count == 0);
    return 0;
  }

  FUZZ_CHECK(size <= edge::XRayHeader::kMaxHeaderSize);
  FUZZ_CHECK(header.find("Root") != std::string_view::npos);
  FUZZ_CHECK(parsed.IsValid() != parsed.IsRootOnly());
  FUZZ_CHECK(parsed.extra_field_count <= edge::XRayHeader::kMaxExtraFields);
  FUZZ_CHECK(Inside(parsed.lineage, header));
  FUZZ_CHECK(parsed.lineage.empty() || edge::IsValidXRayLineage(parsed.lineage));
  for (size_t i = 0; i < parsed.extra_field_count; ++i) {
    const edge::XRayHeader::Field& field = parsed.extra_fields[i];
    FUZZ_CHECK(!field.key.empty() && Inside(field.key, header) && Inside(field.value, header));
    FUZZ_CHECK(NoSeparators(field.key) && NoSeparators(field.value));
  }

  const edge::SpanId parent = parsed.IsValid() ? parsed.parent_id : kStandInParent;
  const bool sampled = parsed.sampling == edge::XRaySampling::kSampled;
  char out[edge::XRayHeader::kMaxHeaderSize];
  const size_t n =
      edge::FormatXRayHeader(parsed.trace_id, parent, sampled, parsed.lineage, parsed.extra_fields,
                             parsed.extra_field_count, out, sizeof(out));
  FUZZ_CHECK(n >= edge::XRayHeader::kContextSize && n <= sizeof(out));

  const std::string_view formatted(out, n);
  const edge::XRayHeader reparsed = edge::ParseXRayHeader(formatted);
  FUZZ_CHECK(reparsed.IsValid());
  FUZZ_CHECK(reparsed.trace_id == parsed.trace_id);
  FUZZ_CHECK(reparsed.parent_id == parent);
  FUZZ_CHECK(reparsed.sampling ==
             (sampled ? edge::XRaySampling::kSampled : edge::XRaySampling::kNotSampled));
  FUZZ_CHECK(reparsed.lineage == parsed.lineage);
  // Carried fields come back in order; only a suffix may be cut to stay within the limit.
  FUZZ_CHECK(reparsed.extra_field_count <= parsed.extra_field_count);
  for (size_t i = 0; i < reparsed.extra_field_count; ++i) {
    FUZZ_CHECK(reparsed.extra_fields[i].key == parsed.extra_fields[i].key);
    FUZZ_CHECK(reparsed.extra_fields[i].value == parsed.extra_fields[i].value);
  }

  // Formatting is a fixed point: the re-parsed header formats to the same bytes.
  char again[edge::XRayHeader::kMaxHeaderSize];
  const size_t m = edge::FormatXRayHeader(reparsed.trace_id, reparsed.parent_id, sampled,
                                          reparsed.lineage, reparsed.extra_fields,
                                          reparsed.extra_field_count, again, sizeof(again));
  FUZZ_CHECK(std::string_view(again, m) == formatted);
  return 0;
}
