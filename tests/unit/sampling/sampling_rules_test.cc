#include "edge/sampling/sampling_rules.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

namespace edge {
namespace {

SamplingRule Rule(std::string host, std::string path, std::string method, double ratio = 1.0) {
  SamplingRule rule;
  rule.host = std::move(host);
  rule.path = std::move(path);
  rule.method = std::move(method);
  rule.ratio = ratio;
  return rule;
}

// The textbook dynamic-programming glob: obviously correct, O(n * m) memory. The reference
// for the iterative matcher.
bool ReferenceGlob(const std::string& pattern, const std::string& text) {
  // match[i][j]: pattern[0, i) matches text[0, j).
  std::vector<std::vector<bool>> match(pattern.size() + 1,
                                       std::vector<bool>(text.size() + 1, false));
  match[0][0] = true;
  for (size_t i = 1; i <= pattern.size(); ++i) {
    const char p = pattern[i - 1];
    for (size_t j = 0; j <= text.size(); ++j) {
      if (p == '*') {
        match[i][j] = match[i - 1][j] || (j > 0 && match[i][j - 1]);
      } else {
        match[i][j] = j > 0 && match[i - 1][j - 1] && (p == '?' || p == text[j - 1]);
      }
    }
  }
  return match[pattern.size()][text.size()];
}

// Every string of length 0..max_length over `alphabet`.
std::vector<std::string> AllStrings(const std::string& alphabet, size_t max_length) {
  std::vector<std::string> out{""};
  for (size_t begin = 0, length = 1; length <= max_length; ++length) {
    const size_t end = out.size();
    for (size_t i = begin; i < end; ++i) {
      for (char c : alphabet) out.push_back(out[i] + c);
    }
    begin = end;
  }
  return out;
}

// --- GlobMatch ---

TEST_CASE("GlobMatch: agrees with the reference on every small pattern and text") {
  const std::vector<std::string> patterns = AllStrings("ab*?", 5);
  const std::vector<std::string> texts = AllStrings("ab", 7);
  size_t disagreements = 0;
  std::string first;
  for (const std::string& pattern : patterns) {
    for (const std::string& text : texts) {
      if (GlobMatch(pattern, text) != ReferenceGlob(pattern, text)) {
        if (disagreements++ == 0) first = "pattern=" + pattern + " text=" + text;
      }
    }
  }
  CAPTURE(first);
  CHECK(disagreements == 0);
  CHECK(patterns.size() == 1365);
}

TEST_CASE("GlobMatch: literal patterns match only themselves, case-sensitively") {
  CHECK(GlobMatch("/health", "/health"));
  CHECK_FALSE(GlobMatch("/health", "/healthz"));
  CHECK_FALSE(GlobMatch("/health", "/healt"));
  CHECK_FALSE(GlobMatch("/health", "/Health"));
  CHECK_FALSE(GlobMatch("/health", ""));
}

TEST_CASE("GlobMatch: the empty pattern matches only the empty text") {
  CHECK(GlobMatch("", ""));
  CHECK_FALSE(GlobMatch("", "a"));
  CHECK_FALSE(GlobMatch("", "/"));
}

TEST_CASE("GlobMatch: '*' alone matches everything, the empty text included") {
  CHECK(GlobMatch("*", ""));
  CHECK(GlobMatch("*", "a"));
  CHECK(GlobMatch("*", "/a/b/c?x=1"));
}

TEST_CASE("GlobMatch: consecutive stars act as one") {
  CHECK(GlobMatch("**", ""));
  CHECK(GlobMatch("***", "abc"));
  CHECK(GlobMatch("/a/**/z", "/a/b/c/z"));
  CHECK(GlobMatch("/a/**/z", "/a//z"));
  CHECK_FALSE(GlobMatch("/a/**/z", "/a/z"));
  CHECK(GlobMatch("a**b", "ab"));
}

TEST_CASE("GlobMatch: '*' crosses '/' and matches the empty run") {
  CHECK(GlobMatch("/api/*", "/api/"));
  CHECK(GlobMatch("/api/*", "/api/v1/users/42"));
  CHECK_FALSE(GlobMatch("/api/*", "/api"));
  CHECK(GlobMatch("*.jpg", "/img/a/b.jpg"));
  CHECK(GlobMatch("*.jpg", ".jpg"));
  CHECK_FALSE(GlobMatch("*.jpg", "/img/a/b.jpeg"));
  CHECK(GlobMatch("/static/*/logo.png", "/static/v2/a/logo.png"));
}

TEST_CASE("GlobMatch: '?' matches exactly one character, '/' included") {
  CHECK(GlobMatch("/v?/x", "/v1/x"));
  CHECK(GlobMatch("/v?/x", "/v//x"));
  CHECK_FALSE(GlobMatch("/v?/x", "/v/x"));
  CHECK_FALSE(GlobMatch("/v?/x", "/v12/x"));
  CHECK(GlobMatch("???", "abc"));
  CHECK_FALSE(GlobMatch("???", "ab"));
  CHECK_FALSE(GlobMatch("?", ""));
  CHECK(GlobMatch("*?", "a"));
  CHECK_FALSE(GlobMatch("*?", ""));
  CHECK(GlobMatch("?*?", "ab"));
  CHECK_FALSE(GlobMatch("?*?", "a"));
}

TEST_CASE("GlobMatch: '?' matches one byte, so a multi-byte UTF-8 character needs more") {
  CHECK_FALSE(GlobMatch("/caf?", "/caf\xc3\xa9"));
  CHECK(GlobMatch("/caf??", "/caf\xc3\xa9"));
}

TEST_CASE("GlobMatch: backtracking to the last star") {
  CHECK(GlobMatch("*abc", "ababc"));  // the first "ab" is a false start
  CHECK(GlobMatch("a*b*c", "abxbxc"));
  CHECK(GlobMatch("a*bc", "abcbc"));
  CHECK(GlobMatch("*aab", "aaaab"));
  CHECK(GlobMatch("/a/*/b/*/c", "/a/x/b/y/b/z/c"));
  CHECK_FALSE(GlobMatch("a*b*c", "abxbx"));
  CHECK_FALSE(GlobMatch("*abc", "ababcx"));
  CHECK(GlobMatch("*x*", "abxcd"));
  CHECK_FALSE(GlobMatch("*x*", "abcd"));
  CHECK(GlobMatch("*?b", "ab"));
  CHECK(GlobMatch("a*?*c", "abc"));
  CHECK_FALSE(GlobMatch("a*?*c", "ac"));
}

TEST_CASE("GlobMatch: the pattern must consume the whole text (anchored at both ends)") {
  CHECK_FALSE(GlobMatch("/a", "/a/b"));
  CHECK_FALSE(GlobMatch("a/b", "/a/b"));
  CHECK_FALSE(GlobMatch("*a", "ab"));
  CHECK_FALSE(GlobMatch("a*", "ba"));
}

TEST_CASE("GlobMatch: a pathological pattern against a long run of 'a' stays fast") {
  // Recursive or exponential matchers take ages on this; ours is O(pattern * text).
  const std::string text(20000, 'a');
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(GlobMatch("a*a*a*a*a*a*a*a*b", text));
  CHECK_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text));
  CHECK(GlobMatch("a*a*a*a*a*a*a*a*", text));
  CHECK(GlobMatch("*a*a*a*a*a*a*a*a", text));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::seconds(1));
}

