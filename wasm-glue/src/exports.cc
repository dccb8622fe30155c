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
  f.xray = io.Field(edgetrace_abi::kFieldXRay, g_input);
  f.b3 = io.Field(edgetrace_abi::kFieldB3, g_input);
  f.b3_trace_id = io.Field(edgetrace_abi::kFieldB3TraceId, g_input);
  f.b3_span_id = io.Field(edgetrace_abi::kFieldB3SpanId, g_input);
  f.b3_sampled = io.Field(edgetrace_abi::kFieldB3Sampled, g_input);
  f.b3_flags = io.Field(edgetrace_abi::kFieldB3Flags, g_input);
  f.fill_stamp = io.Field(edgetrace_abi::kFieldFillStamp, g_input);
  f.captured_request_headers = io.Field(edgetrace_abi::kFieldCapturedRequestHeaders, g_input);
  f.captured_response_headers = io.Field(edgetrace_abi::kFieldCapturedResponseHeaders, g_input);
  f.exception_type = io.Field(edgetrace_abi::kFieldExceptionType, g_input);
  f.exception_message = io.Field(edgetrace_abi::kFieldExceptionMessage, g_input);
  f.cold_start = (flags & edgetrace_abi::kFlagColdStart) != 0;
  f.synthetic = (flags & edgetrace_abi::kFlagWarmUp) != 0;
  return f;
}

bool IsTrigger(int32_t t) {
  return t >= edgetrace_abi::kViewerRequest && t <= edgetrace_abi::kViewerResponse;
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
  if (!IsTrigger(trigger)) return Finish(edge::Status::kNothingToDo);
  edge::RequestDecision d;
  edge::Status status = g_tracer.OnRequest(static_cast<edge::Trigger>(trigger),
                                           ReadRequestFields(flags), ToUnixNano(now_ms), d);
  if (status == edge::Status::kInvalidInput) return Finish(status, g_tracer.problem());
  if (status != edge::Status::kOk) return Finish(status, "request not traced");
  g_io.SetHeader(edgetrace_abi::kSlotTraceparent, d.traceparent);
  g_io.SetHeader(edgetrace_abi::kSlotTracestate, d.tracestate);
  g_io.SetHeader(edgetrace_abi::kSlotEdgeContext, d.edge_context);
  g_io.SetHeader(edgetrace_abi::kSlotXRay, d.xray);
  g_io.SetHeader(edgetrace_abi::kSlotB3, d.b3);
  g_io.SetHeader(edgetrace_abi::kSlotB3TraceId, d.b3_trace_id);
  g_io.SetHeader(edgetrace_abi::kSlotB3SpanId, d.b3_span_id);
  g_io.SetHeader(edgetrace_abi::kSlotB3Sampled, d.b3_sampled);
  if (!d.notice.empty()) g_io.SetOutput(edgetrace_abi::kSlotError, d.notice);
  return Finish(edge::Status::kOk);
}

int32_t edgetrace_on_response(int32_t trigger, double now_ms, int32_t flags) {
  g_io.ClearOutputs();
  if (!IsTrigger(trigger)) return Finish(edge::Status::kNothingToDo);
  uint32_t closing = 0;
  if (flags & edgetrace_abi::kFlagGeneratedResponse)
    closing |= edge::Tracer::kClosedByGeneratedResponse;
  if (flags & edgetrace_abi::kFlagHandlerThrew) closing |= edge::Tracer::kClosedByThrow;
  edge::ByteWriter body(g_body, sizeof(g_body));
  edge::ResponseDecision d;
  edge::Status status =
      g_tracer.OnResponse(static_cast<edge::Trigger>(trigger), ReadRequestFields(flags),
                          ToUnixNano(now_ms), closing, d, body);
  if (status == edge::Status::kOutputFull)
    return Finish(status, "spans larger than the 32 KiB body buffer");
  if (status == edge::Status::kInvalidInput) return Finish(status, g_tracer.problem());
  if (status != edge::Status::kOk) return Finish(status, "response not traced");
  g_io.SetOutput(edgetrace_abi::kSlotBody, body.view());
  g_io.SetHeader(edgetrace_abi::kSlotFillStamp, d.fill_stamp);
  const edgetrace_abi::OutputSlot correlation =
      g_tracer.config().response_header == edge::ResponseHeaderMode::kServerTiming
          ? edgetrace_abi::kSlotServerTiming
          : edgetrace_abi::kSlotTraceResponse;
  g_io.SetHeader(correlation, d.correlation);
  static const char kDigits[] = "0123456789";
  g_io.SetOutput(edgetrace_abi::kSlotSpanCount, {kDigits + (d.span_count % 10), 1});
  return Finish(edge::Status::kOk);
}

}  // extern "C"
