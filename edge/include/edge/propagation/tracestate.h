#pragma once
// W3C Trace Context Level 2 `tracestate`: a bounded list of key=value members.
//
// Parsing never allocates: members are views into the caller's header string, which must
// outlive the TraceState. A malformed header parses as empty and invalid (the spec lets us
// discard it; traceparent stays valid). Empty list-members (",,", OWS) are skipped as the
// spec allows. Duplicate keys make the header invalid.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edge {

class ByteWriter;

class TraceState {
 public:
  static constexpr size_t kMaxMembers = 32;
  static constexpr size_t kMaxKeySize = 256;
  static constexpr size_t kMaxValueSize = 256;
  static constexpr size_t kPropagateLimit = 512;  // spec: propagate at least this much
  static constexpr size_t kLongMemberSize = 128;  // dropped first when truncating

  struct Member {
    std::string_view key;
    std::string_view value;
  };

  static TraceState Parse(std::string_view header) noexcept;

  bool valid() const noexcept { return valid_; }
  size_t size() const noexcept { return count_; }
  const Member& at(size_t i) const noexcept { return members_[i]; }
  // Empty view if absent.
  std::string_view Get(std::string_view key) const noexcept;

  // Inserts or replaces `key` and moves it to the left (most recent first). The views must
  // outlive this object. Returns false (and changes nothing) if key or value is malformed.
  // When the list is full, the right-most member is dropped to make room.
  bool Upsert(std::string_view key, std::string_view value) noexcept;
  void Erase(std::string_view key) noexcept;

  // Serialises within kPropagateLimit chars: whole members are dropped, first those longer
  // than kLongMemberSize, then from the right. Returns the number of chars written.
  size_t Serialize(ByteWriter& out) const noexcept;

  static bool IsValidKey(std::string_view key) noexcept;
  static bool IsValidValue(std::string_view value) noexcept;

 private:
  Member members_[kMaxMembers];
  size_t count_ = 0;
  bool valid_ = true;
};

}  // namespace edge
