#pragma once
// Minimal JSON output on top of ByteWriter (in the style of simdjson's string builder).
// Strings are escaped per RFC 8259 and made pure ASCII: non-ASCII is written as \uXXXX
// escapes (surrogate pairs above the BMP) and invalid UTF-8 becomes U+FFFD, so the output is
// always valid JSON and valid UTF-8 whatever bytes came in from untrusted headers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/json/byte_writer.h"

namespace edge {

class JsonWriter {
 public:
  explicit JsonWriter(ByteWriter& out) noexcept : out_(out) {}

  // Writes a quoted, escaped string. At most max_chars code points of `s` are written
  // (never splitting a UTF-8 sequence); 0 means no limit.
  void String(std::string_view s, size_t max_chars = 0) noexcept;
  void Raw(std::string_view s) noexcept { out_.Append(s); }
  void Raw(char c) noexcept { out_.Append(c); }
  void Key(std::string_view k) noexcept;  // "k": (k must be a plain ASCII literal)
  void Uint(uint64_t v) noexcept { out_.AppendUint(v); }
  void Int(int64_t v) noexcept { out_.AppendInt(v); }
  void QuotedUint(uint64_t v) noexcept;  // proto3 JSON int64: a decimal string
  void QuotedInt(int64_t v) noexcept;
  void Bool(bool b) noexcept { out_.Append(b ? std::string_view("true") : "false"); }
  void Double(double d) noexcept;  // shortest round-trip-ish; NaN/Inf written as strings

  ByteWriter& out() noexcept { return out_; }

 private:
  ByteWriter& out_;
};

}  // namespace edge
