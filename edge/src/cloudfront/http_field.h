#pragma once
// HTTP field values as CloudFront hands them over. Optional whitespace (SP / HTAB) around a
// field value is not part of it (RFC 9110 section 5.5), so it is removed here, at the HTTP
// boundary, before the strict W3C parsers see the value.
#include <string_view>

namespace edge::internal {

constexpr std::string_view TrimOptionalWhitespace(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace edge::internal
