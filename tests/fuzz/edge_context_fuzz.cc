// ParseEdgeContext on arbitrary bytes (a client can send x-edgetrace-ctx): never crashes, the
// invalid sentinel is never half-filled, and whatever it accepts formats to a header that
// parses back to the same context (byte-identical when the input was canonical).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "edge/propagation/edge_context.h"
#include "fuzz_check.h"

namespace {

constexpr size_t kGuard = 8;

bool IsHeaderChar(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const edge::EdgeContext parsed = edge::ParseEdgeContext(header);
  if (!parsed.IsValid()) {
    FUZZ_CHECK(parsed.start_unix_nano == 0);
    FUZZ_CHECK(!parsed.remote_parent.IsValid());
    FUZZ_CHECK(!parsed.HasOpenRoot() && parsed.root_start_unix_nano == 0);
    return 0;
  }
  FUZZ_CHECK(parsed.start_unix_nano > 0);
  FUZZ_CHECK(size >= 3 && size <= edge::EdgeContext::kMaxHeaderSize);
  FUZZ_CHECK(header.substr(0, 2) == (parsed.HasOpenRoot() ? "2-" : "1-"));
  if (parsed.HasOpenRoot()) FUZZ_CHECK(parsed.root_start_unix_nano > 0);

  char out[edge::EdgeContext::kMaxHeaderSize + kGuard];
  std::memset(out, '#', sizeof out);
  const size_t n = edge::FormatEdgeContext(parsed, out);
  FUZZ_CHECK(n >= 3 && n <= edge::EdgeContext::kMaxHeaderSize);
  for (size_t i = n; i < sizeof out; ++i) FUZZ_CHECK(out[i] == '#');
  const std::string_view formatted(out, n);
  for (char c : formatted) FUZZ_CHECK(IsHeaderChar(c));

  const edge::EdgeContext reparsed = edge::ParseEdgeContext(formatted);
  FUZZ_CHECK(reparsed.IsValid());
  FUZZ_CHECK(reparsed.start_unix_nano == parsed.start_unix_nano);
  FUZZ_CHECK(reparsed.remote_parent == parsed.remote_parent);
  FUZZ_CHECK(reparsed.root_span_id == parsed.root_span_id);
  FUZZ_CHECK(reparsed.root_start_unix_nano == parsed.root_start_unix_nano);
  // Only leading zeros make an accepted header longer than its canonical form.
  if (formatted.size() == header.size()) FUZZ_CHECK(formatted == header);
  return 0;
}
