#include "edge/tracer.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "support/fixed_random_source.h"

namespace edge {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1700000000123456789;
constexpr RuntimeInfo kRuntime{"ap-southeast-2", "us-east-1.shop-edge", "12"};
constexpr std::string_view kSampledTraceparent =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-53ce929d0e0e4736-01";
constexpr std::string_view kEdgeContext = "1-1700000000000000000";

char g_body[1 << 16];

// Encodes one span for a request origin-request would have produced; "" when nothing is written.
std::string ResponseBody(Tracer& tracer) {
  RequestFields in;
  in.traceparent = kSampledTraceparent;
  in.edge_context = kEdgeContext;
  in.method = "GET";
  in.response_status = "200";
  ByteWriter out(g_body, sizeof g_body);
  const Status status = tracer.OnOriginResponse(in, kNow, out);
  CHECK((status == Status::kOk || status == Status::kNotConfigured));
  return status == Status::kOk ? std::string(out.view()) : std::string();
}

// resourceSpans[0].resource.attributes as key -> string value; nullptr-safe throughout.
json ResourceAttributes(const std::string& body) {
  json root = json::parse(body, nullptr, false);
  REQUIRE_FALSE(root.is_discarded());
  json result = json::object();
  if (!root.is_object() || !root.contains("resourceSpans")) return result;
  const json& rs = root["resourceSpans"];
  if (!rs.is_array() || rs.empty() || !rs[0].is_object() || !rs[0].contains("resource")) {
    return result;
  }
  const json& resource = rs[0]["resource"];
  if (!resource.is_object() || !resource.contains("attributes")) return result;
  const json& attributes = resource["attributes"];
  if (!attributes.is_array()) return result;
  for (const json& a : attributes) {
    if (!a.is_object() || !a.contains("key") || !a["key"].is_string()) continue;
    if (!a.contains("value") || !a["value"].is_object()) continue;
    const json& v = a["value"];
    if (v.contains("stringValue") && v["stringValue"].is_string()) {
      result[a["key"].get<std::string>()] = v["stringValue"];
    }
  }
  return result;
}

std::string Get(const json& attributes, const char* key) {
  return attributes.contains(key) && attributes[key].is_string()
             ? attributes[key].get<std::string>()
             : "<absent>";
}

TEST_CASE("tracer: a new tracer is not configured and refuses both triggers") {
  testing::FixedRandomSource random(7);
  Tracer tracer(random);
  CHECK_FALSE(tracer.configured());
  RequestDecision decision;
  CHECK(tracer.OnOriginRequest(RequestFields{}, kNow, decision) == Status::kNotConfigured);
  CHECK(ResponseBody(tracer).empty());
  CHECK(random.fill_calls() == 0);
}

TEST_CASE("tracer: a rejected config leaves a new tracer unconfigured and names the key") {
  testing::FixedRandomSource random(7);
  Tracer tracer(random);
  std::string error;
  CHECK(tracer.Configure(R"({"sampling":{"ratio":"all"}})", kRuntime, error) == Status::kBadConfig);
  CHECK(error == "sampling.ratio: must be a number from 0 to 1, got a string");
  CHECK_FALSE(tracer.configured());
  RequestDecision decision;
  CHECK(tracer.OnOriginRequest(RequestFields{}, kNow, decision) == Status::kNotConfigured);
  CHECK(tracer.Configure("not json", kRuntime, error) == Status::kBadConfig);
  CHECK(error == "config: not valid JSON");
  CHECK_FALSE(tracer.configured());
}

TEST_CASE("tracer: a good config is applied and clears the error") {
  testing::FixedRandomSource random(7);
  Tracer tracer(random);
  std::string error = "stale";
  REQUIRE(tracer.Configure(R"({"service":{"name":"shop"},"sampling":{"ratio":0.5},
      "propagation":{"trust":"honor"}})",
                           kRuntime, error) == Status::kOk);
  CHECK(error.empty());
  CHECK(tracer.configured());
  CHECK(tracer.config().service_name == "shop");
  CHECK(tracer.config().sampling_ratio == 0.5);
  CHECK(tracer.config().trust == TrustPolicy::kHonor);
}

TEST_CASE("tracer: the resource holds the service, the SDK, the cloud and the function") {
  testing::FixedRandomSource random(7);
  Tracer tracer(random);
  std::string error;
  REQUIRE(tracer.Configure(R"({"service":{"name":"shop","version":"3.1.0","environment":"prod"}})",
                           kRuntime, error) == Status::kOk);
  const json r = ResourceAttributes(ResponseBody(tracer));
  CHECK(Get(r, "service.name") == "shop");
  CHECK(Get(r, "service.version") == "3.1.0");
  CHECK(Get(r, "deployment.environment.name") == "prod");
  CHECK(Get(r, "telemetry.sdk.name") == "edgetrace");
  CHECK(Get(r, "telemetry.sdk.language") == "cpp");
  CHECK(Get(r, "telemetry.sdk.version") == EDGETRACE_VERSION);
  CHECK(Get(r, "cloud.provider") == "aws");
  CHECK(Get(r, "cloud.platform") == "aws_lambda");
  CHECK(Get(r, "cloud.region") == "ap-southeast-2");
  CHECK(Get(r, "faas.name") == "us-east-1.shop-edge");
  CHECK(Get(r, "faas.version") == "12");
  CHECK(r.size() == 11);
}

