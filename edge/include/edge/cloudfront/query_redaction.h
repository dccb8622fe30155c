#pragma once
// url.query must not leak credentials: CloudFront signed-URL parameters (Signature, Policy,
// Key-Pair-Id), S3 presigned-URL parameters (X-Amz-Signature, X-Amz-Credential,
// X-Amz-Security-Token, AWSAccessKeyId) and the other names the semantic conventions list
// (sig, X-Goog-Signature) keep their names but their values become "REDACTED".
//
// Parameter names are compared byte for byte, as they appear in the query: case-sensitively
// and without percent-decoding ("signature" and "%53ignature" are not "Signature"). The
// configured extra keys (`redact_query_keys`) are matched the same way; an empty extra key
// matches nothing.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace edge {

// Writes the redacted query into out (at most capacity bytes; a query that does not fit is
// cut at a parameter boundary). Returns the length written.
size_t RedactQuery(std::string_view query, char* out, size_t capacity) noexcept;

// The same, also redacting the parameters named in extra_keys (Config::redact_query_keys).
size_t RedactQuery(std::string_view query, const std::vector<std::string>& extra_keys, char* out,
                   size_t capacity) noexcept;

}  // namespace edge
