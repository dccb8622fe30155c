// GlobMatch and HostMatches on arbitrary bytes (the path and Host header are client-controlled).
// Input: pattern, a 0x00 byte, text. GlobMatch must agree with a dynamic-programming reference
// and stay O(pattern * text); HostMatches must not crash and must ignore ASCII case.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/sampling/sampling_rules.h"
#include "fuzz_check.h"

namespace {

constexpr size_t kMaxReferenceSize = 256;  // keeps the O(n * m) reference quick

bool ReferenceGlob(std::string_view pattern, std::string_view text) {
  std::vector<char> previous(text.size() + 1, 0);
  std::vector<char> current(text.size() + 1, 0);
  previous[0] = 1;  // the empty pattern matches the empty text
  for (char p : pattern) {
    current[0] = p == '*' && previous[0];
    for (size_t j = 1; j <= text.size(); ++j) {
      current[j] = p == '*' ? (previous[j] || current[j - 1])
                            : (previous[j - 1] && (p == '?' || p == text[j - 1]));
    }
    previous.swap(current);
  }
  return previous[text.size()] != 0;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  const std::string_view pattern = input.substr(0, split);
  const std::string_view text =
      split == std::string_view::npos ? std::string_view() : input.substr(split + 1);

  const bool matched = edge::GlobMatch(pattern, text);
  if (pattern.size() <= kMaxReferenceSize && text.size() <= kMaxReferenceSize) {
    FUZZ_CHECK(matched == ReferenceGlob(pattern, text));
  }
  // Any text without wildcards matches itself; "*" matches everything.
  if (text.find_first_of("*?") == std::string_view::npos) FUZZ_CHECK(edge::GlobMatch(text, text));
  FUZZ_CHECK(edge::GlobMatch("*", text));

  const bool host_matched = edge::HostMatches(pattern, text);
  FUZZ_CHECK(host_matched == edge::HostMatches(pattern, Upper(text)));
  FUZZ_CHECK(host_matched == edge::HostMatches(Upper(pattern), text));
  return 0;
}
