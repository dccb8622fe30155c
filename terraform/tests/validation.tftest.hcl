# Inputs Lambda@Edge or edgetrace would reject are refused at plan time, with a message that
# says why, instead of failing minutes into a CloudFront deployment.

mock_provider "aws" {
  alias = "us_east_1"

  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
}

variables {
  lambda_dir    = "tests/fixtures/lambda"
  packager_path = "tests/fixtures/fake-packager.mjs"
}

run "unknown_trigger" {
  command = plan
  variables {
    triggers = ["viewer_request"]
  }
  expect_failures = [var.triggers]
}

run "no_trigger" {
  command = plan
  variables {
    triggers = []
  }
  expect_failures = [var.triggers]
}

run "a_single_trigger_cannot_trace" {
  command = plan
  variables {
    triggers = ["origin-request"]
  }
  expect_failures = [var.triggers]
}

run "a_span_opened_at_viewer_request_needs_viewer_response" {
  command = plan
  variables {
    triggers = ["viewer-request", "origin-response"]
  }
  expect_failures = [var.triggers]
}

run "three_triggers_are_refused" {
  command = plan
  variables {
    triggers = ["viewer-request", "origin-request", "origin-response"]
  }
  expect_failures = [var.triggers]
}

run "origin_pair_is_accepted" {
  command = plan
  variables {
    triggers = ["origin-response", "origin-request"]
  }
  assert {
    condition     = jsondecode(output.baked_config).triggers == ["origin-request", "origin-response"]
    error_message = "The origin pair must be accepted and baked."
  }
}

run "viewer_pair_is_accepted" {
  command = plan
  variables {
    triggers = ["viewer-request", "viewer-response"]
  }
  assert {
    condition     = jsondecode(output.baked_config).triggers == ["viewer-request", "viewer-response"] && keys(output.lambda_function_associations) == ["viewer-request", "viewer-response"]
    error_message = "The viewer pair must be accepted, baked and associated."
  }
}

run "all_four_triggers_are_accepted" {
  command = plan
  variables {
    triggers = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
  }
  assert {
    condition     = length(jsondecode(output.baked_config).triggers) == 4 && length(output.lambda_function_associations) == 4
    error_message = "All four triggers must be accepted, baked and associated."
  }
}

run "memory_below_lambda_minimum" {
  command = plan
  variables {
    triggers    = ["origin-request", "origin-response"]
    memory_size = 64
  }
  expect_failures = [var.memory_size]
}

run "timeout_above_origin_limit" {
  command = plan
  variables {
    triggers = ["origin-request", "origin-response"]
    timeout  = 31
  }
  expect_failures = [var.timeout]
}

run "viewer_limits_hold_with_all_four_triggers" {
  command = plan
  variables {
    triggers    = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
    memory_size = 512
    timeout     = 10
  }
  expect_failures = [var.memory_size, var.timeout]
}

run "invalid_function_name" {
  command = plan
  variables {
    function_name = "edge trace"
  }
  expect_failures = [var.function_name]
}

run "otlp_http_needs_an_endpoint" {
  command = plan
  variables {
    config = { exporter = { mode = "otlp-http" } }
  }
  expect_failures = [var.config]
}

run "endpoint_must_be_http_or_https" {
  command = plan
  variables {
    config = { exporter = { mode = "otlp-http", endpoint = "grpc://collector:4317" } }
  }
  expect_failures = [var.config]
}

run "unknown_exporter_mode" {
  command = plan
  variables {
    config = { exporter = { mode = "otlp" } }
  }
  expect_failures = [var.config]
}

run "header_name_must_be_a_token" {
  command = plan
  variables {
    config = { exporter = { headers = { "x api key" = "secret" } } }
  }
  expect_failures = [var.config]
}

run "header_value_without_newlines" {
  command = plan
  variables {
    config = { exporter = { headers = { authorization = "Bearer a\r\nx-injected: 1" } } }
  }
  expect_failures = [var.config]
}

run "exporter_timeout_above_4000_ms" {
  command = plan
  variables {
    config = { exporter = { timeoutMs = 4001 } }
  }
  expect_failures = [var.config]
}

run "exporter_timeout_must_fit_in_function_timeout" {
  command = plan
  variables {
    triggers = ["origin-request", "origin-response"]
    timeout  = 1
    config   = { exporter = { mode = "otlp-http", endpoint = "https://otel.example.com", timeoutMs = 1000 } }
  }
  expect_failures = [var.config]
}

