#include "edge/sampling/rate_limiter.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

namespace edge {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMillisecond = 1'000'000;
constexpr int64_t kStart = 1'700'000'000 * kSecond;  // a realistic Unix time

int Acquired(RateLimiter& limiter, int64_t now, int attempts) {
  int n = 0;
  for (int i = 0; i < attempts; ++i) n += limiter.TryAcquire(now) ? 1 : 0;
  return n;
}

TEST_CASE("RateLimiter: 0 means unlimited") {
  RateLimiter limiter(0);
  CHECK(limiter.unlimited());
  CHECK(Acquired(limiter, kStart, 100000) == 100000);
  CHECK(limiter.TryAcquire(0));
  CHECK(limiter.TryAcquire(-1));
}

TEST_CASE("RateLimiter: a negative limit is treated as unlimited, like 0") {
  RateLimiter limiter(-5);
  CHECK(limiter.unlimited());
  CHECK(Acquired(limiter, kStart, 1000) == 1000);
}

TEST_CASE("RateLimiter: starts full, with a burst of max_per_second") {
  RateLimiter limiter(100);
  CHECK_FALSE(limiter.unlimited());
  CHECK(Acquired(limiter, kStart, 1000) == 100);
}

TEST_CASE("RateLimiter: refills continuously from the elapsed time") {
  RateLimiter limiter(100);  // one token per 10 ms
  CHECK(Acquired(limiter, kStart, 100) == 100);
  CHECK_FALSE(limiter.TryAcquire(kStart));
  CHECK_FALSE(limiter.TryAcquire(kStart + 9 * kMillisecond));
  CHECK(limiter.TryAcquire(kStart + 10 * kMillisecond));
  CHECK_FALSE(limiter.TryAcquire(kStart + 10 * kMillisecond));
  CHECK(Acquired(limiter, kStart + 60 * kMillisecond, 100) == 5);
}

TEST_CASE("RateLimiter: partial tokens are kept across calls, not rounded away") {
  RateLimiter limiter(3);  // one token per 333.33... ms
  CHECK(Acquired(limiter, kStart, 3) == 3);
  int64_t now = kStart;
  int acquired = 0;
  // 1 ms steps: each one alone is 0.003 tokens.
  for (int i = 0; i < 1000; ++i) {
    now += kMillisecond;
    acquired += limiter.TryAcquire(now) ? 1 : 0;
  }
  CHECK(acquired == 3);
}

TEST_CASE("RateLimiter: the bucket never holds more than one second's worth") {
  RateLimiter limiter(10);
  CHECK(Acquired(limiter, kStart, 10) == 10);
  CHECK(Acquired(limiter, kStart + 3600 * kSecond, 100) == 10);
}

TEST_CASE("RateLimiter: time going backwards a little mints nothing") {
  RateLimiter limiter(10);
  CHECK(Acquired(limiter, kStart, 10) == 10);
  CHECK(Acquired(limiter, kStart - 500 * kMillisecond, 10) == 0);
  CHECK(Acquired(limiter, kStart - 1, 10) == 0);
  // The time between the step back and the high-water mark is not counted again.
  CHECK(Acquired(limiter, kStart, 10) == 0);
  CHECK(Acquired(limiter, kStart + 100 * kMillisecond, 10) == 1);
}

TEST_CASE("RateLimiter: jitter back and forth does not mint tokens") {
  RateLimiter limiter(10);
  CHECK(Acquired(limiter, kStart, 10) == 10);
  int acquired = 0;
  for (int i = 0; i < 10000; ++i) {
    acquired += limiter.TryAcquire(kStart - 900 * kMillisecond) ? 1 : 0;
    acquired += limiter.TryAcquire(kStart) ? 1 : 0;
  }
  CHECK(acquired == 0);
}

TEST_CASE("RateLimiter: after a clock reset it mints nothing, then works from the new time") {
  RateLimiter limiter(10);
  CHECK(Acquired(limiter, kStart, 10) == 10);
  const int64_t reset = kStart - 3600 * kSecond;
  CHECK(Acquired(limiter, reset, 10) == 0);
  CHECK(Acquired(limiter, reset + 100 * kMillisecond, 10) == 1);
  CHECK(Acquired(limiter, reset + 1100 * kMillisecond, 100) == 10);
}

TEST_CASE("RateLimiter: extreme timestamps neither overflow nor break it") {
  RateLimiter limiter(std::numeric_limits<int>::max());
  CHECK(limiter.TryAcquire(std::numeric_limits<int64_t>::min()));
  CHECK(limiter.TryAcquire(std::numeric_limits<int64_t>::max()));
  CHECK(limiter.TryAcquire(std::numeric_limits<int64_t>::min()));
  CHECK(limiter.TryAcquire(0));

  RateLimiter small(1);
  CHECK(small.TryAcquire(std::numeric_limits<int64_t>::min()));
  CHECK_FALSE(small.TryAcquire(std::numeric_limits<int64_t>::min()));
  CHECK(small.TryAcquire(std::numeric_limits<int64_t>::max()));  // far later: full again
  CHECK_FALSE(small.TryAcquire(std::numeric_limits<int64_t>::max()));
}

TEST_CASE("RateLimiter: the first call may come at any time, 0 and negative included") {
  RateLimiter at_zero(2);
  CHECK(Acquired(at_zero, 0, 5) == 2);
  RateLimiter negative(2);
  CHECK(Acquired(negative, -kSecond, 5) == 2);
  CHECK(Acquired(negative, 0, 5) == 2);
}

TEST_CASE("RateLimiter: 1e6 calls at 1 kHz at 100/s admit 100 per second, without drift") {
  RateLimiter limiter(100);
  int64_t now = kStart;
  int per_second = 0;
  int64_t total = 0;
  int worst_deviation = 0;
  for (int i = 1; i <= 1'000'000; ++i) {
    if (limiter.TryAcquire(now)) ++per_second;
    now += kMillisecond;
    if (i % 1000 == 0) {
      const int second = i / 1000;
      if (second == 1) {
        CHECK(per_second == 199);  // the burst plus the refill of 0.999 s (99.9 tokens)
      } else {
        const int deviation = per_second > 100 ? per_second - 100 : 100 - per_second;
        if (deviation > worst_deviation) worst_deviation = deviation;
      }
      total += per_second;
      per_second = 0;
    }
  }
  CHECK(worst_deviation <= 1);
  // The last call is at 999.999 s: the burst plus floor(99,999.9) refilled tokens, exactly.
  CHECK(total == 100 + 99'999);
}

TEST_CASE("RateLimiter: an odd rate stays exact over a long run (no floating drift)") {
  RateLimiter limiter(7);  // 1/7 s per token: not representable in decimal or binary
  CHECK(Acquired(limiter, kStart, 7) == 7);
  int64_t now = kStart;
  int64_t acquired = 0;
  // One day in 3 ms steps.
  const int64_t steps = 86400 * 1000 / 3;
  for (int64_t i = 0; i < steps; ++i) {
    now += 3 * kMillisecond;
    acquired += limiter.TryAcquire(now) ? 1 : 0;
  }
  const int64_t elapsed_seconds_times_7 = (steps * 3 * kMillisecond) * 7 / kSecond;
  CHECK(acquired == elapsed_seconds_times_7);
}

}  // namespace
}  // namespace edge
