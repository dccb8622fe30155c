#include "edge/propagation/tracestate.h"

#include <algorithm>

#include "edge/json/byte_writer.h"

namespace edge {
namespace {

// W3C Trace Context Level 2, section 3.3.1 (tracestate header field values).
constexpr size_t kMaxTenantIdSize = 241;  // (lcalpha / DIGIT) 0*240(...)
constexpr size_t kMaxSystemIdSize = 14;   // lcalpha 0*13(...)
constexpr char kTenantSeparator = '@';
constexpr char kMemberSeparator = ',';
constexpr char kKeyValueSeparator = '=';

bool IsLcAlpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) noexcept { return c >= '0' && c <= '9'; }
bool IsKeyChar(char c) noexcept {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}
// nblk-chr = %x21-2B / %x2D-3C / %x3E-7E: printable ASCII except ',' and '='.
bool IsValueNonBlankChar(char c) noexcept {
  return c >= '\x21' && c <= '\x7e' && c != ',' && c != '=';
}
bool IsOws(char c) noexcept { return c == ' ' || c == '\t'; }

bool IsValueChar(char c) noexcept { return c == ' ' || IsValueNonBlankChar(c); }

bool AllKeyChars(std::string_view s) noexcept { return std::all_of(s.begin(), s.end(), IsKeyChar); }

std::string_view TrimOws(std::string_view s) noexcept {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

size_t MemberSize(const TraceState::Member& m) noexcept {
  return m.key.size() + 1 + m.value.size();
}

}  // namespace

bool TraceState::IsValidKey(std::string_view key) noexcept {
  if (key.empty() || key.size() > kMaxKeySize) return false;
  const size_t at = key.find(kTenantSeparator);
  if (at == std::string_view::npos) {
    // simple-key = lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")
    return IsLcAlpha(key.front()) && AllKeyChars(key.substr(1));
  }
  // multi-tenant-key = tenant-id "@" system-id; a second '@' fails AllKeyChars.
  const std::string_view tenant = key.substr(0, at);
  const std::string_view system = key.substr(at + 1);
  if (tenant.empty() || tenant.size() > kMaxTenantIdSize) return false;
  if (!IsLcAlpha(tenant.front()) && !IsDigit(tenant.front())) return false;
  if (!AllKeyChars(tenant.substr(1))) return false;
  if (system.empty() || system.size() > kMaxSystemIdSize) return false;
  if (!IsLcAlpha(system.front())) return false;
  return AllKeyChars(system.substr(1));
}

bool TraceState::IsValidValue(std::string_view value) noexcept {
  // value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr
  if (value.empty() || value.size() > kMaxValueSize) return false;
  if (!IsValueNonBlankChar(value.back())) return false;
  return std::all_of(value.begin(), value.end(), IsValueChar);
}

TraceState TraceState::Parse(std::string_view header) noexcept {
  TraceState invalid;
  invalid.valid_ = false;

  TraceState parsed;
  while (true) {
    const size_t comma = header.find(kMemberSeparator);
    const std::string_view member = TrimOws(header.substr(0, comma));
    if (!member.empty()) {
      if (parsed.count_ == kMaxMembers) return invalid;
      const size_t eq = member.find(kKeyValueSeparator);
      if (eq == std::string_view::npos) return invalid;
      const std::string_view key = member.substr(0, eq);
      const std::string_view value = member.substr(eq + 1);
      if (!IsValidKey(key)) return invalid;
      if (!IsValidValue(value)) return invalid;  // also rejects a second '='
      // Values are never empty, so a non-empty Get means the key is a duplicate.
      if (!parsed.Get(key).empty()) return invalid;
      parsed.members_[parsed.count_++] = Member{key, value};
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return parsed;
}

std::string_view TraceState::Get(std::string_view key) const noexcept {
  for (size_t i = 0; i < count_; ++i) {
    if (members_[i].key == key) return members_[i].value;
  }
  return {};
}

bool TraceState::Upsert(std::string_view key, std::string_view value) noexcept {
  if (!IsValidKey(key) || !IsValidValue(value)) return false;
  Erase(key);
  if (count_ == kMaxMembers) --count_;  // the right-most member makes room
  for (size_t i = count_; i > 0; --i) members_[i] = members_[i - 1];
  members_[0] = Member{key, value};
  ++count_;
  return true;
}

void TraceState::Erase(std::string_view key) noexcept {
  for (size_t i = 0; i < count_; ++i) {
    if (members_[i].key != key) continue;
    for (size_t j = i + 1; j < count_; ++j) members_[j - 1] = members_[j];
    --count_;
    return;  // keys are unique
  }
}

size_t TraceState::Serialize(ByteWriter& out) const noexcept {
  bool keep[kMaxMembers];
  size_t total = 0;  // members plus the commas between them
  size_t kept = 0;
  for (size_t i = 0; i < count_; ++i) {
    keep[i] = true;
    total += MemberSize(members_[i]);
    ++kept;
  }
  if (kept > 1) total += kept - 1;

  auto drop = [&](size_t i) {
    keep[i] = false;
    --kept;
    total -= MemberSize(members_[i]) + (kept > 0 ? 1 : 0);
  };
  // Long members go first, right-most first, and only as many as needed.
  for (size_t i = count_; i > 0 && total > kPropagateLimit; --i) {
    if (MemberSize(members_[i - 1]) > kLongMemberSize) drop(i - 1);
  }
  for (size_t i = count_; i > 0 && total > kPropagateLimit; --i) {
    if (keep[i - 1]) drop(i - 1);
  }

  const size_t start = out.size();
  bool first = true;
  for (size_t i = 0; i < count_; ++i) {
    if (!keep[i]) continue;
    if (!first) out.Append(kMemberSeparator);
    first = false;
    out.Append(members_[i].key);
    out.Append(kKeyValueSeparator);
    out.Append(members_[i].value);
  }
  if (out.overflowed()) {
    out.Truncate(start);
    return 0;
  }
  return out.size() - start;
}

}  // namespace edge
