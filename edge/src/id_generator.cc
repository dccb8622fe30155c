#include "edge/id_generator.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace edge {
namespace {

constexpr size_t kEpochBytes = 4;  // X-Ray: 8 hex digits of epoch seconds lead the trace id
constexpr size_t kBitsPerByte = 8;
// A source that keeps returning zeros is broken; after this many fresh fills we stop asking it
// rather than spin forever inside the user's request.
constexpr int kMaxRedraws = 8;

uint32_t ClampToUint32(int64_t seconds) noexcept {
  if (seconds < 0) return 0;
  constexpr int64_t kMax = std::numeric_limits<uint32_t>::max();
  return static_cast<uint32_t>(std::min(seconds, kMax));
}

template <size_t N>
void ForceNonZero(uint8_t (&bytes)[N]) noexcept {
  bytes[N - 1] = 1;
}

}  // namespace

IdGenerator::IdGenerator(RandomSource& source, bool xray_compatible) noexcept
    : source_(source), xray_compatible_(xray_compatible), used_(kPoolSize), pool_{} {}

void IdGenerator::Take(uint8_t* out, size_t len) noexcept {
  while (len > 0) {
    if (used_ == kPoolSize) {
      source_.Fill(pool_, kPoolSize);
      used_ = 0;
    }
    const size_t n = std::min(len, kPoolSize - used_);
    std::memcpy(out, pool_ + used_, n);
    used_ += n;
    out += n;
    len -= n;
  }
}

TraceId IdGenerator::NewTraceId(int64_t now_unix_seconds) noexcept {
  uint8_t bytes[TraceId::kSize];
  size_t random_from = 0;
  if (xray_compatible_) {
    const uint32_t epoch = ClampToUint32(now_unix_seconds);
    for (size_t i = 0; i < kEpochBytes; ++i) {
      bytes[i] = static_cast<uint8_t>(epoch >> (kBitsPerByte * (kEpochBytes - 1 - i)));
    }
    random_from = kEpochBytes;
  }
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    Take(bytes + random_from, TraceId::kSize - random_from);
    TraceId id(bytes);
    if (id.IsValid()) return id;
    used_ = kPoolSize;  // an all-zero draw suggests a bad fill: redraw from a fresh one
  }
  ForceNonZero(bytes);
  return TraceId(bytes);
}

SpanId IdGenerator::NewSpanId() noexcept {
  uint8_t bytes[SpanId::kSize];
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    Take(bytes, SpanId::kSize);
    SpanId id(bytes);
    if (id.IsValid()) return id;
    used_ = kPoolSize;  // an all-zero draw suggests a bad fill: redraw from a fresh one
  }
  ForceNonZero(bytes);
  return SpanId(bytes);
}

}  // namespace edge
