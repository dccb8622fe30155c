#include "edge/propagation/inject.h"

#include <algorithm>

#include "edge/config.h"

namespace edge {
namespace {

// Hands out consecutive pieces of the caller's buffer.
class Arena {
 public:
  Arena(char* out, size_t capacity) noexcept : out_(out), capacity_(out ? capacity : 0) {}
  size_t left() const noexcept { return capacity_ - used_; }
  char* next() noexcept { return out_ + used_; }
  std::string_view Take(size_t n) noexcept {
    const std::string_view taken(out_ + used_, n);
    used_ += n;
    return taken;
  }
  std::string_view Copy(std::string_view s) noexcept {
    std::copy(s.begin(), s.end(), next());
    return Take(s.size());
  }

 private:
  char* out_;
  size_t capacity_;
  size_t used_ = 0;
};

std::string_view InjectXRay(const TraceId& trace_id, const SpanId& span_id, bool sampled,
                            std::string_view lineage, Arena& arena) noexcept {
  // 0 when it does not fit: nothing is taken.
  const size_t n =
      FormatXRayHeader(trace_id, span_id, sampled, lineage, arena.next(), arena.left());
  return arena.Take(n);
}

std::string_view InjectB3Single(const TraceId& trace_id, const SpanId& span_id, bool sampled,
                                Arena& arena) noexcept {
  if (arena.left() < inject_size::kB3Single) return {};
  // FormatB3Single wants room for its longest form; the form written here has no parent.
  char single[B3Context::kMaxSingleHeaderSize];
  const B3Sampling state = sampled ? B3Sampling::kAccept : B3Sampling::kDeny;
  const size_t n = FormatB3Single(trace_id, span_id, state, SpanId(), single);
  if (n != inject_size::kB3Single) return {};
  return arena.Copy({single, n});
}

void InjectB3Multi(const TraceId& trace_id, const SpanId& span_id, bool sampled, Arena& arena,
                   InjectedHeaders* out) noexcept {
  if (arena.left() < inject_size::kB3Multi) return;
  B3MultiHeaders multi;
  const B3Sampling state = sampled ? B3Sampling::kAccept : B3Sampling::kDeny;
  if (!FormatB3Multi(trace_id, span_id, state, SpanId(), &multi)) return;
  out->b3_trace_id = arena.Copy(multi.trace_id());
  out->b3_span_id = arena.Copy(multi.span_id());
  out->b3_sampled = arena.Copy(multi.sampled());
}

}  // namespace

InjectedHeaders InjectHeaders(uint8_t formats, const TraceId& trace_id, const SpanId& span_id,
                              bool sampled, std::string_view xray_lineage, char* out,
                              size_t capacity) noexcept {
  InjectedHeaders injected;
  if (!trace_id.IsValid() || !span_id.IsValid()) return injected;
  Arena arena(out, capacity);
  if ((formats & format_bits::kXRay) != 0) {
    injected.xray = InjectXRay(trace_id, span_id, sampled, xray_lineage, arena);
  }
  if ((formats & format_bits::kB3Single) != 0) {
    injected.b3 = InjectB3Single(trace_id, span_id, sampled, arena);
  }
  if ((formats & format_bits::kB3Multi) != 0) {
    InjectB3Multi(trace_id, span_id, sampled, arena, &injected);
  }
  return injected;
}

}  // namespace edge
