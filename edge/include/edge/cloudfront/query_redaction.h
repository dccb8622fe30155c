#pragma once
// url.query must not leak credentials: CloudFront signed-URL parameters (Signature, Policy,
// Key-Pair-Id), S3 presigned-URL parameters (X-Amz-Signature, X-Amz-Credential,
// X-Amz-Security-Token, AWSAccessKeyId) and the other names the semantic conventions list
// (sig, X-Goog-Signature) keep their names but their values become "REDACTED".
#include <cstddef>
#include <string_view>

namespace edge {

// Writes the redacted query into out (at most capacity bytes; a query that does not fit is
// cut at a parameter boundary). Returns the length written.
size_t RedactQuery(std::string_view query, char* out, size_t capacity) noexcept;

}  // namespace edge
