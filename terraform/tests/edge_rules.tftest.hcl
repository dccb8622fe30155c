# Lambda@Edge rules made visible in the plan and in (mocked) applies. No AWS account is needed:
# the aws provider is mocked; the mocks return realistic ARNs where the module reads them.

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
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/edgetrace-edge" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace"
      qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace:7"
      version       = "7"
      code_sha256   = "WFSLOnqOygPWjfdK8z2G0w4ri4qPwvjIwnz8+b3MzK8="
    }
  }
  mock_resource "aws_cloudfront_origin_request_policy" {
    defaults = { id = "0b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9" }
  }
}

variables {
  lambda_dir    = "tests/fixtures/lambda"
  packager_path = "tests/fixtures/fake-packager.mjs"
}

run "function_follows_lambda_at_edge_rules" {
  command = plan

  variables {
    triggers = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
  }

  assert {
    condition     = data.aws_region.current.name == "us-east-1"
    error_message = "The function must be created through the us-east-1 provider."
  }
  assert {
    condition     = aws_lambda_function.this.publish == true
    error_message = "CloudFront needs a published version: publish must be true."
  }
  assert {
    condition     = aws_lambda_function.this.runtime == "nodejs22.x"
    error_message = "Runtime must be nodejs22.x."
  }
  assert {
    condition     = aws_lambda_function.this.handler == "index.handler"
    error_message = "Handler must be index.handler (the package contract)."
  }
  assert {
    condition     = aws_lambda_function.this.architectures == tolist(["x86_64"])
    error_message = "Lambda@Edge runs x86_64 only."
  }
  assert {
    condition     = aws_lambda_function.this.package_type == "Zip"
    error_message = "Lambda@Edge needs zip packaging."
  }
  assert {
    condition     = length(aws_lambda_function.this.environment) == 0
    error_message = "Lambda@Edge rejects environment variables: there must be no environment block."
  }
  assert {
    condition     = try(length(aws_lambda_function.this.layers), 0) == 0
    error_message = "Lambda@Edge rejects layers."
  }
  assert {
    condition     = length(aws_lambda_function.this.vpc_config) == 0 && length(aws_lambda_function.this.file_system_config) == 0
    error_message = "Lambda@Edge rejects VPC and file system configuration."
  }
  assert {
    condition     = length(aws_lambda_function.this.tracing_config) == 0 && length(aws_lambda_function.this.dead_letter_config) == 0
    error_message = "Lambda@Edge rejects tracing and dead-letter configuration."
  }
  assert {
    condition     = aws_lambda_function.this.memory_size == 128 && aws_lambda_function.this.timeout == 5
    error_message = "With viewer triggers chosen, the defaults must stay within 128 MB and 5 s."
  }
  assert {
    condition     = aws_lambda_function.this.skip_destroy == true
    error_message = "Replicated versions outlive disassociation: skip_destroy must default to true."
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == base64sha256(local.package_inputs)
    error_message = "source_code_hash must follow the package inputs."
  }
  assert {
    condition     = startswith(aws_lambda_function.this.filename, "./.terraform/edgetrace/edgetrace/edgetrace-")
    error_message = "The baked zip belongs under .terraform/edgetrace/<function>/ by default, got ${aws_lambda_function.this.filename}."
  }
  assert {
    condition     = terraform_data.package[0].triggers_replace == aws_lambda_function.this.source_code_hash
    error_message = "The package must be rebuilt exactly when the function's code trigger changes."
  }
}

run "role_is_trusted_by_lambda_and_edgelambda" {
  command = plan

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role.this.assume_role_policy).Statement : s.Principal.Service
      if s.Effect == "Allow" && s.Action == "sts:AssumeRole"
    ])) == toset(["lambda.amazonaws.com", "edgelambda.amazonaws.com"])
    error_message = "The role must trust exactly lambda.amazonaws.com and edgelambda.amazonaws.com."
  }
}

