#pragma once
// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed
// 64-bit hash with a 128-bit key, well distributed on short inputs and simple enough to carry
// here rather than pull in a dependency. Used to derive ids from CloudFront request ids
// (edge/request_ids.h); never allocates.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edge::internal {

constexpr size_t kSipHashKeySize = 16;

// The 128-bit key as the reference implementation takes it: 16 bytes, read as two
// little-endian 64-bit words k0 (bytes 0..7) and k1 (bytes 8..15).
struct SipHashKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;

  static constexpr SipHashKey FromBytes(const char (&bytes)[kSipHashKeySize + 1]) noexcept {
    SipHashKey key;
    for (size_t i = 0; i < 8; ++i) {
      key.k0 |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
      key.k1 |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    }
    return key;
  }
};

// SipHash-2-4 of `message`. The reference implementation writes this value little-endian:
// its test vectors are the bytes of the result, lowest first.
uint64_t SipHash24(const SipHashKey& key, std::string_view message) noexcept;

}  // namespace edge::internal
