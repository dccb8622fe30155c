// CapturedHeaders::Add on arbitrary bytes (the JS host's encoding of client-controlled headers):
// never crashes, records only allowlisted names, each at most once, with values that are
// trimmed views into the input holding no separator, and never a credential.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cloudfront/captured_headers.h"
#include "fuzz_check.h"

namespace {

const edge::internal::CapturedHeaders& Capture() {
  static const edge::internal::CapturedHeaders* capture = [] {
    auto* c = new edge::internal::CapturedHeaders();
    // Credentials included on purpose: Init must drop them.
    c->Init({"accept", "X-Request-Id", "a", "authorization", "cookie", "set-cookie", "accept"},
            edge::internal::kRequestHeaderKeyPrefix);
    return c;
  }();
  return *capture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const edge::internal::CapturedHeaders& capture = Capture();
  FUZZ_CHECK(capture.size() == 3);
  const std::string_view encoded(reinterpret_cast<const char*>(data), size);
  edge::AttributeList attrs;
  capture.Add(encoded, attrs);
  FUZZ_CHECK(attrs.size() <= capture.size());
  for (size_t i = 0; i < attrs.size(); ++i) {
    const edge::Attribute& a = attrs.at(i);
    FUZZ_CHECK(a.type == edge::AttributeType::kString);
    bool allowlisted = false;
    for (size_t k = 0; k < capture.size(); ++k) {
      allowlisted = allowlisted || (a.key.data() == capture.key(k).data());
    }
    FUZZ_CHECK(allowlisted);
    for (size_t j = 0; j < i; ++j) FUZZ_CHECK(attrs.at(j).key != a.key);
    const std::string_view v = a.string_value;
    FUZZ_CHECK(v.empty() || (v.data() >= encoded.data() &&
                             v.data() + v.size() <= encoded.data() + encoded.size()));
    FUZZ_CHECK(v.find('\x1e') == std::string_view::npos);
    FUZZ_CHECK(v.find('\x1f') == std::string_view::npos);
    FUZZ_CHECK(v.empty() || (v.front() != ' ' && v.front() != '\t'));
    FUZZ_CHECK(v.empty() || (v.back() != ' ' && v.back() != '\t'));
  }
  return 0;
}
