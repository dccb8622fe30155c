#pragma once
// RandomSource backed by the host's CSPRNG (the `edgetrace_fill_random` import).
#include "edge/random_source.h"
#include "edgetrace_abi.h"

namespace edgetrace_glue {

class HostRandomSource final : public edge::RandomSource {
 public:
  void Fill(uint8_t* out, size_t len) noexcept override {
    edgetrace_fill_random(out, static_cast<uint32_t>(len));
  }
};

}  // namespace edgetrace_glue
