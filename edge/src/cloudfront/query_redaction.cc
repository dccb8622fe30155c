#include "edge/cloudfront/query_redaction.h"

#include <cstring>

namespace edge {
namespace {

constexpr std::string_view kRedacted = "REDACTED";
// CloudFront signed URLs, S3 presigned URLs (SigV4 and the legacy SigV2 AWSAccessKeyId), and
// the semantic conventions' url.query list (AWSAccessKeyId, Signature, sig, X-Goog-Signature).
constexpr std::string_view kSecretParameters[] = {
    "Signature",        "Policy",
    "Key-Pair-Id",      "X-Amz-Signature",
    "X-Amz-Credential", "X-Amz-Security-Token",
    "AWSAccessKeyId",   "sig",
    "X-Goog-Signature",
};

bool IsSecret(std::string_view name, const std::string* extra, size_t extra_count) noexcept {
  for (std::string_view s : kSecretParameters)
    if (name == s) return true;
  for (size_t i = 0; i < extra_count; ++i)
    if (!extra[i].empty() && name == extra[i]) return true;
  return false;
}

size_t Redact(std::string_view query, const std::string* extra, size_t extra_count, char* out,
              size_t capacity) noexcept {
  size_t len = 0;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view param = query.substr(pos, end - pos);
    size_t eq = param.find('=');
    std::string_view name = param.substr(0, eq);
    bool secret = eq != std::string_view::npos && IsSecret(name, extra, extra_count);
    size_t need = (len > 0 ? 1 : 0) + (secret ? eq + 1 + kRedacted.size() : param.size());
    if (need > capacity - len) break;
    if (len > 0) out[len++] = '&';
    if (secret) {
      std::memcpy(out + len, param.data(), eq + 1);
      len += eq + 1;
      std::memcpy(out + len, kRedacted.data(), kRedacted.size());
      len += kRedacted.size();
    } else if (!param.empty()) {
      std::memcpy(out + len, param.data(), param.size());
      len += param.size();
    }
    pos = end + 1;
  }
  return len;
}

}  // namespace

size_t RedactQuery(std::string_view query, char* out, size_t capacity) noexcept {
  return Redact(query, nullptr, 0, out, capacity);
}

size_t RedactQuery(std::string_view query, const std::vector<std::string>& extra_keys, char* out,
                   size_t capacity) noexcept {
  return Redact(query, extra_keys.data(), extra_keys.size(), out, capacity);
}

}  // namespace edge
