// ParseB3Single / ParseB3Multi on arbitrary bytes: never crash or read outside the input, an
// invalid parse is the empty context (or a bare decision), and whatever they accept formats
// (single and multi) and re-parses to the same ids and decision.
//
// Input: "M<trace-id>\n<span-id>\n<sampled>\n<flags>" feeds ParseB3Multi (missing fields are
// absent); anything else is one `b3` header value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/propagation/b3.h"
#include "fuzz_check.h"

namespace {

constexpr char kMultiMarker = 'M';
constexpr char kFieldSeparator = '\n';
constexpr size_t kMultiFields = 4;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

edge::B3Context ParseMulti(std::string_view input) {
  std::string_view fields[kMultiFields];
  for (std::string_view& field : fields) {
    const size_t end = input.find(kFieldSeparator);
    field = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
  }
  return edge::ParseB3Multi(fields[0], fields[1], fields[2], fields[3]);
}

void CheckSingleHeaderShape(std::string_view header) {
  FUZZ_CHECK(header.size() <= edge::B3Context::kMaxSingleHeaderSize);
  for (const char c : header) FUZZ_CHECK(IsLowerHex(c) || c == '-');
}

void CheckRoundTrip(const edge::B3Context& parsed) {
  char single[edge::B3Context::kMaxSingleHeaderSize];
  const size_t n = edge::FormatB3Single(parsed.trace_id, parsed.span_id, parsed.sampling,
                                        parsed.parent_span_id, single);
  FUZZ_CHECK(n > 0 && n <= sizeof(single));
  const edge::B3Context from_single = edge::ParseB3Single(std::string_view(single, n));
  FUZZ_CHECK(from_single.IsValid());
  FUZZ_CHECK(from_single.trace_id == parsed.trace_id);
  FUZZ_CHECK(from_single.span_id == parsed.span_id);
  FUZZ_CHECK(from_single.parent_span_id == parsed.parent_span_id);
  FUZZ_CHECK(from_single.sampling == parsed.sampling);

  edge::B3MultiHeaders multi;
  FUZZ_CHECK(edge::FormatB3Multi(parsed.trace_id, parsed.span_id, parsed.sampling,
                                 parsed.parent_span_id, &multi));
  const edge::B3Context from_multi =
      edge::ParseB3Multi(multi.trace_id(), multi.span_id(), multi.sampled(), multi.flags());
  FUZZ_CHECK(from_multi.IsValid());
  FUZZ_CHECK(from_multi.trace_id == parsed.trace_id);
  FUZZ_CHECK(from_multi.span_id == parsed.span_id);
  FUZZ_CHECK(from_multi.sampling == parsed.sampling);
  FUZZ_CHECK(multi.sampled().empty() || multi.flags().empty());  // debug never sends both
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const bool multi = !input.empty() && input.front() == kMultiMarker;
  const edge::B3Context parsed = multi ? ParseMulti(input.substr(1)) : edge::ParseB3Single(input);

  if (!parsed.IsValid()) {
    // Never half-parsed: no ids at all; at most a bare decision.
    FUZZ_CHECK(!parsed.trace_id.IsValid() && !parsed.span_id.IsValid());
    FUZZ_CHECK(!parsed.parent_span_id.IsValid());
    if (!multi && parsed.sampling != edge::B3Sampling::kUnset) {
      FUZZ_CHECK(size == edge::B3Context::kSamplingStateSize);
    }
    return 0;
  }
  if (!multi) CheckSingleHeaderShape(input);
  if (multi) FUZZ_CHECK(!parsed.parent_span_id.IsValid());  // x-b3-parentspanid is not read
  CheckRoundTrip(parsed);
  return 0;
}
