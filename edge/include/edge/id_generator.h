#pragma once
// Trace and span ids from a RandomSource, drawn through a pool so that the host is asked
// for entropy once per kPoolSize bytes rather than once per id.
#include <cstdint>

#include "edge/random_source.h"
#include "edge/span_id.h"
#include "edge/trace_id.h"

namespace edge {

class IdGenerator {
 public:
  static constexpr size_t kPoolSize = 1024;

  // xray_compatible: trace ids carry the epoch seconds in their first 4 bytes (the AWS X-Ray
  // format); the other 12 bytes stay random, which still satisfies W3C's random flag.
  IdGenerator(RandomSource& source, bool xray_compatible) noexcept;

  TraceId NewTraceId(int64_t now_unix_seconds) noexcept;  // never all-zero
  SpanId NewSpanId() noexcept;                            // never all-zero

 private:
  void Take(uint8_t* out, size_t len) noexcept;
  RandomSource& source_;
  bool xray_compatible_;
  size_t used_;
  uint8_t pool_[kPoolSize];
};

}  // namespace edge