TEST_CASE("tracer: unset config and runtime values are left out of the resource, not empty") {
  testing::FixedRandomSource random(7);
  Tracer tracer(random);
  std::string error;
  REQUIRE(tracer.Configure("{}", RuntimeInfo{}, error) == Status::kOk);
  const json r = ResourceAttributes(ResponseBody(tracer));
  CHECK(Get(r, "service.name") == "edgetrace");  // the default name
  for (const char* absent : {"service.version", "deployment.environment.name", "cloud.region",
                             "faas.name", "faas.version"}) {
    CAPTURE(absent);
    CHECK_FALSE(r.contains(absent));
  }
  CHECK(r.size() == 6);
}

TEST_CASE("tracer: runtime strings are copied at Configure; the caller may free them") {
  testing::FixedRandomSource random(7);
  Tracer tracer(random);
  std::string error;
  {
    std::string region = "sa-east-1";
    std::string name = "us-east-1.temp";
    std::string version = "99";
    REQUIRE(tracer.Configure("{}", RuntimeInfo{region, name, version}, error) == Status::kOk);
    region.assign(region.size(), 'X');
    name.assign(name.size(), 'X');
    version.assign(version.size(), 'X');
  }
  const json r = ResourceAttributes(ResponseBody(tracer));
  CHECK(Get(r, "cloud.region") == "sa-east-1");
  CHECK(Get(r, "faas.name") == "us-east-1.temp");
  CHECK(Get(r, "faas.version") == "99");
}

TEST_CASE("tracer: service strings with quotes and UTF-8 are escaped into a pure-ASCII body") {
  testing::FixedRandomSource random(7);
  Tracer tracer(random);
  std::string error;
  REQUIRE(tracer.Configure(R"({"service":{"name":"caf\u00e9 \"edge\""}})", kRuntime, error) ==
          Status::kOk);
  const std::string body = ResponseBody(tracer);
  bool ascii = true;
  for (char c : body) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  CHECK(ascii);
  CHECK(Get(ResourceAttributes(body), "service.name") == "caf\xc3\xa9 \"edge\"");
}

TEST_CASE("tracer: Configure again replaces the configuration") {
  testing::FixedRandomSource random(0xff);
  Tracer tracer(random);
  std::string error;
  REQUIRE(tracer.Configure(R"({"service":{"name":"first"}})", kRuntime, error) == Status::kOk);
  CHECK(Get(ResourceAttributes(ResponseBody(tracer)), "service.name") == "first");
  RequestDecision decision;
  REQUIRE(tracer.OnOriginRequest(RequestFields{}, kNow, decision) == Status::kOk);
  CHECK(decision.sampled);

  REQUIRE(tracer.Configure(R"({"service":{"name":"second"},"sampling":{"ratio":0}})", kRuntime,
                           error) == Status::kOk);
  CHECK(Get(ResourceAttributes(ResponseBody(tracer)), "service.name") == "second");
  REQUIRE(tracer.OnOriginRequest(RequestFields{}, kNow, decision) == Status::kOk);
  CHECK_FALSE(decision.sampled);
}

TEST_CASE("tracer: ids come from the random source in batches, not one call per id") {
  testing::FixedRandomSource random(0x11);
  Tracer tracer(random);
  std::string error;
  REQUIRE(tracer.Configure("{}", kRuntime, error) == Status::kOk);
  CHECK(random.fill_calls() == 0);  // nothing drawn before the first request
  RequestDecision decision;
  for (int i = 0; i < 10; ++i) {
    REQUIRE(tracer.OnOriginRequest(RequestFields{}, kNow, decision) == Status::kOk);
  }
  CHECK(random.fill_calls() == 1);
  CHECK(decision.traceparent.value == "00-11111111111111111111111111111111-1111111111111111-03");
}

TEST_CASE("tracer: ids.xrayCompatible is applied to new trace ids") {
  testing::FixedRandomSource random(0x22);
  Tracer tracer(random);
  std::string error;
  REQUIRE(tracer.Configure(R"({"ids":{"xrayCompatible":true}})", kRuntime, error) == Status::kOk);
  RequestDecision decision;
  REQUIRE(tracer.OnOriginRequest(RequestFields{}, kNow, decision) == Status::kOk);
  // 1700000000 s = 0x6553f100 leads the trace id.
  CHECK(decision.traceparent.value == "00-6553f100222222222222222222222222-2222222222222222-03");
}

TEST_CASE("tracer: the response side needs no state from the request side") {
  // Two tracers stand for two sandboxes: the one that closes the span never saw it open.
  testing::FixedRandomSource request_random(0x33);
  testing::FixedRandomSource response_random(0x44);
  Tracer request_side(request_random);
  Tracer response_side(response_random);
  std::string error;
  REQUIRE(request_side.Configure("{}", kRuntime, error) == Status::kOk);
  REQUIRE(response_side.Configure("{}", kRuntime, error) == Status::kOk);
  RequestDecision decision;
  REQUIRE(request_side.OnOriginRequest(RequestFields{}, kNow, decision) == Status::kOk);
  RequestFields in;
  in.traceparent = decision.traceparent.value;
  in.tracestate = decision.tracestate.value;
  in.edge_context = decision.edge_context.value;
  in.method = "GET";
  ByteWriter out(g_body, sizeof g_body);
  REQUIRE(response_side.OnOriginResponse(in, kNow + 1000, out) == Status::kOk);
  const json root = json::parse(out.view(), nullptr, false);
  REQUIRE_FALSE(root.is_discarded());
  CHECK(out.view().find("\"traceId\":\"33333333333333333333333333333333\"") !=
        std::string_view::npos);
  CHECK(out.view().find("\"spanId\":\"3333333333333333\"") != std::string_view::npos);
  CHECK(response_random.fill_calls() == 0);  // closing a span draws no ids
}

}  // namespace
}  // namespace edge
