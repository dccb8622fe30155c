#include "edge/request_ids.h"

#include <algorithm>

#include "internal/siphash.h"

namespace edge {
namespace {

// Fixed forever (see the header). One key per output word: SipHash under distinct keys
// gives independent functions, which is the domain separation.
constexpr auto kTraceIdHighKey = internal::SipHashKey::FromBytes("edgetrace:trc:hi");
constexpr auto kTraceIdLowKey = internal::SipHashKey::FromBytes("edgetrace:trc:lo");
constexpr auto kRootSpanKey = internal::SipHashKey::FromBytes("edgetrace:span:1");
constexpr auto kOriginFetchSpanKey = internal::SipHashKey::FromBytes("edgetrace:span:2");

constexpr size_t kWordBytes = 8;
constexpr size_t kBitsPerByte = 8;
static_assert(TraceId::kSize == 2 * kWordBytes && SpanId::kSize == kWordBytes,
              "one SipHash word per 8 id bytes");

// Little-endian, as the SipHash reference implementation outputs its result.
void StoreLittleEndian(uint64_t word, uint8_t* out) noexcept {
  for (size_t i = 0; i < kWordBytes; ++i) {
    out[i] = static_cast<uint8_t>(word >> (kBitsPerByte * i));
  }
}

// All-zero is the invalid id; a hash that lands on it is moved to a fixed valid one.
template <size_t N>
void AvoidAllZero(uint8_t (&bytes)[N]) noexcept {
  if (std::all_of(bytes, bytes + N, [](uint8_t b) { return b == 0; })) bytes[N - 1] = 1;
}

}  // namespace

TraceId TraceIdFromRequestId(std::string_view request_id) noexcept {
  if (request_id.empty()) return {};
  uint8_t bytes[TraceId::kSize];
  StoreLittleEndian(internal::SipHash24(kTraceIdHighKey, request_id), bytes);
  StoreLittleEndian(internal::SipHash24(kTraceIdLowKey, request_id), bytes + kWordBytes);
  AvoidAllZero(bytes);
  return TraceId(bytes);
}

SpanId SpanIdFromRequestId(std::string_view request_id, EdgeSpanRole role) noexcept {
  if (request_id.empty()) return {};
  const internal::SipHashKey* key = nullptr;
  switch (role) {
    case EdgeSpanRole::kRoot:
      key = &kRootSpanKey;
      break;
    case EdgeSpanRole::kOriginFetch:
      key = &kOriginFetchSpanKey;
      break;
  }
  if (key == nullptr) return {};
  uint8_t bytes[SpanId::kSize];
  StoreLittleEndian(internal::SipHash24(*key, request_id), bytes);
  AvoidAllZero(bytes);
  return SpanId(bytes);
}

}  // namespace edge
