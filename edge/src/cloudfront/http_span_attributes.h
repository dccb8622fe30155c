#pragma once
// Span name and attributes of an edge span, from the request fields (stable HTTP semantic
// conventions, FaaS conventions, and edgetrace's documented aws.cloudfront.* namespace).
#include <string_view>

#include "edge/cloudfront/request_fields.h"
#include "edge/span.h"

namespace edge::internal {

// "GET", "POST", ...; "HTTP" for methods outside the semantic conventions' list (their
// http.request.method is "_OTHER"), so an attacker cannot blow up span-name cardinality.
std::string_view SpanName(std::string_view method) noexcept;

// Adds request attributes. `redacted_query` is the already redacted query string.
void AddRequestAttributes(const RequestFields& in, std::string_view event_type,
                          std::string_view redacted_query, AttributeList& attrs) noexcept;

}  // namespace edge::internal
