#include "edge/propagation/xray.h"

#include <algorithm>

#include "internal/hex.h"

namespace edge {
namespace {

constexpr char kPartSeparator = ';';
constexpr char kKeyValueSeparator = '=';
constexpr std::string_view kRootKey = "Root";
constexpr std::string_view kParentKey = "Parent";
constexpr std::string_view kSampledKey = "Sampled";
constexpr std::string_view kLineageKey = "Lineage";
constexpr std::string_view kSelfKey = "Self";  // added by ALB; the AWS SDKs ignore it
constexpr std::string_view kReservedKeys[] = {kRootKey, kParentKey, kSampledKey, kLineageKey,
                                              kSelfKey};

// Root value "1-<epoch>-<unique>": X-Ray trace id version 1, 8 + 24 hex digits.
constexpr std::string_view kRootVersion = "1";
constexpr char kRootDelimiter = '-';
constexpr size_t kEpochHexSize = 8;
constexpr size_t kUniqueHexSize = 24;
constexpr size_t kEpochOffset = kRootVersion.size() + 1;
constexpr size_t kUniqueOffset = kEpochOffset + kEpochHexSize + 1;
constexpr size_t kRootValueSize = kUniqueOffset + kUniqueHexSize;
constexpr size_t kEpochBytes = kEpochHexSize / internal::kHexDigitsPerByte;
static_assert(kEpochHexSize + kUniqueHexSize == TraceId::kHexSize, "8 + 24 digits map to 32");

constexpr size_t kSampledValueSize = 1;
constexpr char kSampledYes = '1';
constexpr char kSampledNo = '0';
constexpr char kSampledRequested = '?';

// ";" key "=" value: the size of one field after the first.
constexpr size_t FieldSize(std::string_view key, std::string_view value) noexcept {
  return 1 + key.size() + 1 + value.size();
}
static_assert(kRootKey.size() + 1 + kRootValueSize + FieldSize(kParentKey, "0123456789abcdef") +
                      FieldSize(kSampledKey, "1") ==
                  XRayHeader::kContextSize,
              "context layout must add up");

bool IsOws(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) noexcept {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 9110 tchar.
bool IsTokenChar(char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// VCHAR: printable ASCII without space. ';' never reaches a value (it separates parts).
bool IsValueChar(char c) noexcept { return c >= '\x21' && c <= '\x7e'; }

char AsciiLower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

bool IsReservedKeyVariant(std::string_view key) noexcept {
  return std::any_of(std::begin(kReservedKeys), std::end(kReservedKeys),
                     [key](std::string_view known) { return EqualsIgnoreAsciiCase(key, known); });
}

// An unknown field this header may carry (parsing keeps it, formatting writes it).
bool IsCarriedField(std::string_view key, std::string_view value) noexcept {
  if (key.empty() || !std::all_of(key.begin(), key.end(), IsTokenChar)) return false;
  if (IsReservedKeyVariant(key)) return false;
  return std::all_of(value.begin(), value.end(), IsValueChar);
}

TraceId ParseRoot(std::string_view value) noexcept {
  if (value.size() != kRootValueSize) return {};
  if (value.substr(0, kRootVersion.size()) != kRootVersion) return {};
  if (value[kEpochOffset - 1] != kRootDelimiter) return {};
  if (value[kUniqueOffset - 1] != kRootDelimiter) return {};
  uint8_t bytes[TraceId::kSize];
  if (!internal::DecodeHex(value.substr(kEpochOffset, kEpochHexSize), bytes)) return {};
  if (!internal::DecodeHex(value.substr(kUniqueOffset, kUniqueHexSize), bytes + kEpochBytes)) {
    return {};
  }
  return TraceId(bytes);  // all-zero stays invalid
}

bool ParseSampled(std::string_view value, XRaySampling* out) noexcept {
  if (value.size() != kSampledValueSize) return false;
  switch (value.front()) {
    case kSampledYes:
      *out = XRaySampling::kSampled;
      return true;
    case kSampledNo:
      *out = XRaySampling::kNotSampled;
      return true;
    case kSampledRequested:
      *out = XRaySampling::kUnknown;
      return true;
    default:
      return false;
  }
}

struct SeenFields {
  bool root = false;
  bool parent = false;
  bool sampled = false;
};

// Marks a context field as seen; false if it already was (a repeated field is ambiguous).
bool FirstTime(bool* seen) noexcept {
  if (*seen) return false;
  *seen = true;
  return true;
}

// Applies one non-empty, OWS-trimmed part. False when it makes the whole header invalid.
bool ApplyPart(std::string_view part, XRayHeader* out, SeenFields* seen) noexcept {
  const size_t separator = part.find(kKeyValueSeparator);
  const bool has_value = separator != std::string_view::npos;
  const std::string_view key = TrimOws(part.substr(0, separator));
  const std::string_view value = has_value ? TrimOws(part.substr(separator + 1)) : "";

  if (key == kRootKey) {
    if (!has_value || !FirstTime(&seen->root)) return false;
    out->trace_id = ParseRoot(value);
    return out->trace_id.IsValid();
  }
  if (key == kParentKey) {
    if (!has_value || !FirstTime(&seen->parent)) return false;
    out->parent_id = SpanId::FromHex(value);
    return out->parent_id.IsValid();  // malformed or all-zero
  }
  if (key == kSampledKey) {
    if (!has_value || !FirstTime(&seen->sampled)) return false;
    return ParseSampled(value, &out->sampling);
  }
  // Carried fields: dropped rather than fatal when malformed.
  if (!has_value) return true;
  if (key == kLineageKey) {
    if (out->lineage.empty() && IsValidXRayLineage(value)) out->lineage = value;
    return true;
  }
  if (out->extra_field_count < XRayHeader::kMaxExtraFields && IsCarriedField(key, value)) {
    out->extra_fields[out->extra_field_count++] = {key, value};
  }
  return true;
}

// Appends to a caller buffer whose room was checked before.
class HeaderWriter {
 public:
  explicit HeaderWriter(char* out) noexcept : out_(out) {}
  size_t size() const noexcept { return size_; }
  void Put(std::string_view s) noexcept {
    std::copy(s.begin(), s.end(), out_ + size_);
    size_ += s.size();
  }
  void Put(char c) noexcept { out_[size_++] = c; }
  void PutHex(const uint8_t* bytes, size_t len) noexcept {
    internal::EncodeHex(bytes, len, out_ + size_);
    size_ += len * internal::kHexDigitsPerByte;
  }
  void PutField(std::string_view key, std::string_view value) noexcept {
    Put(kPartSeparator);
    Put(key);
    Put(kKeyValueSeparator);
    Put(value);
  }

 private:
  char* out_;
  size_t size_ = 0;
};

}  // namespace

bool IsValidXRayLineage(std::string_view lineage) noexcept {
  if (lineage.empty() || lineage.size() > XRayHeader::kMaxLineageSize) return false;
  const auto is_hex = [](char c) {
    return internal::HexDigitValue(c) != internal::kInvalidHexDigit;
  };
  if (!is_hex(lineage.front()) || !is_hex(lineage.back())) return false;
  return std::all_of(lineage.begin(), lineage.end(),
                     [&](char c) { return is_hex(c) || c == ':' || c == '|'; });
}

XRayHeader ParseXRayHeader(std::string_view header) noexcept {
  if (header.empty() || header.size() > XRayHeader::kMaxHeaderSize) return {};

  XRayHeader parsed;
  SeenFields seen;
  while (!header.empty()) {
    const size_t end = header.find(kPartSeparator);
    const std::string_view part = TrimOws(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    if (part.empty()) continue;  // ";;" and a trailing ';'
    if (!ApplyPart(part, &parsed, &seen)) return {};
  }
  if (!parsed.trace_id.IsValid()) return {};  // Root is required
  return parsed;
}

size_t FormatXRayHeader(const TraceId& trace_id, const SpanId& parent_id, bool sampled,
                        std::string_view lineage, char* out, size_t capacity) noexcept {
  return FormatXRayHeader(trace_id, parent_id, sampled, lineage, nullptr, 0, out, capacity);
}

size_t FormatXRayHeader(const TraceId& trace_id, const SpanId& parent_id, bool sampled,
                        std::string_view lineage, const XRayHeader::Field* extra,
                        size_t extra_count, char* out, size_t capacity) noexcept {
  if (!trace_id.IsValid() || !parent_id.IsValid()) return 0;
  const size_t limit = std::min(capacity, XRayHeader::kMaxHeaderSize);
  const bool with_lineage = IsValidXRayLineage(lineage);
  const size_t required =
      XRayHeader::kContextSize + (with_lineage ? FieldSize(kLineageKey, lineage) : 0);
  if (required > limit) return 0;

  HeaderWriter w(out);
  w.Put(kRootKey);
  w.Put(kKeyValueSeparator);
  w.Put(kRootVersion);
  w.Put(kRootDelimiter);
  w.PutHex(trace_id.bytes().data(), kEpochBytes);
  w.Put(kRootDelimiter);
  w.PutHex(trace_id.bytes().data() + kEpochBytes, TraceId::kSize - kEpochBytes);
  w.Put(kPartSeparator);
  w.Put(kParentKey);
  w.Put(kKeyValueSeparator);
  w.PutHex(parent_id.bytes().data(), SpanId::kSize);
  w.PutField(kSampledKey,
             sampled ? std::string_view(&kSampledYes, 1) : std::string_view(&kSampledNo, 1));
  if (with_lineage) w.PutField(kLineageKey, lineage);

  for (size_t i = 0; i < extra_count; ++i) {
    const XRayHeader::Field& field = extra[i];
    if (!IsCarriedField(field.key, field.value)) continue;
    if (FieldSize(field.key, field.value) > limit - w.size()) break;
    w.PutField(field.key, field.value);
  }
  return w.size();
}

}  // namespace edge
