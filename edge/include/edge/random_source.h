#pragma once
// Where random bytes come from. In the Wasm build this is the host's CSPRNG
// (crypto.randomFillSync, via the wasm-glue import); tests use a fixed source.
#include <cstddef>
#include <cstdint>

namespace edge {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void Fill(uint8_t* out, size_t len) noexcept = 0;
};

}  // namespace edge
