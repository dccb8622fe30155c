#pragma once
// Deterministic RandomSource doubles for tests: no test depends on real entropy.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "edge/random_source.h"

namespace edge {
namespace testing {

// Every byte it hands out is `value` (0 models a broken host CSPRNG).
class FixedRandomSource : public RandomSource {
 public:
  explicit FixedRandomSource(uint8_t value) noexcept : value_(value) {}
  void Fill(uint8_t* out, size_t len) noexcept override {
    std::memset(out, value_, len);
    ++fill_calls_;
    bytes_requested_ += len;
  }
  int fill_calls() const noexcept { return fill_calls_; }
  size_t bytes_requested() const noexcept { return bytes_requested_; }

 private:
  uint8_t value_;
  int fill_calls_ = 0;
  size_t bytes_requested_ = 0;
};

// Hands out 0, 1, 2, ... 255, 0, 1, ... across calls, so consecutive ids differ and the
// position of each byte in the stream is predictable.
class CountingRandomSource : public RandomSource {
 public:
  explicit CountingRandomSource(uint8_t first = 0) noexcept : next_(first) {}
  void Fill(uint8_t* out, size_t len) noexcept override {
    for (size_t i = 0; i < len; ++i) out[i] = next_++;
    ++fill_calls_;
  }
  int fill_calls() const noexcept { return fill_calls_; }

 private:
  uint8_t next_;
  int fill_calls_ = 0;
};

// Zeros for the first `zero_fills` Fill calls, then `value`: a source that recovers.
class ZeroThenFixedRandomSource : public RandomSource {
 public:
  ZeroThenFixedRandomSource(int zero_fills, uint8_t value) noexcept
      : zero_fills_(zero_fills), value_(value) {}
  void Fill(uint8_t* out, size_t len) noexcept override {
    std::memset(out, fill_calls_ < zero_fills_ ? 0 : value_, len);
    ++fill_calls_;
  }
  int fill_calls() const noexcept { return fill_calls_; }

 private:
  int zero_fills_;
  uint8_t value_;
  int fill_calls_ = 0;
};

}  // namespace testing
}  // namespace edge
