#pragma once
// The IO block and arenas of ABI.md: the single place where boundary bytes are interpreted.
#include <cstdint>
#include <string_view>

#include "edge/cloudfront/header_change.h"
#include "edgetrace_abi.h"

namespace edgetrace_glue {

// CloudFront caps a whole request at 20,480 bytes; 64 KiB holds every field of any event
// plus a configuration file.
constexpr uint32_t kInputCapacity = 64 * 1024;
constexpr uint32_t kBodyCapacity = 32 * 1024;
constexpr uint32_t kSmallOutputCapacity = 2 * 1024;

struct IoBlock {
  uint32_t input_ptr;
  uint32_t input_capacity;
  uint32_t field_offset[edgetrace_abi::kInputFieldCount];
  uint32_t field_length[edgetrace_abi::kInputFieldCount];
  uint32_t output_ptr[edgetrace_abi::kOutputSlotCount];
  uint32_t output_length[edgetrace_abi::kOutputSlotCount];
  uint32_t output_action[edgetrace_abi::kOutputSlotCount];

  // A field the host described out of bounds reads as absent rather than as foreign memory.
  std::string_view Field(edgetrace_abi::InputField f, const char* arena) const noexcept {
    uint32_t off = field_offset[f];
    uint32_t len = field_length[f];
    if (len == 0 || off > input_capacity || len > input_capacity - off) return {};
    return {arena + off, len};
  }

  void ClearOutputs() noexcept {
    for (uint32_t i = 0; i < edgetrace_abi::kOutputSlotCount; ++i) {
      output_ptr[i] = 0;
      output_length[i] = 0;
      output_action[i] = 0;
    }
  }

  void SetOutput(edgetrace_abi::OutputSlot slot, std::string_view bytes) noexcept {
    output_ptr[slot] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(bytes.data()));
    output_length[slot] = static_cast<uint32_t>(bytes.size());
    output_action[slot] = static_cast<uint32_t>(edge::HeaderChange::Action::kSet);
  }

  void SetHeader(edgetrace_abi::OutputSlot slot, const edge::HeaderChange& change) noexcept {
    if (change.action == edge::HeaderChange::Action::kSet) SetOutput(slot, change.value);
    output_action[slot] = static_cast<uint32_t>(change.action);
  }
};

}  // namespace edgetrace_glue
