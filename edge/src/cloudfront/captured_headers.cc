#include "edge/cloudfront/captured_headers.h"

#include <cstdint>

#include "cloudfront/http_field.h"
#include "internal/ascii.h"

namespace edge::internal {
namespace {

static_assert(CapturedHeaders::kMaxNames <= 32, "Add tracks seen names in a uint32_t");

// Credentials and session cookies: never telemetry, whatever the configuration says (the config
// parser rejects them too; this holds for a Config built any other way).
constexpr std::string_view kNeverCaptured[] = {
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-amz-security-token",
};

bool IsNeverCaptured(std::string_view lowercase_name) noexcept {
  for (std::string_view name : kNeverCaptured) {
    if (lowercase_name == name) return true;
  }
  return false;
}

}  // namespace

void CapturedHeaders::Init(const std::vector<std::string>& names, std::string_view key_prefix) {
  keys_.clear();
  prefix_size_ = key_prefix.size();
  keys_.reserve(names.size() < kMaxNames ? names.size() : kMaxNames);
  for (const std::string& name : names) {
    if (keys_.size() == kMaxNames) break;
    if (name.empty()) continue;
    std::string key(key_prefix);
    for (char c : name) key.push_back(AsciiLower(c));
    const std::string_view lowercase_name = std::string_view(key).substr(prefix_size_);
    if (IsNeverCaptured(lowercase_name) || Find(lowercase_name) != kMaxNames) continue;
    keys_.push_back(std::move(key));
  }
}

size_t CapturedHeaders::Find(std::string_view name) const noexcept {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (EqualsIgnoreAsciiCase(NameOf(i), name)) return i;
  }
  return kMaxNames;
}

void CapturedHeaders::Add(std::string_view encoded, AttributeList& out) const noexcept {
  if (keys_.empty()) return;
  uint32_t seen = 0;
  while (!encoded.empty()) {
    const size_t end = encoded.find(kRecordSeparator);
    const std::string_view record = encoded.substr(0, end);
    encoded = end == std::string_view::npos ? std::string_view() : encoded.substr(end + 1);

    const size_t separator = record.find(kNameValueSeparator);
    if (separator == std::string_view::npos || separator == 0) continue;
    const std::string_view value = record.substr(separator + 1);
    // A second separator makes the split ambiguous: record nothing rather than guess.
    if (value.find(kNameValueSeparator) != std::string_view::npos) continue;
    const size_t index = Find(record.substr(0, separator));
    if (index == kMaxNames) continue;
    const uint32_t bit = uint32_t{1} << index;
    if ((seen & bit) != 0) continue;
    seen |= bit;
    out.AddString(keys_[index], TrimOptionalWhitespace(value));
  }
}

}  // namespace edge::internal
