#pragma once
// `sampling.rules` matching: which configured rule (if any) applies to a request. Every check
// is allocation-free and linear or O(pattern * text) at worst, because the host, path and
// method come from the client.
#include <string_view>

#include "edge/config.h"

namespace edge {

// Glob over the whole text: `*` matches any run of characters (empty, and '/' included), `?`
// exactly one character (one byte), anything else itself (case-sensitive). There is no
// escaping and no character classes. Iterative, backtracking only to the last `*`: O(n * m)
// at worst, no recursion.
bool GlobMatch(std::string_view pattern, std::string_view text) noexcept;

// Host rule match. `host` is the Host header value; a ":port" suffix (also after a bracketed
// IPv6 literal) and one trailing '.' (the FQDN spelling) are ignored. `pattern` is either an
// exact host, compared ASCII case-insensitively, or "*.example.com", which matches every
// subdomain (a.example.com, a.b.example.com) but not example.com itself. Any other '*' is an
// ordinary character.
bool HostMatches(std::string_view pattern, std::string_view host) noexcept;

// True when every non-empty field of `rule` matches: host as HostMatches, path as GlobMatch
// over the URI path (CloudFront's `uri`, which never carries the query string), method exactly
// (HTTP methods are case-sensitive; the config stores them uppercase).
bool MatchesRule(const SamplingRule& rule, std::string_view host, std::string_view path,
                 std::string_view method) noexcept;

}  // namespace edge
