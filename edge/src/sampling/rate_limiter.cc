#include "edge/sampling/rate_limiter.h"

namespace edge {

RateLimiter::RateLimiter(int max_per_second) noexcept
    : rate_(max_per_second > 0 ? max_per_second : 0),
      capacity_(rate_ * kNanoTokensPerToken),  // <= INT_MAX * 1e9 < 2^63 / 4
      nano_tokens_(capacity_),
      last_nanos_(0) {}

bool RateLimiter::TryAcquire(int64_t now_unix_nano) noexcept {
  if (rate_ == 0) return true;
  if (!started_) {
    started_ = true;
    last_nanos_ = now_unix_nano;
  } else if (now_unix_nano >= last_nanos_) {
    // Unsigned: the difference of two int64 can exceed INT64_MAX. Past one window the bucket
    // is full whatever the exact time, and the cap keeps rate_ * elapsed below 2^63.
    const uint64_t elapsed =
        static_cast<uint64_t>(now_unix_nano) - static_cast<uint64_t>(last_nanos_);
    const int64_t refill_nanos = elapsed >= static_cast<uint64_t>(kWindowNanos)
                                     ? kWindowNanos
                                     : static_cast<int64_t>(elapsed);
    nano_tokens_ += rate_ * refill_nanos;
    if (nano_tokens_ > capacity_) nano_tokens_ = capacity_;
    last_nanos_ = now_unix_nano;
  } else if (static_cast<uint64_t>(last_nanos_) - static_cast<uint64_t>(now_unix_nano) >
             static_cast<uint64_t>(kWindowNanos)) {
    last_nanos_ = now_unix_nano;  // clock reset: restart from here, with what is left
  }
  if (nano_tokens_ < kNanoTokensPerToken) return false;
  nano_tokens_ -= kNanoTokensPerToken;
  return true;
}

}  // namespace edge
