#include "edge/sampling/sampling_rules.h"

#include <cstddef>

#include "internal/ascii.h"

namespace edge {
namespace {

using internal::EqualsIgnoreAsciiCase;

constexpr char kAnyRun = '*';
constexpr char kAnyOne = '?';
constexpr std::string_view kSubdomainWildcard = "*.";

// "example.com:443" -> "example.com"; "[2001:db8::1]:443" -> "[2001:db8::1]"; "example.com."
// -> "example.com".
std::string_view HostWithoutPort(std::string_view host) noexcept {
  if (!host.empty() && host.front() == '[') {
    const size_t close = host.find(']');
    if (close != std::string_view::npos) return host.substr(0, close + 1);
    return host;  // malformed: compared as given, so it matches only itself
  }
  host = host.substr(0, host.find(':'));
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  return host;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) noexcept {
  size_t p = 0;
  size_t t = 0;
  // Where to resume after a mismatch: just past the last '*' seen, with that star having
  // swallowed one more text character. Going back to an earlier star is never needed: the
  // last star can absorb anything an earlier one could.
  size_t star = std::string_view::npos;
  size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == kAnyRun) {
      star = ++p;
      star_text = t;
    } else if (p < pattern.size() && (pattern[p] == kAnyOne || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == kAnyRun) ++p;
  return p == pattern.size();
}

bool HostMatches(std::string_view pattern, std::string_view host) noexcept {
  host = HostWithoutPort(host);
  if (pattern.substr(0, kSubdomainWildcard.size()) == kSubdomainWildcard) {
    const std::string_view dot_suffix = pattern.substr(1);  // ".example.com"
    // At least one character before the dot: "*.example.com" is not "example.com".
    return host.size() > dot_suffix.size() &&
           EqualsIgnoreAsciiCase(host.substr(host.size() - dot_suffix.size()), dot_suffix);
  }
  return EqualsIgnoreAsciiCase(pattern, host);
}

bool MatchesRule(const SamplingRule& rule, std::string_view host, std::string_view path,
                 std::string_view method) noexcept {
  if (!rule.method.empty() && rule.method != method) return false;
  if (!rule.host.empty() && !HostMatches(rule.host, host)) return false;
  if (!rule.path.empty() && !GlobMatch(rule.path, path)) return false;
  return true;
}

}  // namespace edge