run "log_permissions_are_scoped_to_the_edge_log_group_in_every_region" {
  command = plan

  assert {
    condition = toset(flatten([
      for s in jsondecode(aws_iam_role_policy.logs.policy).Statement : s.Action
    ])) == toset(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"])
    error_message = "The role may only create its log group and write to it."
  }
  assert {
    condition = alltrue([
      for r in flatten([for s in jsondecode(aws_iam_role_policy.logs.policy).Statement : s.Resource]) :
      startswith(r, "arn:aws:logs:*:123456789012:log-group:/aws/lambda/us-east-1.edgetrace")
    ])
    error_message = "Log permissions must name /aws/lambda/us-east-1.<function> with region * and nothing else."
  }
  assert {
    condition     = output.log_group_name == "/aws/lambda/us-east-1.edgetrace"
    error_message = "Replicas log to /aws/lambda/us-east-1.<function-name>."
  }
}

run "origin_request_policy_forwards_trace_headers" {
  command = plan

  assert {
    condition     = aws_cloudfront_origin_request_policy.trace_context[0].headers_config[0].header_behavior == "whitelist"
    error_message = "Trace headers are forwarded by an explicit list."
  }
  assert {
    # Origin pair, tracecontext only: the client's W3C context for origin-request, nothing
    # else; in particular no x-edgetrace-ctx, which only viewer-request may set.
    condition = toset(aws_cloudfront_origin_request_policy.trace_context[0].headers_config[0].headers[0].items) == toset([
      "traceparent", "tracestate", "baggage",
    ])
    error_message = "The default policy must forward exactly traceparent, tracestate and baggage."
  }
  assert {
    condition     = aws_cloudfront_origin_request_policy.trace_context[0].cookies_config[0].cookie_behavior == "none" && aws_cloudfront_origin_request_policy.trace_context[0].query_strings_config[0].query_string_behavior == "none"
    error_message = "By default the policy adds nothing but the trace headers."
  }
  assert {
    condition     = output.forwarded_headers == tolist(["traceparent", "tracestate", "baggage"])
    error_message = "forwarded_headers must list what the policy forwards."
  }
}

run "viewer_request_context_is_forwarded_with_all_four_triggers" {
  command = plan

  variables {
    triggers = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
  }

  assert {
    condition     = toset(aws_cloudfront_origin_request_policy.trace_context[0].headers_config[0].headers[0].items) == toset(["traceparent", "tracestate", "baggage", "x-edgetrace-ctx"])
    error_message = "With viewer-request, x-edgetrace-ctx must reach origin-request: ${jsonencode(output.forwarded_headers)}"
  }
}

run "viewer_request_context_is_forwarded_with_the_viewer_pair" {
  command = plan

  variables {
    triggers = ["viewer-request", "viewer-response"]
  }

  assert {
    condition     = contains(output.forwarded_headers, "x-edgetrace-ctx") && contains(output.forwarded_headers, "traceparent")
    error_message = "With viewer-request, what it sets must be forwarded: ${jsonencode(output.forwarded_headers)}"
  }
}

run "extracted_xray_and_b3_headers_are_forwarded" {
  command = plan

  variables {
    config = { propagation = { extract = ["xray", "b3", "tracecontext"] } }
  }

  assert {
    condition = toset(output.forwarded_headers) == toset([
      "traceparent", "tracestate", "baggage", "x-amzn-trace-id",
      "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "x-b3-flags",
    ])
    error_message = "Extracting X-Ray and B3 needs their headers at origin-request: ${jsonencode(output.forwarded_headers)}"
  }
}

run "injected_headers_are_forwarded_per_format" {
  command = plan

  variables {
    triggers = ["viewer-request", "viewer-response"]
    config   = { propagation = { inject = ["tracecontext", "xray", "b3multi"] } }
  }

  assert {
    condition = toset(output.forwarded_headers) == toset([
      "traceparent", "tracestate", "baggage", "x-amzn-trace-id",
      "x-b3-traceid", "x-b3-spanid", "x-b3-sampled", "x-edgetrace-ctx",
    ])
    error_message = "Injecting X-Ray and B3 multi-header (not single b3, not flags) must forward exactly those: ${jsonencode(output.forwarded_headers)}"
  }
}

run "prebuilt_package_forwards_every_format" {
  command = plan

  # The config of a prebuilt zip is not known at plan time.
  variables {
    package_path = "tests/fixtures/prebuilt.zip"
    triggers     = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
  }

  assert {
    condition     = length(output.forwarded_headers) == 10
    error_message = "With package_path every trace header must be forwarded: ${jsonencode(output.forwarded_headers)}"
  }
}

run "default_config_is_baked_with_its_defaults" {
  command = plan

  assert {
    condition     = output.baked_config == "{\"capture\":{\"requestHeaders\":[],\"responseHeaders\":[]},\"exporter\":{\"headers\":{},\"mode\":\"log\",\"timeoutMs\":200},\"ids\":{\"xrayCompatible\":false},\"limits\":{\"attributeValueLength\":256},\"propagation\":{\"extract\":[\"tracecontext\"],\"inject\":[\"tracecontext\"],\"responseHeader\":\"none\",\"trustIncoming\":false},\"redaction\":{\"queryKeys\":[]},\"sampling\":{\"keepErrors\":false,\"maxPerSecond\":0,\"ratio\":1,\"rules\":[]},\"service\":{\"environment\":\"\",\"name\":\"edgetrace\",\"version\":\"\"},\"triggers\":[\"origin-request\",\"origin-response\"]}"
    error_message = "Unexpected default config: ${nonsensitive(output.baked_config)}"
  }
  assert {
    # Keeps the literal used to refuse config + package_path in step with the optional() defaults.
    condition     = jsonencode(var.config) == local.config_defaults_json
    error_message = "local.config_defaults_json no longer matches the optional() defaults of var.config."
  }
}

run "full_config_is_baked_verbatim" {
  command = plan

  variables {
    config = {
      service  = { name = "shop", version = "1.4.2", environment = "production" }
      exporter = { mode = "otlp-http", endpoint = "https://otel.example.com", headers = { authorization = "Bearer abc" }, timeoutMs = 400 }
      sampling = {
        ratio = 0.25
        rules = [
          { host = "api.example.com", path = "/checkout/*", method = "POST", ratio = 1 },
          { path = "/static/*", ratio = 0 },
        ]
        maxPerSecond = 50
        keepErrors   = true
      }
      propagation = { trust = "ids-only", extract = ["tracecontext", "xray"], inject = ["tracecontext", "xray"], responseHeader = "server-timing" }
      ids         = { xrayCompatible = true }
      capture     = { requestHeaders = ["User-Agent", "x-request-id"], responseHeaders = ["content-type"] }
      redaction   = { queryKeys = ["token", "session"] }
      limits      = { attributeValueLength = 1024 }
    }
  }

  assert {
    condition = jsondecode(output.baked_config) == {
      service  = { name = "shop", version = "1.4.2", environment = "production" }
      exporter = { mode = "otlp-http", endpoint = "https://otel.example.com", headers = { authorization = "Bearer abc" }, timeoutMs = 400 }
      triggers = ["origin-request", "origin-response"]
      sampling = {
        ratio = 0.25
        rules = [
          { host = "api.example.com", path = "/checkout/*", method = "POST", ratio = 1 },
          { path = "/static/*", ratio = 0 },
        ]
        maxPerSecond = 50
        keepErrors   = true
      }
      propagation = { trust = "ids-only", extract = ["tracecontext", "xray"], inject = ["tracecontext", "xray"], responseHeader = "server-timing" }
      ids         = { xrayCompatible = true }
      capture     = { requestHeaders = ["User-Agent", "x-request-id"], responseHeaders = ["content-type"] }
      redaction   = { queryKeys = ["token", "session"] }
      limits      = { attributeValueLength = 1024 }
    }
    error_message = "Config not baked as given: ${nonsensitive(output.baked_config)}"
  }
  assert {
    # Typed JSON: numbers and booleans stay numbers and booleans, unset rule fields are absent.
    condition     = strcontains(output.baked_config, "{\"path\":\"/static/*\",\"ratio\":0}") && strcontains(output.baked_config, "\"keepErrors\":true") && strcontains(output.baked_config, "\"maxPerSecond\":50")
    error_message = "Rules, keepErrors or maxPerSecond not baked with their JSON types: ${nonsensitive(output.baked_config)}"
  }
  assert {
    condition     = output.package_path != run.function_follows_lambda_at_edge_rules.package_path
    error_message = "A config change must produce a new package (and a new code trigger)."
  }
  # responseHeader without viewer-response is reported, not refused.
  expect_failures = [check.settings_need_their_triggers]
}

run "triggers_are_baked_in_event_order" {
  command = plan

  variables {
    triggers = ["viewer-response", "origin-response", "origin-request", "viewer-request"]
  }

  assert {
    condition     = jsondecode(output.baked_config).triggers == ["viewer-request", "origin-request", "origin-response", "viewer-response"]
    error_message = "The module's triggers must be baked into the config: ${nonsensitive(output.baked_config)}"
  }
}

run "legacy_trust_incoming_is_baked_as_a_boolean" {
  command = plan

  variables {
    config = { propagation = { trustIncoming = true } }
  }

  assert {
    condition     = jsondecode(output.baked_config).propagation == { trustIncoming = true, extract = ["tracecontext"], inject = ["tracecontext"], responseHeader = "none" }
    error_message = "trustIncoming must be baked as given (a boolean) and trust left out while unset: ${nonsensitive(output.baked_config)}"
  }
  assert {
    condition     = strcontains(output.baked_config, "\"trustIncoming\":true")
    error_message = "trustIncoming must be a JSON boolean: ${nonsensitive(output.baked_config)}"
  }
}

run "trust_replaces_trust_incoming" {
  command = plan

  variables {
    config = { propagation = { trustIncoming = true, trust = "honor" } }
  }

  assert {
    condition     = !can(jsondecode(output.baked_config).propagation.trustIncoming) && jsondecode(output.baked_config).propagation.trust == "honor"
    error_message = "With trust set only trust is baked: ${nonsensitive(output.baked_config)}"
  }
}

run "origin_only_triggers_may_use_origin_limits" {
  command = plan

  variables {
    triggers    = ["origin-request", "origin-response"]
    memory_size = 1024
    timeout     = 30
  }

  assert {
    condition     = aws_lambda_function.this.memory_size == 1024 && aws_lambda_function.this.timeout == 30
    error_message = "Origin-only functions may use up to 10240 MB and 30 s."
  }
  assert {
    condition     = keys(output.lambda_function_associations) == ["origin-request", "origin-response"]
    error_message = "One association per chosen trigger."
  }
}

run "viewer_trigger_rejects_more_than_128_mb" {
  command = plan

  variables {
    triggers    = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
    memory_size = 256
  }

  expect_failures = [var.memory_size]
}

run "viewer_trigger_rejects_more_than_5_s" {
  command = plan

  variables {
    triggers = ["viewer-request", "viewer-response"]
    timeout  = 6
  }

  expect_failures = [var.timeout]
}

run "function_outside_us_east_1_is_refused" {
  command = plan

  override_data {
    target = data.aws_region.current
    values = { name = "eu-west-1" }
  }

  expect_failures = [aws_lambda_function.this]
}

run "origin_pair_is_the_default" {
  command = plan

  assert {
    condition     = keys(output.lambda_function_associations) == ["origin-request", "origin-response"]
    error_message = "edgetrace traces the origin pair: it is the default choice of triggers."
  }
}

run "associations_reference_the_qualified_arn" {
  # A prebuilt zip, so the mocked apply needs no packager.
  variables {
    package_path = "tests/fixtures/prebuilt.zip"
    triggers     = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
  }

  assert {
    condition     = keys(output.lambda_function_associations) == ["origin-request", "origin-response", "viewer-request", "viewer-response"]
    error_message = "One association per chosen trigger."
  }
  assert {
    condition = alltrue([
      for event_type, a in output.lambda_function_associations :
      a.event_type == event_type && a.lambda_arn == aws_lambda_function.this.qualified_arn && a.include_body == false
    ])
    error_message = "Each association must carry its event type, the qualified ARN and include_body = false."
  }
  assert {
    condition     = can(regex(":function:[^:]+:[0-9]+$", output.lambda_function_associations["viewer-request"].lambda_arn))
    error_message = "CloudFront needs a numbered version ARN, not $LATEST or the unqualified ARN."
  }
  assert {
    condition     = output.qualified_arn == "${output.function_arn}:${output.version}"
    error_message = "qualified_arn must be the function ARN plus the published version."
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("tests/fixtures/prebuilt.zip")
    error_message = "A prebuilt zip is tracked by its own SHA-256."
  }
  assert {
    condition     = length(terraform_data.package) == 0 && output.baked_config == ""
    error_message = "Nothing is baked when a prebuilt zip is given."
  }
  assert {
    condition     = output.origin_request_policy_id == "0b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
    error_message = "origin_request_policy_id must be the policy's id."
  }
}
