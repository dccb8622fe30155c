#pragma once
// `sampling.maxPerSecond`: a token bucket per sandbox. It holds at most one second's worth of
// tokens (the burst), starts full, and refills continuously from the elapsed time.
//
// All arithmetic is in integers: a token is kNanoTokensPerToken nano-tokens and the bucket
// gains exactly max_per_second nano-tokens per elapsed nanosecond, so nothing is rounded and
// a long-running sandbox does not drift.
#include <cstdint>

namespace edge {

class RateLimiter {
 public:
  static constexpr int64_t kNanoTokensPerToken = 1'000'000'000;  // one token per 1e9 ns at 1/s
  static constexpr int64_t kWindowNanos = 1'000'000'000;         // the bucket holds 1 s

  // max_per_second <= 0: unlimited (the config's 0; negative values are rejected there).
  explicit RateLimiter(int max_per_second) noexcept;

  // Takes one token if there is one. `now_unix_nano` should not go backwards, but may:
  // - a step back within kWindowNanos (clock jitter) refills nothing and does not move the
  //   bucket's clock, so time re-covered after it is not counted twice;
  // - a larger step back (the clock was reset) refills nothing either, and the bucket's clock
  //   restarts there, so the limiter keeps working instead of waiting for the old time.
  bool TryAcquire(int64_t now_unix_nano) noexcept;

  bool unlimited() const noexcept { return rate_ == 0; }

 private:
  int64_t rate_;          // tokens per second = nano-tokens per nanosecond; 0 = unlimited
  int64_t capacity_;      // nano-tokens
  int64_t nano_tokens_;   // nano-tokens available, 0..capacity_
  int64_t last_nanos_;    // the time of the last refill
  bool started_ = false;  // last_nanos_ is set
};

}  // namespace edge
