#pragma once
// Trace and span ids derived from the CloudFront request id (`cf.config.requestId`).
//
// The four Lambda@Edge triggers of one viewer request run in separate invocations that share
// nothing but the request id, an opaque string CloudFront chooses per request (also sent to
// the client as `x-amz-cf-id`), e.g. "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==".
// A response trigger that cannot see the headers its request side added recomputes the same
// ids from it.
//
// The ids are SipHash-2-4 outputs under fixed keys (16 ASCII bytes each, see request_ids.cc):
//   trace id bytes 0..7   SipHash-2-4("edgetrace:trc:hi", request_id), little-endian
//   trace id bytes 8..15  SipHash-2-4("edgetrace:trc:lo", request_id), little-endian
//   span id               SipHash-2-4("edgetrace:span:<role>", request_id), little-endian
// SipHash is a pseudo-random function, so every output byte, and in particular the 7 low
// bytes of the trace id that the W3C `random` flag and the OTel threshold sampler rely on,
// looks uniformly random; distinct keys make the roles independent. The keys are not secrets
// (anyone who sees `x-amz-cf-id` can compute the ids, as they could read them from the
// headers): trace ids are not credentials. They must never change: triggers of one request
// may run different deployed versions during a rollout.
//
// An all-zero result (probability 2^-64 per span id, 2^-128 per trace id) is replaced by an id
// whose last byte is 1, so a non-empty request id always gives valid ids.
#include <cstdint>
#include <string_view>

#include "edge/span_id.h"
#include "edge/trace_id.h"

namespace edge {

// The spans edgetrace creates per viewer request, each with its own derived span id.
enum class EdgeSpanRole : uint8_t { kRoot = 1, kOriginFetch = 2 };

// The invalid (all-zero) id for an empty request id; otherwise a valid one.
TraceId TraceIdFromRequestId(std::string_view request_id) noexcept;

// The invalid id for an empty request id or an unknown role; otherwise a valid one, distinct
// per role (and from the trace id's halves).
SpanId SpanIdFromRequestId(std::string_view request_id, EdgeSpanRole role) noexcept;

}  // namespace edge
