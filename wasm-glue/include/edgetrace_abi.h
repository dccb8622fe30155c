#pragma once
// edgetrace host/module ABI version 2: every symbol that crosses the Wasm boundary, calls in
// and calls out, in one place. The prose contract is wasm-glue/ABI.md.
#include <stdint.h>

#define EDGETRACE_ABI_VERSION 2u
#define EDGETRACE_EXPORT(name) __attribute__((export_name(#name)))
#define EDGETRACE_IMPORT(name) __attribute__((import_module("edgetrace"), import_name(#name)))

#ifdef __cplusplus
namespace edgetrace_abi {

constexpr uint32_t kInputFieldCount = 32;
constexpr uint32_t kOutputSlotCount = 16;

enum InputField : uint32_t {
  kFieldTraceparent = 0,
  kFieldTracestate = 1,
  kFieldEdgeContext = 2,
  kFieldHost = 3,
  kFieldUserAgent = 4,
  kFieldForwardedProto = 5,
  kFieldMethod = 6,
  kFieldUri = 7,
  kFieldQuerystring = 8,
  kFieldClientIp = 9,
  kFieldDistributionId = 10,
  kFieldDistributionDomain = 11,
  kFieldRequestId = 12,
  kFieldResponseStatus = 13,
  kFieldInvocationId = 14,
  kFieldConfigJson = 15,
  kFieldCloudRegion = 16,
  kFieldFunctionName = 17,
  kFieldFunctionVersion = 18,
  kFieldXRay = 19,
  kFieldB3 = 20,
  kFieldB3TraceId = 21,
  kFieldB3SpanId = 22,
  kFieldB3Sampled = 23,
  kFieldB3Flags = 24,
  kFieldFillStamp = 25,
  kFieldCapturedRequestHeaders = 26,
  kFieldCapturedResponseHeaders = 27,
  kFieldExceptionType = 28,
  kFieldExceptionMessage = 29,
};

enum OutputSlot : uint32_t {
  kSlotTraceparent = 0,
  kSlotTracestate = 1,
  kSlotEdgeContext = 2,
  kSlotBody = 3,
  kSlotError = 4,
  kSlotExporterSettings = 5,
  kSlotXRay = 6,
  kSlotB3 = 7,
  kSlotB3TraceId = 8,
  kSlotB3SpanId = 9,
  kSlotB3Sampled = 10,
  kSlotFillStamp = 11,
  kSlotTraceResponse = 12,
  kSlotServerTiming = 13,
  kSlotSpanCount = 14,
};

enum Trigger : int32_t {
  kViewerRequest = 0,
  kOriginRequest = 1,
  kOriginResponse = 2,
  kViewerResponse = 3,
};

constexpr int32_t kFlagColdStart = 1;
// on_response at viewer-request / origin-request: the wrapped user handler answered itself...
constexpr int32_t kFlagGeneratedResponse = 2;
// ...or threw (fields 28-29 carry the error).
constexpr int32_t kFlagHandlerThrew = 4;
// A synthetic call (the host's warm-up at load): no rate-limit token is taken.
constexpr int32_t kFlagWarmUp = 8;

}  // namespace edgetrace_abi

extern "C" {
#endif

// ---- calls in ----
EDGETRACE_EXPORT(edgetrace_abi_version) uint32_t edgetrace_abi_version(void);
EDGETRACE_EXPORT(edgetrace_get_io) uint32_t edgetrace_get_io(void);
EDGETRACE_EXPORT(edgetrace_on_configure) int32_t edgetrace_on_configure(void);
EDGETRACE_EXPORT(edgetrace_on_request)
int32_t edgetrace_on_request(int32_t trigger, double now_ms, int32_t flags);
EDGETRACE_EXPORT(edgetrace_on_response)
int32_t edgetrace_on_response(int32_t trigger, double now_ms, int32_t flags);

// ---- calls out ----
EDGETRACE_IMPORT(edgetrace_fill_random) void edgetrace_fill_random(uint8_t* out, uint32_t len);

#ifdef __cplusplus
}
#endif
