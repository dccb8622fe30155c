// The calls in of ABI.md. This file and io_block.h are the only code that knows about the
// boundary; everything else is the plain C++ core.
#include <string>

#include "edge/tracer.h"
#include "edgetrace_abi.h"
#include "host_random_source.h"
#include "io_block.h"

namespace {

using edgetrace_abi::InputField;
using edgetrace_abi::OutputSlot;
using namespace edgetrace_glue;

alignas(8) char g_input[kInputCapacity];
char g_body[kBodyCapacity];
char g_small[kSmallOutputCapacity];
IoBlock g_io;
HostRandomSource g_random;
edge::Tracer g_tracer(g_random);
std::string g_error;

constexpr double kNanosPerMilli = 1e6;

uint32_t Address(const void* p) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p)); }

int32_t Finish(edge::Status status, std::string_view error = {}) {
  if (edge::IsError(status) && !error.empty()) g_io.SetOutput(edgetrace_abi::kSlotError, error);
  return static_cast<int32_t>(status);
}

// Doubles carry milliseconds with sub-microsecond precision for current dates; the core
// wants integer nanoseconds.
int64_t ToUnixNano(double now_ms) {
  if (!(now_ms > 0) || now_ms > 9.2e12) return 0;
  return static_cast<int64_t>(now_ms * kNanosPerMilli);
}

edge::RequestFields ReadRequestFields(int32_t flags) {
  edge::RequestFields f;
  const IoBlock& io = g_io;
  f.traceparent = io.Field(edgetrace_abi::kFieldTraceparent, g_input);
  f.tracestate = io.Field(edgetrace_abi::kFieldTracestate, g_input);
  f.edge_context = io.Field(edgetrace_abi::kFieldEdgeContext, g_input);
  f.host = io.Field(edgetrace_abi::kFieldHost, g_input);
  f.user_agent = io.Field(edgetrace_abi::kFieldUserAgent, g_input);
  f.forwarded_proto = io.Field(edgetrace_abi::kFieldForwardedProto, g_input);
  f.method = io.Field(edgetrace_abi::kFieldMethod, g_input);
  f.uri = io.Field(edgetrace_abi::kFieldUri, g_input);
  f.querystring = io.Field(edgetrace_abi::kFieldQuerystring, g_input);
  f.client_ip = io.Field(edgetrace_abi::kFieldClientIp, g_input);
  f.distribution_id = io.Field(edgetrace_abi::kFieldDistributionId, g_input);
  f.distribution_domain = io.Field(edgetrace_abi::kFieldDistributionDomain, g_input);
  f.request_id = io.Field(edgetrace_abi::kFieldRequestId, g_input);
  f.response_status = io.Field(edgetrace_abi::kFieldResponseStatus, g_input);
  f.invocation_id = io.Field(edgetrace_abi::kFieldInvocationId, g_input);
  f.cold_start = (flags & edgetrace_abi::kFlagColdStart) != 0;
  return f;
}

}  // namespace

extern "C" {

uint32_t edgetrace_abi_version(void) { return EDGETRACE_ABI_VERSION; }

uint32_t edgetrace_get_io(void) {
  g_io.input_ptr = Address(g_input);
  g_io.input_capacity = kInputCapacity;
  return Address(&g_io);
}

int32_t edgetrace_on_configure(void) {
  g_io.ClearOutputs();
  edge::RuntimeInfo runtime;
  runtime.region = g_io.Field(edgetrace_abi::kFieldCloudRegion, g_input);
  runtime.function_name = g_io.Field(edgetrace_abi::kFieldFunctionName, g_input);
  runtime.function_version = g_io.Field(edgetrace_abi::kFieldFunctionVersion, g_input);
  edge::Status status =
      g_tracer.Configure(g_io.Field(edgetrace_abi::kFieldConfigJson, g_input), runtime, g_error);
  if (status != edge::Status::kOk) return Finish(status, g_error);
  edge::ByteWriter settings(g_small, sizeof(g_small));
  edge::WriteExporterSettings(g_tracer.config(), settings);
  if (settings.overflowed()) return Finish(edge::Status::kOutputFull, "exporter settings too long");
  g_io.SetOutput(edgetrace_abi::kSlotExporterSettings, settings.view());
  return Finish(edge::Status::kOk);
}

int32_t edgetrace_on_request(int32_t trigger, double now_ms, int32_t flags) {
  g_io.ClearOutputs();
  if (trigger != edgetrace_abi::kOriginRequest) return Finish(edge::Status::kNothingToDo);
  edge::RequestDecision decision;
  edge::Status status =
      g_tracer.OnOriginRequest(ReadRequestFields(flags), ToUnixNano(now_ms), decision);
  if (status != edge::Status::kOk) return Finish(status, "origin-request: not traced");
  g_io.SetHeader(edgetrace_abi::kSlotTraceparent, decision.traceparent);
  g_io.SetHeader(edgetrace_abi::kSlotTracestate, decision.tracestate);
  g_io.SetHeader(edgetrace_abi::kSlotEdgeContext, decision.edge_context);
  return Finish(edge::Status::kOk);
}

int32_t edgetrace_on_response(int32_t trigger, double now_ms, int32_t flags) {
  g_io.ClearOutputs();
  if (trigger != edgetrace_abi::kOriginResponse) return Finish(edge::Status::kNothingToDo);
  edge::ByteWriter body(g_body, sizeof(g_body));
  edge::Status status =
      g_tracer.OnOriginResponse(ReadRequestFields(flags), ToUnixNano(now_ms), body);
  if (status == edge::Status::kOutputFull)
    return Finish(status, "span larger than the 32 KiB body buffer");
  if (status == edge::Status::kInvalidInput) return Finish(status, g_tracer.problem());
  if (status != edge::Status::kOk) return Finish(status, "origin-response: not traced");
  g_io.SetOutput(edgetrace_abi::kSlotBody, body.view());
  return Finish(edge::Status::kOk);
}

}  // extern "C"
