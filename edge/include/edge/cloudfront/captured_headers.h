#pragma once
// `capture.requestHeaders` / `capture.responseHeaders`: allowlisted HTTP headers recorded as
// http.request.header.<name> / http.response.header.<name> (HTTP semantic conventions).
//
// The JS host passes the headers as one field:
//   name 0x1f value 0x1e name 0x1f value ...
// (names lowercase, a repeated header's values joined with ","). The field is untrusted: only
// allowlisted names are recorded, each at most once (the first record wins); malformed records
// (no 0x1f, more than one 0x1f, empty name) are skipped. Credentials are never recorded, even
// when configured: authorization, proxy-authorization, cookie, set-cookie and
// x-amz-security-token are dropped from the allowlist.
//
// The attribute keys must outlive the spans, so they are built once per configuration (Init)
// and Add only points at them: Add never allocates.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "edge/span.h"

namespace edge::internal {

constexpr std::string_view kRequestHeaderKeyPrefix = "http.request.header.";
constexpr std::string_view kResponseHeaderKeyPrefix = "http.response.header.";

class CapturedHeaders {
 public:
  static constexpr size_t kMaxNames = 32;  // more would not fit in an AttributeList anyway
  static constexpr char kNameValueSeparator = '\x1f';  // ASCII unit separator
  static constexpr char kRecordSeparator = '\x1e';     // ASCII record separator

  CapturedHeaders() = default;
  // Spans point at the keys, which live in this object's vector elements: a move keeps them
  // where they are (the vector hands over its buffer), a copy would not, so there is none.
  CapturedHeaders(const CapturedHeaders&) = delete;
  CapturedHeaders& operator=(const CapturedHeaders&) = delete;
  CapturedHeaders(CapturedHeaders&&) noexcept = default;
  CapturedHeaders& operator=(CapturedHeaders&&) noexcept = default;

  // names: the configured header names, matched ASCII case-insensitively (keys use the
  // lowercase spelling). Empty, repeated and credential names are dropped, and names past
  // kMaxNames. key_prefix: kRequestHeaderKeyPrefix or kResponseHeaderKeyPrefix. May be called
  // again to reconfigure (not while spans point at the old keys).
  void Init(const std::vector<std::string>& names, std::string_view key_prefix);

  // Adds one string attribute per allowlisted header found in `encoded`, in input order. The
  // values are views into `encoded` (optional whitespace around them trimmed), so it must
  // outlive the span, like every other request field.
  void Add(std::string_view encoded, AttributeList& out) const noexcept;

  size_t size() const noexcept { return keys_.size(); }
  bool empty() const noexcept { return keys_.empty(); }
  std::string_view key(size_t i) const noexcept { return keys_[i]; }

 private:
  std::string_view NameOf(size_t i) const noexcept {
    return std::string_view(keys_[i]).substr(prefix_size_);
  }
  // The allowlist index of `name`, or kMaxNames when it is not allowlisted.
  size_t Find(std::string_view name) const noexcept;

  std::vector<std::string> keys_;  // key_prefix + lowercase name
  size_t prefix_size_ = 0;
};

}  // namespace edge::internal
