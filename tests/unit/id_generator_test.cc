#include "edge/id_generator.h"

#include <doctest/doctest.h>

#include "support/fixed_random_source.h"

namespace edge {
namespace {

using testing::CountingRandomSource;
using testing::FixedRandomSource;
using testing::ZeroThenFixedRandomSource;

constexpr int64_t kNow = 0x5759e988;  // 2016-06-09, the X-Ray documentation's example epoch

TEST_CASE("IdGenerator: ids come from the random source in order") {
  CountingRandomSource source;
  IdGenerator generator(source, /*xray_compatible=*/false);
  const TraceId trace_id = generator.NewTraceId(kNow);
  const SpanId span_id = generator.NewSpanId();
  CHECK(trace_id == TraceId::FromHex("000102030405060708090a0b0c0d0e0f"));
  CHECK(span_id == SpanId::FromHex("1011121314151617"));
}

TEST_CASE("IdGenerator: the pool asks the source once per kPoolSize bytes") {
  FixedRandomSource source(0xab);
  IdGenerator generator(source, false);
  CHECK(source.fill_calls() == 0);  // lazily filled
  constexpr size_t kSpanIdsPerPool = IdGenerator::kPoolSize / SpanId::kSize;
  for (size_t i = 0; i < kSpanIdsPerPool; ++i) generator.NewSpanId();
  CHECK(source.fill_calls() == 1);
  CHECK(source.bytes_requested() == IdGenerator::kPoolSize);
  generator.NewSpanId();
  CHECK(source.fill_calls() == 2);
}

TEST_CASE("IdGenerator: an id straddling the pool boundary uses the rest of the pool") {
  CountingRandomSource source;
  IdGenerator generator(source, /*xray_compatible=*/true);
  // 12 random bytes per X-Ray trace id: the 86th id spans bytes 1020..1031 of the stream.
  constexpr size_t kRandomPerTraceId = TraceId::kSize - 4;
  constexpr size_t kWholeIds = IdGenerator::kPoolSize / kRandomPerTraceId;  // 85
  for (size_t i = 0; i < kWholeIds; ++i) generator.NewTraceId(kNow);
  const TraceId straddling = generator.NewTraceId(kNow);
  CHECK(source.fill_calls() == 2);
  // Stream bytes 1020..1023 are 0xfc..0xff, then the second fill continues with 0x00.
  CHECK(straddling == TraceId::FromHex("5759e988fcfdfeff0001020304050607"));
}

TEST_CASE("IdGenerator: xray_compatible puts big-endian epoch seconds in the first 4 bytes") {
  FixedRandomSource source(0x11);
  IdGenerator generator(source, /*xray_compatible=*/true);
  CHECK(generator.NewTraceId(kNow) == TraceId::FromHex("5759e988111111111111111111111111"));
}

TEST_CASE("IdGenerator: xray_compatible clamps epoch seconds to 32 bits") {
  FixedRandomSource source(0x11);
  IdGenerator generator(source, true);
  CHECK(generator.NewTraceId(-5) == TraceId::FromHex("00000000111111111111111111111111"));
  CHECK(generator.NewTraceId(int64_t{1} << 40) ==
        TraceId::FromHex("ffffffff111111111111111111111111"));
}

TEST_CASE("IdGenerator: without xray_compatible the epoch is not used") {
  FixedRandomSource source(0x22);
  IdGenerator generator(source, false);
  CHECK(generator.NewTraceId(kNow) == TraceId::FromHex("22222222222222222222222222222222"));
}

TEST_CASE("IdGenerator: all-zero draws are redrawn") {
  // The first fill (a whole pool of zeros) yields only invalid ids; they are skipped until the
  // pool is refilled with usable bytes.
  ZeroThenFixedRandomSource source(/*zero_fills=*/1, 0x33);
  IdGenerator generator(source, false);
  CHECK(generator.NewSpanId() == SpanId::FromHex("3333333333333333"));
  ZeroThenFixedRandomSource trace_source(1, 0x44);
  IdGenerator trace_generator(trace_source, false);
  CHECK(trace_generator.NewTraceId(kNow) == TraceId::FromHex("44444444444444444444444444444444"));
}

TEST_CASE("IdGenerator: a source stuck at zero still yields valid ids and terminates") {
  FixedRandomSource source(0);
  IdGenerator generator(source, false);
  CHECK(generator.NewSpanId().IsValid());
  CHECK(generator.NewTraceId(0).IsValid());
  IdGenerator xray(source, true);
  CHECK(xray.NewTraceId(0).IsValid());
}

}  // namespace
}  // namespace edge