// --- HostMatches ---

TEST_CASE("HostMatches: exact hosts compare case-insensitively") {
  CHECK(HostMatches("example.com", "example.com"));
  CHECK(HostMatches("example.com", "EXAMPLE.com"));
  CHECK(HostMatches("Example.COM", "example.com"));
  CHECK_FALSE(HostMatches("example.com", "www.example.com"));
  CHECK_FALSE(HostMatches("example.com", "example.co"));
  CHECK_FALSE(HostMatches("example.com", "example.com.evil"));
  CHECK_FALSE(HostMatches("example.com", ""));
}

TEST_CASE("HostMatches: '*.example.com' matches subdomains at any depth, not the apex") {
  CHECK(HostMatches("*.example.com", "a.example.com"));
  CHECK(HostMatches("*.example.com", "a.b.example.com"));
  CHECK(HostMatches("*.example.com", "A.Example.COM"));
  CHECK_FALSE(HostMatches("*.example.com", "example.com"));
  CHECK_FALSE(HostMatches("*.example.com", ".example.com"));
  CHECK_FALSE(HostMatches("*.example.com", "aexample.com"));
  CHECK_FALSE(HostMatches("*.example.com", "a.example.com.evil.net"));
  CHECK_FALSE(HostMatches("*.example.com", "a.example.org"));
  CHECK_FALSE(HostMatches("*.example.com", ""));
}

