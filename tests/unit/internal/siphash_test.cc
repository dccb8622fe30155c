#include "internal/siphash.h"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "internal/hex.h"

namespace edge::internal {
namespace {

// The reference test vectors (github.com/veorq/SipHash, vectors.h `vectors_sip64`, the
// SipHash-2-4 64-bit outputs): key 00 01 .. 0f, message 00 01 .. (i-1) for i = 0..63, each
// output written as the reference implementation stores it (little-endian bytes).
constexpr std::string_view kReferenceVectors[64] = {
    "310e0edd47db6f72", "fd67dc93c539f874", "5a4fa9d909806c0d", "2d7efbd796666785",
    "b7877127e09427cf", "8da699cd64557618", "cee3fe586e46c9cb", "37d1018bf50002ab",
    "6224939a79f5f593", "b0e4a90bdf82009e", "f3b9dd94c5bb5d7a", "a7ad6b22462fb3f4",
    "fbe50e86bc8f1e75", "903d84c02756ea14", "eef27a8e90ca23f7", "e545be4961ca29a1",
    "db9bc2577fcc2a3f", "9447be2cf5e99a69", "9cd38d96f0b3c14b", "bd6179a71dc96dbb",
    "98eea21af25cd6be", "c7673b2eb0cbf2d0", "883ea3e395675393", "c8ce5ccd8c030ca8",
    "94af49f6c650adb8", "eab8858ade92e1bc", "f315bb5bb835d817", "adcf6b0763612e2f",
    "a5c91da7acaa4dde", "716595876650a2a6", "28ef495c53a387ad", "42c341d8fa92d832",
    "ce7cf2722f512771", "e37859f94623f3a7", "381205bb1ab0e012", "ae97a10fd434e015",
    "b4a31508beff4d31", "81396229f0907902", "4d0cf49ee5d4dcca", "5c73336a76d8bf9a",
    "d0a704536ba93e0e", "925958fcd6420cad", "a915c29bc8067318", "952b79f3bc0aa6d4",
    "f21df2e41d4535f9", "87577519048f53a9", "10a56cf5dfcd9adb", "eb75095ccd986cd0",
    "51a9cb9ecba312e6", "96afadfc2ce666c7", "72fe52975a4364ee", "5a1645b276d592a1",
    "b274cb8ebf87870a", "6f9bb4203de7b381", "eaecb2a30b22a87f", "9924a43cc1315724",
    "bd838d3aafbf8db7", "0b1a2a3265d51aea", "135079a3231ce660", "932b2846e4d70666",
    "e1915f5cb1eca46c", "f325965ca16d629f", "575ff28e60381be5", "724506eb4c328a95",
};

// k0 = bytes 00..07, k1 = bytes 08..0f, little-endian.
constexpr SipHashKey kReferenceKey{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};

std::string ReferenceMessage(size_t size) {
  std::string message;
  for (size_t i = 0; i < size; ++i) message += static_cast<char>(i);
  return message;
}

std::string LittleEndianHex(uint64_t value) {
  uint8_t bytes[8];
  for (size_t i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(value >> (8 * i));
  char hex[16];
  EncodeHex(bytes, sizeof(bytes), hex);
  return std::string(hex, sizeof(hex));
}

TEST_CASE("siphash: the paper's worked example (Appendix A)") {
  // Key 00..0f, the 15-byte message 00..0e: "SipHash-2-4 returns a129ca6149be45e5".
  CHECK(SipHash24(kReferenceKey, ReferenceMessage(15)) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("siphash: all 64 reference vectors (messages of 0..63 bytes, every tail length)") {
  for (size_t size = 0; size < 64; ++size) {
    CAPTURE(size);
    CHECK(LittleEndianHex(SipHash24(kReferenceKey, ReferenceMessage(size))) ==
          kReferenceVectors[size]);
  }
}

TEST_CASE("siphash: the key is read little-endian from 16 bytes") {
  constexpr SipHashKey from_bytes =
      SipHashKey::FromBytes("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f");
  CHECK(from_bytes.k0 == kReferenceKey.k0);
  CHECK(from_bytes.k1 == kReferenceKey.k1);
  constexpr SipHashKey high_bytes = SipHashKey::FromBytes(
      "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"
      "\x80\x81\x82\x83\x84\x85\x86\x87");
  CHECK(high_bytes.k0 == 0xf8f9fafbfcfdfeffULL);
  CHECK(high_bytes.k1 == 0x8786858483828180ULL);
}

TEST_CASE("siphash: the key matters, and so does every message byte") {
  const std::string message = ReferenceMessage(20);
  const uint64_t base = SipHash24(kReferenceKey, message);
  CHECK(SipHash24({kReferenceKey.k0 ^ 1, kReferenceKey.k1}, message) != base);
  CHECK(SipHash24({kReferenceKey.k0, kReferenceKey.k1 ^ (1ULL << 63)}, message) != base);
  for (size_t i = 0; i < message.size(); ++i) {
    std::string flipped = message;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x80);
    CAPTURE(i);
    CHECK(SipHash24(kReferenceKey, flipped) != base);
  }
  // The length is part of the input: a trailing zero byte is not ignored.
  CHECK(SipHash24(kReferenceKey, std::string_view("\0", 1)) !=
        SipHash24(kReferenceKey, std::string_view()));
}

}  // namespace
}  // namespace edge::internal
