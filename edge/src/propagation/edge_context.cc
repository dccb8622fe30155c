#include "edge/propagation/edge_context.h"

namespace edge {
namespace {
constexpr size_t kMaxDigits = 19;  // int64 nanoseconds until the year 2262
}  // namespace

EdgeContext ParseEdgeContext(std::string_view h) noexcept {
  EdgeContext invalid;
  if (h.size() < 3 || h.size() > EdgeContext::kMaxHeaderSize) return invalid;
  if (h[0] != '1' || h[1] != '-') return invalid;
  size_t i = 2;
  uint64_t start = 0;
  size_t digits = 0;
  for (; i < h.size() && h[i] != '-'; ++i, ++digits) {
    if (h[i] < '0' || h[i] > '9' || digits == kMaxDigits) return invalid;
    start = start * 10 + static_cast<uint64_t>(h[i] - '0');
  }
  if (digits == 0 || start == 0 || start > static_cast<uint64_t>(INT64_MAX)) return invalid;
  EdgeContext ctx;
  ctx.start_unix_nano = static_cast<int64_t>(start);
  if (i == h.size()) return ctx;
  std::string_view parent = h.substr(i + 1);
  if (parent.size() != SpanId::kHexSize) return invalid;
  ctx.remote_parent = SpanId::FromHex(parent);
  if (!ctx.remote_parent.IsValid()) return invalid;
  return ctx;
}

size_t FormatEdgeContext(const EdgeContext& ctx, char* out) noexcept {
  char digits[kMaxDigits];
  size_t n = 0;
  uint64_t v = static_cast<uint64_t>(ctx.start_unix_nano);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < kMaxDigits);
  size_t len = 0;
  out[len++] = '1';
  out[len++] = '-';
  while (n > 0) out[len++] = digits[--n];
  if (ctx.remote_parent.IsValid()) {
    out[len++] = '-';
    ctx.remote_parent.ToHex(out + len);
    len += SpanId::kHexSize;
  }
  return len;
}

}  // namespace edge
