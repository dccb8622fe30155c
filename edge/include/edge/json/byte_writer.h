#pragma once
// Append-only writer over a caller-owned, fixed-capacity buffer. Never allocates. Once an
// append does not fit, the writer is marked overflowed, later appends are ignored and the
// caller discards the output (Status::kOutputFull).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace edge {

class ByteWriter {
 public:
  ByteWriter(char* buffer, size_t capacity) noexcept : buf_(buffer), cap_(capacity) {}

  void Append(std::string_view s) noexcept {
    if (!Reserve(s.size())) return;
    std::memcpy(buf_ + len_, s.data(), s.size());
    len_ += s.size();
  }
  void Append(char c) noexcept {
    if (!Reserve(1)) return;
    buf_[len_++] = c;
  }
  // Returns a pointer to n writable bytes and commits them, or nullptr on overflow.
  char* Extend(size_t n) noexcept {
    if (!Reserve(n)) return nullptr;
    char* p = buf_ + len_;
    len_ += n;
    return p;
  }
  void AppendUint(uint64_t v) noexcept;
  void AppendInt(int64_t v) noexcept;

  size_t size() const noexcept { return len_; }
  bool overflowed() const noexcept { return overflow_; }
  std::string_view view() const noexcept { return {buf_, len_}; }
  void Truncate(size_t n) noexcept {
    if (n < len_) len_ = n;
  }

 private:
  bool Reserve(size_t n) noexcept {
    if (overflow_ || n > cap_ - len_) {
      overflow_ = true;
      return false;
    }
    return true;
  }
  char* buf_;
  size_t cap_;
  size_t len_ = 0;
  bool overflow_ = false;
};

}  // namespace edge
