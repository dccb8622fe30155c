#include "json/json_value.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace edge::json {
namespace internal {

// A recursive-descent parser: every rule is a ladder of early `return false`s, and the first
// one makes the whole document invalid. Recursion is bounded by Value::kMaxDepth.
class Parser {
 public:
  Parser(const char* first, const char* last) : p_(first), end_(last) {}

  bool Document(Value& out) {
    SkipWhitespace();
    if (!ParseValue(out, 0)) return false;
    SkipWhitespace();
    return p_ == end_;
  }

 private:
  bool ParseValue(Value& out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
        return ParseObject(out, depth);
      case '[':
        return ParseArray(out, depth);
      case '"':
        out.type_ = Value::value_t::string;
        return ParseString(out.string_);
      case 't':
        out.type_ = Value::value_t::boolean;
        out.boolean_ = true;
        return Literal("true");
      case 'f':
        out.type_ = Value::value_t::boolean;
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return ParseNumber(out);
    }
  }

  // '{' ws [ string ws ':' ws value ws *( ',' ws string ws ':' ws value ws ) ] '}'
  bool ParseObject(Value& out, int depth) {
    if (depth >= Value::kMaxDepth) return false;
    out.type_ = Value::value_t::object;
    ++p_;
    SkipWhitespace();
    if (Consume('}')) return true;
    do {
      SkipWhitespace();
      Member member;
      if (p_ == end_ || *p_ != '"' || !ParseString(member.key_)) return false;
      // Linear: config objects have a handful of keys, and code size matters more here.
      if (out.Find(member.key_) != nullptr) return false;
      SkipWhitespace();
      if (!Consume(':')) return false;
      SkipWhitespace();
      if (!ParseValue(member.value_, depth + 1)) return false;
      out.members_.push_back(std::move(member));
      SkipWhitespace();
    } while (Consume(','));
    return Consume('}');
  }

  // '[' ws [ value ws *( ',' ws value ws ) ] ']'
  bool ParseArray(Value& out, int depth) {
    if (depth >= Value::kMaxDepth) return false;
    out.type_ = Value::value_t::array;
    ++p_;
    SkipWhitespace();
    if (Consume(']')) return true;
    do {
      SkipWhitespace();
      out.members_.emplace_back();
      if (!ParseValue(out.members_.back().value_, depth + 1)) return false;
      SkipWhitespace();
    } while (Consume(','));
    return Consume(']');
  }

  // '"' chars '"', with *p_ == '"'.
  bool ParseString(std::string& out) {
    ++p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;  // control characters must be escaped
      if (c == '\\') {
        if (!ParseEscape(out)) return false;
      } else if (c < 0x80) {
        out += static_cast<char>(c);
        ++p_;
      } else {
        const size_t n = Utf8SequenceLength();
        if (n == 0) return false;
        out.append(p_, n);
        p_ += n;
      }
    }
    return false;  // unterminated
  }

  // '\' followed by one of " \ / b f n r t, or uXXXX (a surrogate pair as two escapes).
  bool ParseEscape(std::string& out) {
    ++p_;
    if (p_ == end_) return false;
    const char c = *p_++;
    constexpr std::string_view kEscaped = "\"\\/bfnrt";
    constexpr std::string_view kDecoded = "\"\\/\b\f\n\r\t";
    if (const size_t i = kEscaped.find(c); i != std::string_view::npos) {
      out += kDecoded[i];
      return true;
    }
    if (c != 'u') return false;
    uint32_t code_point;
    if (!Hex4(code_point)) return false;
    if (code_point >= 0xDC00 && code_point <= 0xDFFF) return false;  // a lone low surrogate
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      uint32_t low;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(code_point, out);
    return true;
  }

  bool Hex4(uint32_t& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      uint32_t digit;
      if (c >= '0' && c <= '9')
        digit = static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        digit = static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        digit = static_cast<uint32_t>(c - 'A' + 10);
      else
        return false;
      out = out << 4 | digit;
    }
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | cp >> 6);
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | cp >> 12);
      out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | cp >> 18);
      out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
      out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // The length of the well-formed UTF-8 sequence at p_ (RFC 3629: no overlong forms, no
  // surrogates, nothing above U+10FFFF), or 0.
  size_t Utf8SequenceLength() const {
    const auto lead = static_cast<unsigned char>(p_[0]);
    size_t n;
    unsigned char low = 0x80;  // the range of the second byte
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      n = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      n = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      n = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return 0;
    }
    if (static_cast<size_t>(end_ - p_) < n) return 0;
    const auto second = static_cast<unsigned char>(p_[1]);
    if (second < low || second > high) return 0;
    for (size_t i = 2; i < n; ++i)
      if ((static_cast<unsigned char>(p_[i]) & 0xC0) != 0x80) return 0;
    return n;
  }

  // '-'? ('0' | [1-9][0-9]*) ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool ParseNumber(Value& out) {
    const char* start = p_;
    Consume('-');
    if (Consume('0')) {
      // no leading zeros: a digit may not follow
    } else if (!Digits()) {
      return false;
    }
    const char* integer_end = p_;
    if (Consume('.') && !Digits()) return false;
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (!Digits()) return false;
    }
    // strtod needs a terminated copy; the grammar above already holds, so strtod reads it all.
    const std::string text(start, p_);
    const double d = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(d)) return false;  // too large for a double
    out.type_ = Value::value_t::number;
    // An integer like "-0" is the integer 0 for nlohmann, not -0.0: keep the two equal.
    out.number_ = (integer_end == p_ && d == 0) ? 0.0 : d;
    return true;
  }

  // One or more decimal digits.
  bool Digits() {
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()))
      return false;
    p_ += word.size();
    return true;
  }

  bool Consume(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  void SkipWhitespace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  const char* p_;
  const char* end_;
};

}  // namespace internal

namespace {

const Value& NullValue() {
  static const Value null;
  return null;
}

}  // namespace

Value Value::parse(const char* first, const char* last, std::nullptr_t, bool) {
  Value root;
  if (!internal::Parser(first, last).Document(root)) {
    root = Value();
    root.type_ = value_t::discarded;
  }
  return root;
}

size_t Value::size() const {
  switch (type_) {
    case value_t::null:
      return 0;
    case value_t::array:
    case value_t::object:
      return members_.size();
    default:
      return 1;
  }
}

const Value* Value::Find(std::string_view key) const {
  if (type_ != value_t::object) return nullptr;
  for (const Member& m : members_)
    if (m.key_ == key) return &m.value_;
  return nullptr;
}

const Value& Value::operator[](std::string_view key) const {
  const Value* v = Find(key);
  return v != nullptr ? *v : NullValue();
}

const Value& Value::operator[](size_t index) const {
  return type_ == value_t::array && index < members_.size() ? members_[index].value_ : NullValue();
}

}  // namespace edge::json