TEST_CASE("HostMatches: a port in the Host header is ignored") {
  CHECK(HostMatches("example.com", "example.com:443"));
  CHECK(HostMatches("example.com", "example.com:"));
  CHECK(HostMatches("*.example.com", "a.example.com:8080"));
  CHECK_FALSE(HostMatches("*.example.com", "example.com:8080"));
  CHECK_FALSE(HostMatches("example.com:443", "example.com:443"));  // patterns carry no port
}

TEST_CASE("HostMatches: bracketed IPv6 literals keep their colons") {
  CHECK(HostMatches("[2001:db8::1]", "[2001:db8::1]"));
  CHECK(HostMatches("[2001:db8::1]", "[2001:db8::1]:443"));
  CHECK(HostMatches("[2001:DB8::1]", "[2001:db8::1]:443"));
  CHECK_FALSE(HostMatches("[2001:db8::1]", "[2001:db8::2]"));
  CHECK_FALSE(HostMatches("[2001", "[2001:db8::1"));  // unclosed bracket: compared whole
}

TEST_CASE("HostMatches: one trailing dot (the FQDN spelling) is ignored") {
  CHECK(HostMatches("example.com", "example.com."));
  CHECK(HostMatches("example.com", "example.com.:443"));
  CHECK(HostMatches("*.example.com", "a.example.com."));
  CHECK_FALSE(HostMatches("example.com", "example.com.."));
}

TEST_CASE("HostMatches: other stars are literal") {
  CHECK_FALSE(HostMatches("*", "example.com"));
  CHECK_FALSE(HostMatches("a*.example.com", "ab.example.com"));
  CHECK_FALSE(HostMatches("*example.com", "aexample.com"));
}

// --- MatchesRule ---

TEST_CASE("MatchesRule: a rule with no fields matches every request") {
  const SamplingRule any = Rule("", "", "");
  CHECK(MatchesRule(any, "example.com", "/", "GET"));
  CHECK(MatchesRule(any, "", "", ""));
}

TEST_CASE("MatchesRule: every non-empty field must match") {
  const SamplingRule rule = Rule("*.example.com", "/api/*", "POST");
  CHECK(MatchesRule(rule, "api.example.com", "/api/orders", "POST"));
  CHECK_FALSE(MatchesRule(rule, "example.com", "/api/orders", "POST"));
  CHECK_FALSE(MatchesRule(rule, "api.example.com", "/web/orders", "POST"));
  CHECK_FALSE(MatchesRule(rule, "api.example.com", "/api/orders", "GET"));
}

TEST_CASE("MatchesRule: each field alone") {
  CHECK(MatchesRule(Rule("example.com", "", ""), "example.com:443", "/x", "DELETE"));
  CHECK(MatchesRule(Rule("", "/health", ""), "anything", "/health", "HEAD"));
  CHECK_FALSE(MatchesRule(Rule("", "/health", ""), "anything", "/health/deep", "HEAD"));
  CHECK(MatchesRule(Rule("", "", "GET"), "anything", "/x", "GET"));
}

TEST_CASE("MatchesRule: the method is compared exactly (HTTP methods are case-sensitive)") {
  CHECK_FALSE(MatchesRule(Rule("", "", "GET"), "h", "/", "get"));
  CHECK_FALSE(MatchesRule(Rule("", "", "GET"), "h", "/", "GETX"));
  CHECK_FALSE(MatchesRule(Rule("", "", "GET"), "h", "/", ""));
}

TEST_CASE("MatchesRule: the path is case-sensitive and matched as given (no decoding)") {
  CHECK_FALSE(MatchesRule(Rule("", "/API/*", ""), "h", "/api/x", "GET"));
  CHECK_FALSE(MatchesRule(Rule("", "/api/*", ""), "h", "/%61pi/x", "GET"));
}

}  // namespace
}  // namespace edge
