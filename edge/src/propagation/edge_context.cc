#include "edge/propagation/edge_context.h"

namespace edge {
namespace {

// Reads a positive decimal int64 up to the next '-' or the end; advances `i`. Returns 0 when
// malformed.
int64_t ReadStart(std::string_view h, size_t& i) noexcept {
  uint64_t v = 0;
  size_t digits = 0;
  for (; i < h.size() && h[i] != '-'; ++i, ++digits) {
    if (h[i] < '0' || h[i] > '9' || digits == EdgeContext::kMaxStartDigits) return 0;
    v = v * 10 + static_cast<uint64_t>(h[i] - '0');
  }
  if (digits == 0 || v > static_cast<uint64_t>(INT64_MAX)) return 0;
  return static_cast<int64_t>(v);
}

// Reads "-<16 hex>" at `i`; advances `i`. Returns the invalid id when malformed.
SpanId ReadId(std::string_view h, size_t& i) noexcept {
  if (i >= h.size() || h[i] != '-' || h.size() - i - 1 < SpanId::kHexSize) return SpanId();
  SpanId id = SpanId::FromHex(h.substr(i + 1, SpanId::kHexSize));
  i += 1 + SpanId::kHexSize;
  return id;
}

size_t WriteStart(int64_t start, char* out) noexcept {
  char digits[EdgeContext::kMaxStartDigits];
  size_t n = 0;
  uint64_t v = static_cast<uint64_t>(start);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < EdgeContext::kMaxStartDigits);
  size_t len = 0;
  while (n > 0) out[len++] = digits[--n];
  return len;
}

size_t WriteId(const SpanId& id, char* out) noexcept {
  out[0] = '-';
  id.ToHex(out + 1);
  return 1 + SpanId::kHexSize;
}

}  // namespace

EdgeContext ParseEdgeContext(std::string_view h) noexcept {
  const EdgeContext invalid;
  if (h.size() < 3 || h.size() > EdgeContext::kMaxHeaderSize) return invalid;
  if ((h[0] != '1' && h[0] != '2') || h[1] != '-') return invalid;
  const bool two_spans = h[0] == '2';
  size_t i = 2;
  EdgeContext ctx;
  ctx.start_unix_nano = ReadStart(h, i);
  if (ctx.start_unix_nano == 0) return invalid;
  if (two_spans) {
    ctx.root_span_id = ReadId(h, i);
    if (!ctx.root_span_id.IsValid() || i >= h.size() || h[i] != '-') return invalid;
    ++i;
    ctx.root_start_unix_nano = ReadStart(h, i);
    if (ctx.root_start_unix_nano == 0) return invalid;
  }
  if (i == h.size()) return ctx;
  ctx.remote_parent = ReadId(h, i);
  if (!ctx.remote_parent.IsValid() || i != h.size()) return invalid;
  return ctx;
}

size_t FormatEdgeContext(const EdgeContext& ctx, char* out) noexcept {
  size_t len = 0;
  out[len++] = ctx.HasOpenRoot() ? '2' : '1';
  out[len++] = '-';
  len += WriteStart(ctx.start_unix_nano, out + len);
  if (ctx.HasOpenRoot()) {
    len += WriteId(ctx.root_span_id, out + len);
    out[len++] = '-';
    len += WriteStart(ctx.root_start_unix_nano, out + len);
  }
  if (ctx.remote_parent.IsValid()) len += WriteId(ctx.remote_parent, out + len);
  return len;
}

}  // namespace edge
