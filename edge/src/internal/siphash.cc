#include "internal/siphash.h"

namespace edge::internal {
namespace {

// SipHash-c-d with c = 2 compression rounds per message word and d = 4 finalization rounds.
constexpr int kCompressionRounds = 2;
constexpr int kFinalizationRounds = 4;
constexpr size_t kWordSize = 8;
constexpr size_t kBitsPerByte = 8;
constexpr int kLengthShift = 56;  // the message length mod 256 fills the last word's top byte

// "somepseudorandomlygeneratedbytes", the initialisation constants of the paper.
constexpr uint64_t kInit0 = 0x736f6d6570736575ULL;
constexpr uint64_t kInit1 = 0x646f72616e646f6dULL;
constexpr uint64_t kInit2 = 0x6c7967656e657261ULL;
constexpr uint64_t kInit3 = 0x7465646279746573ULL;
constexpr uint64_t kFinalizationXor = 0xff;

constexpr uint64_t RotateLeft(uint64_t x, int bits) noexcept {
  return (x << bits) | (x >> (64 - bits));
}

struct State {
  uint64_t v0, v1, v2, v3;

  void Round() noexcept {
    v0 += v1;
    v1 = RotateLeft(v1, 13);
    v1 ^= v0;
    v0 = RotateLeft(v0, 32);
    v2 += v3;
    v3 = RotateLeft(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = RotateLeft(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = RotateLeft(v1, 17);
    v1 ^= v2;
    v2 = RotateLeft(v2, 32);
  }

  void Absorb(uint64_t word) noexcept {
    v3 ^= word;
    for (int i = 0; i < kCompressionRounds; ++i) Round();
    v0 ^= word;
  }
};

// Little-endian, independent of the host's byte order.
uint64_t LoadLittleEndian(const char* p, size_t n) noexcept {
  uint64_t word = 0;
  for (size_t i = 0; i < n; ++i) {
    word |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (kBitsPerByte * i);
  }
  return word;
}

}  // namespace

uint64_t SipHash24(const SipHashKey& key, std::string_view message) noexcept {
  State s{key.k0 ^ kInit0, key.k1 ^ kInit1, key.k0 ^ kInit2, key.k1 ^ kInit3};

  const size_t full_words = message.size() / kWordSize;
  for (size_t i = 0; i < full_words; ++i) {
    s.Absorb(LoadLittleEndian(message.data() + i * kWordSize, kWordSize));
  }
  const size_t tail = message.size() % kWordSize;
  uint64_t last = LoadLittleEndian(message.data() + full_words * kWordSize, tail);
  last |= static_cast<uint64_t>(message.size()) << kLengthShift;
  s.Absorb(last);

  s.v2 ^= kFinalizationXor;
  for (int i = 0; i < kFinalizationRounds; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace edge::internal