run "sampling_ratio_above_one" {
  command = plan
  variables {
    config = { sampling = { ratio = 1.5 } }
  }
  expect_failures = [var.config]
}

run "sampling_rule_ratio_above_one" {
  command = plan
  variables {
    config = { sampling = { rules = [{ path = "/api/*", ratio = 2 }] } }
  }
  expect_failures = [var.config]
}

run "sampling_rule_method_must_be_a_token" {
  command = plan
  variables {
    config = { sampling = { rules = [{ method = "GET POST", ratio = 1 }] } }
  }
  expect_failures = [var.config]
}

run "max_per_second_must_be_whole" {
  command = plan
  variables {
    config = { sampling = { maxPerSecond = 2.5 } }
  }
  expect_failures = [var.config]
}

run "unknown_trust_policy" {
  command = plan
  variables {
    config = { propagation = { trust = "always" } }
  }
  expect_failures = [var.config]
}

run "trust_incoming_contradicts_trust" {
  command = plan
  variables {
    config = { propagation = { trustIncoming = true, trust = "ignore" } }
  }
  expect_failures = [var.config]
}

run "unknown_extract_format" {
  command = plan
  variables {
    # b3multi is an inject format; extract "b3" reads both B3 encodings.
    config = { propagation = { extract = ["b3multi"] } }
  }
  expect_failures = [var.config]
}

run "inject_format_listed_twice" {
  command = plan
  variables {
    config = { propagation = { inject = ["tracecontext", "xray", "xray"] } }
  }
  expect_failures = [var.config]
}

run "unknown_response_header" {
  command = plan
  variables {
    config = { propagation = { responseHeader = "traceparent" } }
  }
  expect_failures = [var.config]
}

run "capture_refuses_authorization" {
  command = plan
  variables {
    config = { capture = { requestHeaders = ["x-request-id", "Authorization"] } }
  }
  expect_failures = [var.config]
}

run "capture_refuses_set_cookie" {
  command = plan
  variables {
    config = { capture = { responseHeaders = ["Set-Cookie"] } }
  }
  expect_failures = [var.config]
}

run "capture_names_must_be_header_names" {
  command = plan
  variables {
    config = { capture = { requestHeaders = ["user agent"] } }
  }
  expect_failures = [var.config]
}

run "redaction_key_must_not_be_empty" {
  command = plan
  variables {
    config = { redaction = { queryKeys = [""] } }
  }
  expect_failures = [var.config]
}

run "response_header_without_viewer_response_is_reported" {
  command = plan
  variables {
    config = { propagation = { responseHeader = "traceresponse" } }
  }
  expect_failures = [check.settings_need_their_triggers]
}

run "keep_errors_without_origin_response_is_reported" {
  command = plan
  variables {
    triggers = ["viewer-request", "viewer-response"]
    config   = { sampling = { keepErrors = true } }
  }
  expect_failures = [check.settings_need_their_triggers]
}

run "attribute_value_length_below_16" {
  command = plan
  variables {
    config = { limits = { attributeValueLength = 8 } }
  }
  expect_failures = [var.config]
}

run "empty_service_name" {
  command = plan
  variables {
    config = { service = { name = "" } }
  }
  expect_failures = [var.config]
}

run "valid_edge_values_pass" {
  command = plan
  variables {
    config = {
      exporter = { mode = "otlp-http", endpoint = "http://10.0.0.1:4318/otel", timeoutMs = 4000 }
      sampling = { ratio = 0 }
      limits   = { attributeValueLength = 4096 }
    }
  }
  assert {
    condition     = jsondecode(output.baked_config).exporter.timeoutMs == 4000
    error_message = "Boundary values must be accepted."
  }
  # Plain http is allowed but reported.
  expect_failures = [check.exporter_endpoint]
}

run "endpoint_must_be_the_base_url" {
  command = plan
  variables {
    config = { exporter = { mode = "otlp-http", endpoint = "https://otel.example.com/v1/traces/" } }
  }
  expect_failures = [var.config]
}

run "endpoint_needs_a_host" {
  command = plan
  variables {
    config = { exporter = { mode = "otlp-http", endpoint = "https://:4318" } }
  }
  expect_failures = [var.config]
}

