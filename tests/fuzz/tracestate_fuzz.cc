// TraceState::Parse on arbitrary bytes, then the operations the edge performs on it (read the
// `ot` entry, upsert our threshold, serialise within 512 chars). Checks that what we emit is
// always a header we would accept, and that the `ot` sub-key parser stays inside its input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/json/byte_writer.h"
#include "edge/propagation/tracestate.h"
#include "edge/sampling/probability_sampler.h"
#include "fuzz_check.h"

namespace {

constexpr size_t kBufferSize = 4096;  // far above the 512-char limit: overflow is not the test

bool Within(std::string_view inner, std::string_view outer) {
  return inner.empty() || (inner.data() >= outer.data() &&
                           inner.data() + inner.size() <= outer.data() + outer.size());
}

void CheckMembers(const edge::TraceState& state) {
  FUZZ_CHECK(state.size() <= edge::TraceState::kMaxMembers);
  for (size_t i = 0; i < state.size(); ++i) {
    const edge::TraceState::Member& m = state.at(i);
    FUZZ_CHECK(edge::TraceState::IsValidKey(m.key));
    FUZZ_CHECK(edge::TraceState::IsValidValue(m.value));
    FUZZ_CHECK(state.Get(m.key) == m.value);  // also: keys are unique, first match is i
    for (size_t j = 0; j < i; ++j) FUZZ_CHECK(state.at(j).key != m.key);
  }
}

// Serialises and checks the output re-parses to members of `state`, in the same order.
void CheckSerialize(const edge::TraceState& state) {
  char buffer[kBufferSize];
  edge::ByteWriter writer(buffer, sizeof(buffer));
  const size_t written = state.Serialize(writer);
  FUZZ_CHECK(!writer.overflowed());
  FUZZ_CHECK(written == writer.size());
  FUZZ_CHECK(written <= edge::TraceState::kPropagateLimit);

  size_t full_size = 0;
  for (size_t i = 0; i < state.size(); ++i) {
    full_size += (i > 0 ? 1 : 0) + state.at(i).key.size() + 1 + state.at(i).value.size();
  }
  const edge::TraceState reparsed = edge::TraceState::Parse(writer.view());
  FUZZ_CHECK(reparsed.valid());
  if (full_size <= edge::TraceState::kPropagateLimit) {
    FUZZ_CHECK(written == full_size);
    FUZZ_CHECK(reparsed.size() == state.size());
  }
  size_t next = 0;  // reparsed members are a subsequence of state's
  for (size_t i = 0; i < reparsed.size(); ++i) {
    while (next < state.size() && state.at(next).key != reparsed.at(i).key) ++next;
    FUZZ_CHECK(next < state.size());
    FUZZ_CHECK(state.at(next).value == reparsed.at(i).value);
    ++next;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  edge::TraceState state = edge::TraceState::Parse(header);
  if (!state.valid()) {
    FUZZ_CHECK(state.size() == 0);
  }
  CheckMembers(state);
  for (size_t i = 0; i < state.size(); ++i) {
    FUZZ_CHECK(Within(state.at(i).key, header));
    FUZZ_CHECK(Within(state.at(i).value, header));
  }
  CheckSerialize(state);

  // What the edge does with a root decision: read rv, decide, record th on the left.
  const std::string_view ot = state.Get("ot");
  const std::string_view rv = edge::FindOtSubKey(ot, "rv");
  const std::string_view th = edge::FindOtSubKey(ot, "th");
  FUZZ_CHECK(Within(rv, ot) && Within(th, ot));
  const edge::ProbabilitySampler sampler(0.25);
  const bool sampled = sampler.ShouldSample(edge::TraceId(), rv);
  FUZZ_CHECK(!sampled || rv.size() == 14);  // R = 0 from the id; only an rv can sample it

  const size_t before = state.size();
  FUZZ_CHECK(state.Upsert("ot", "th:c"));
  FUZZ_CHECK(state.at(0).key == "ot" && state.Get("ot") == "th:c");
  FUZZ_CHECK(state.size() == before + (ot.empty() && before < edge::TraceState::kMaxMembers));
  CheckMembers(state);
  CheckSerialize(state);

  // Erasing everything in order leaves an empty list.
  while (state.size() > 0) {
    const std::string_view key = state.at(state.size() - 1).key;
    state.Erase(key);
    FUZZ_CHECK(state.Get(key).empty());
  }
  return 0;
}