run "endpoint_without_query" {
  command = plan
  variables {
    config = { exporter = { mode = "otlp-http", endpoint = "https://otel.example.com?x=1" } }
  }
  expect_failures = [var.config]
}

run "headers_set_by_edgetrace_cannot_be_overridden" {
  command = plan
  variables {
    config = { exporter = { headers = { Content-Type = "text/plain" } } }
  }
  expect_failures = [var.config]
}

run "at_most_16_exporter_headers" {
  command = plan
  variables {
    config = { exporter = { headers = { for i in range(17) : "x-h${i}" => "v" } } }
  }
  expect_failures = [var.config]
}

run "service_version_without_control_characters" {
  command = plan
  variables {
    config = { service = { version = "1.0\n" } }
  }
  expect_failures = [var.config]
}

run "config_and_package_path_together" {
  command = plan
  variables {
    package_path = "tests/fixtures/prebuilt.zip"
    config       = { exporter = { mode = "none" } }
  }
  expect_failures = [var.package_path]
}

run "package_path_must_be_a_zip" {
  command = plan
  variables {
    package_path = "tests/fixtures/lambda/index.mjs"
  }
  expect_failures = [var.package_path]
}

run "missing_prebuilt_zip" {
  command = plan
  variables {
    package_path = "tests/fixtures/does-not-exist.zip"
  }
  expect_failures = [aws_lambda_function.this]
}

run "missing_built_function" {
  command = plan
  variables {
    lambda_dir = "tests/fixtures/does-not-exist"
  }
  expect_failures = [terraform_data.package]
}

run "missing_packager" {
  command = plan
  variables {
    packager_path = "tests/fixtures/does-not-exist.mjs"
  }
  expect_failures = [terraform_data.package]
}

run "unknown_cookie_behavior" {
  command = plan
  variables {
    origin_request_policy = { cookie_behavior = "some" }
  }
  expect_failures = [var.origin_request_policy]
}

run "header_quota_is_reported" {
  command = plan
  variables {
    # All four triggers with every format: the ten trace headers, plus one.
    triggers              = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
    config                = { propagation = { extract = ["tracecontext", "xray", "b3"] } }
    origin_request_policy = { extra_headers = ["CloudFront-Viewer-Country"] }
  }
  assert {
    condition     = length(output.forwarded_headers) == 11
    error_message = "Expected the ten trace headers plus one: ${jsonencode(output.forwarded_headers)}"
  }
  assert {
    condition     = contains(output.forwarded_headers, "cloudfront-viewer-country")
    error_message = "Extra headers are forwarded too (lower-cased)."
  }
  expect_failures = [check.origin_request_policy_header_quota]
}

run "own_origin_request_policy" {
  command = plan
  variables {
    triggers              = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
    origin_request_policy = { create = false }
  }
  assert {
    condition     = length(aws_cloudfront_origin_request_policy.trace_context) == 0 && output.origin_request_policy_id == null
    error_message = "No policy is created when origin_request_policy.create = false."
  }
  assert {
    condition     = output.forwarded_headers == tolist(["traceparent", "tracestate", "baggage", "x-edgetrace-ctx"])
    error_message = "forwarded_headers still lists what the caller's own policy must forward."
  }
}

run "unused_quota_is_left_to_extra_headers" {
  command = plan
  variables {
    # Origin pair, tracecontext only: three trace headers, so seven extra ones fit the quota.
    origin_request_policy = { extra_headers = ["h1", "h2", "h3", "h4", "h5", "h6", "h7"] }
  }
  assert {
    condition     = length(output.forwarded_headers) == 10
    error_message = "Expected three trace headers and seven extra ones: ${jsonencode(output.forwarded_headers)}"
  }
}

run "whitelisted_cookies_and_query_strings" {
  command = plan
  variables {
    origin_request_policy = {
      cookie_behavior       = "whitelist"
      cookies               = ["session"]
      query_string_behavior = "all"
    }
  }
  assert {
    condition     = aws_cloudfront_origin_request_policy.trace_context[0].cookies_config[0].cookies[0].items == toset(["session"])
    error_message = "Whitelisted cookies are forwarded."
  }
  assert {
    condition     = length(aws_cloudfront_origin_request_policy.trace_context[0].query_strings_config[0].query_strings) == 0
    error_message = "No query string list with behavior all."
  }
}
