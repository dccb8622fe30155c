# edgetrace on Lambda@Edge. Every resource uses the caller's us-east-1 provider: Lambda@Edge
# functions must live there, IAM and CloudFront are global.

locals {
  edge_region = "us-east-1"

  viewer_triggers    = ["viewer-request", "viewer-response"]
  has_viewer_trigger = length(setintersection(var.triggers, local.viewer_triggers)) > 0

  # var.triggers in event order, as baked into the config (`triggers`): the function cannot
  # discover its own associations, and the set decides which trigger opens and closes a span.
  event_order    = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
  baked_triggers = [for t in local.event_order : t if contains(var.triggers, t)]

  # Propagation formats the function reads or writes. With package_path the zip's config is
  # unknown here: assume every format, as the policy did before formats were configurable.
  extract_formats = local.bake_package ? var.config.propagation.extract : ["tracecontext", "xray", "b3"]
  inject_formats  = local.bake_package ? var.config.propagation.inject : ["tracecontext", "xray", "b3", "b3multi"]
  forward_xray    = contains(local.extract_formats, "xray") || contains(local.inject_formats, "xray")
  forward_b3      = contains(local.extract_formats, "b3") || contains(local.inject_formats, "b3")
  forward_b3multi = contains(local.extract_formats, "b3") || contains(local.inject_formats, "b3multi")

  # Headers the origin request policy forwards from the viewer request. A header set or changed
  # at viewer-request reaches origin-request and the origin only through this policy (never
  # the cache policy); one set at origin-request goes to the origin without any policy.
  # - traceparent, tracestate, baggage: always (the client's context for extraction at
  #   origin-request; the context viewer-request sets for the origin).
  # - x-edgetrace-ctx: only when viewer-request runs. It carries the root span from
  #   viewer-request to origin-request; in the origin pair nothing would strip a client-sent
  #   one, so it is not forwarded there at all.
  # - x-amzn-trace-id, b3, x-b3-*: when propagation extracts or injects the format. x-b3-flags
  #   is only read (extract "b3"), never injected.
  trace_context_headers = concat(
    ["traceparent", "tracestate", "baggage"],
    local.forward_xray ? ["x-amzn-trace-id"] : [],
    local.forward_b3 ? ["b3"] : [],
    local.forward_b3multi ? ["x-b3-traceid", "x-b3-spanid", "x-b3-sampled"] : [],
    contains(local.extract_formats, "b3") ? ["x-b3-flags"] : [],
    contains(var.triggers, "viewer-request") ? ["x-edgetrace-ctx"] : [],
  )
  forwarded_headers = distinct(concat(local.trace_context_headers, [for h in var.origin_request_policy.extra_headers : lower(h)]))

  # What var.config is when the caller leaves it at {}. Used to refuse config + package_path
  # together; tests/edge_rules.tftest.hcl keeps it in step with the optional() defaults.
  config_defaults_json = jsonencode({
    service     = { name = "edgetrace", version = "", environment = "" }
    exporter    = { mode = "log", endpoint = null, headers = {}, timeoutMs = 200 }
    sampling    = { ratio = 1, rules = [], maxPerSecond = 0, keepErrors = false }
    propagation = { trustIncoming = false, trust = null, extract = ["tracecontext"], inject = ["tracecontext"], responseHeader = "none" }
    ids         = { xrayCompatible = false }
    capture     = { requestHeaders = [], responseHeaders = [] }
    redaction   = { queryKeys = [] }
    limits      = { attributeValueLength = 256 }
  })

  # The JSON the packager bakes as edgetrace.config.json. Unset (null) values are left out
  # rather than written as null: exporter.endpoint, propagation.trust and the fields of a
  # sampling rule. propagation.trust replaces its legacy alias trustIncoming, which is written
  # only when trust is unset.
  baked_config = {
    service = var.config.service
    exporter = merge(
      {
        mode      = var.config.exporter.mode
        headers   = var.config.exporter.headers
        timeoutMs = var.config.exporter.timeoutMs
      },
      var.config.exporter.endpoint == null ? {} : { endpoint = var.config.exporter.endpoint },
    )
    triggers = local.baked_triggers
    sampling = {
      ratio = var.config.sampling.ratio
      rules = [
        for r in var.config.sampling.rules : merge(
          r.host == null ? {} : { host = r.host },
          r.path == null ? {} : { path = r.path },
          r.method == null ? {} : { method = r.method },
          { ratio = r.ratio },
        )
      ]
      maxPerSecond = var.config.sampling.maxPerSecond
      keepErrors   = var.config.sampling.keepErrors
    }
    # Single-key for expressions rather than `cond ? {a = bool} : {b = string}`: a conditional
    # would unify both branches to map(string) and bake trustIncoming as "false".
    propagation = merge(
      { for k, v in { trustIncoming = var.config.propagation.trustIncoming } : k => v if var.config.propagation.trust == null },
      { for k, v in { trust = var.config.propagation.trust } : k => v if v != null },
      {
        extract        = var.config.propagation.extract
        inject         = var.config.propagation.inject
        responseHeader = var.config.propagation.responseHeader
      },
    )
    ids       = var.config.ids
    capture   = var.config.capture
    redaction = var.config.redaction
    limits    = var.config.limits
  }
  baked_config_json = jsonencode(local.baked_config)

  # Packaging. Either a prebuilt zip (package_path), hashed at plan time, or a zip baked at apply
  # time by the project's packager from dist/lambda + config (see README, "Packaging").
  bake_package  = var.package_path == null
  lambda_dir    = coalesce(var.lambda_dir, "${path.module}/../dist/lambda")
  packager_path = coalesce(var.packager_path, "${path.module}/../shim-js/tools/package.mjs")
  build_dir     = coalesce(var.build_dir, "${path.root}/.terraform/edgetrace")

  # The zip does not exist at plan time, so its digest cannot be the update trigger. The trigger
  # is a digest of everything the zip is made from: the built function files (the packager
  # replaces edgetrace.config.json), the baked config and the function name (a renamed function
  # is a new function that needs the zip again).
  base_files = local.bake_package ? sort([
    for f in fileset(local.lambda_dir, "**") : f if f != "edgetrace.config.json"
  ]) : []
  package_inputs = jsonencode({
    files    = { for f in local.base_files : f => filesha256("${local.lambda_dir}/${f}") }
    config   = local.baked_config_json
    function = var.function_name
  })
  baked_zip_path = "${local.build_dir}/${var.function_name}/edgetrace-${substr(sha256(local.package_inputs), 0, 16)}.zip"

  zip_path = local.bake_package ? local.baked_zip_path : var.package_path
  source_code_hash = local.bake_package ? base64sha256(local.package_inputs) : (
    fileexists(var.package_path) ? filebase64sha256(var.package_path) : null
  )

  # Viewer triggers accept at most 1 MB zipped; base64 of 1 MiB is 1398104 characters.
  # Checkable at plan time only for a prebuilt zip; the packager checks a baked one.
  viewer_package_fits = (local.bake_package || !local.has_viewer_trigger) ? true : (
    fileexists(var.package_path) ? length(filebase64(var.package_path)) <= 1398104 : true
  )

  role_name = coalesce(var.role_name, substr("${var.function_name}-edge", 0, 64))

  # Replicas log in whichever region runs them, to a group named after the us-east-1 function.
  edge_log_group_name = "/aws/lambda/${local.edge_region}.${var.function_name}"
  edge_log_group_arn  = "arn:${data.aws_partition.current.partition}:logs:*:${data.aws_caller_identity.current.account_id}:log-group:${local.edge_log_group_name}"
}

data "aws_region" "current" {
  provider = aws.us_east_1
}

data "aws_partition" "current" {
  provider = aws.us_east_1
}

data "aws_caller_identity" "current" {
  provider = aws.us_east_1
}

# --- Execution role ------------------------------------------------------------------------

resource "aws_iam_role" "this" {
  provider = aws.us_east_1

  name        = local.role_name
  description = "Execution role of the edgetrace Lambda@Edge function ${var.function_name}"
  # Lambda@Edge needs both: lambda.amazonaws.com for the function in us-east-1,
  # edgelambda.amazonaws.com for the replicas CloudFront runs.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaAndLambdaAtEdge"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "logs" {
  provider = aws.us_east_1

  name = "edgetrace-logs"
  role = aws_iam_role.this.id
  # Least privilege: only the replicas' own log group, but in any region (region "*"),
  # since CloudFront decides where replicas run.
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "CreateEdgeLogGroupInAnyRegion"
        Effect   = "Allow"
        Action   = ["logs:CreateLogGroup"]
        Resource = [local.edge_log_group_arn, "${local.edge_log_group_arn}:*"]
      },
      {
        Sid      = "WriteEdgeLogsInAnyRegion"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${local.edge_log_group_arn}:log-stream:*"]
      },
    ]
  })
}

# --- Package -------------------------------------------------------------------------------

# Bakes var.config into a zip at apply time with the project's packager, which validates the
# config with the same rules as the function at load and writes a reproducible zip. Replaced
# (so rebuilt) whenever anything the zip is made from changes.
resource "terraform_data" "package" {
  count = local.bake_package ? 1 : 0

  triggers_replace = local.source_code_hash
  input            = local.zip_path

  lifecycle {
    precondition {
      condition     = fileexists("${local.lambda_dir}/index.mjs") && fileexists("${local.lambda_dir}/edgetrace.wasm")
      error_message = "No built function in ${local.lambda_dir} (index.mjs, edgetrace.wasm): run `make package` in the edgetrace repository first, or set lambda_dir, or deploy a prebuilt zip with package_path."
    }
    precondition {
      condition     = fileexists(local.packager_path)
      error_message = "The packager ${local.packager_path} is missing: set packager_path, or deploy a prebuilt zip with package_path."
    }
  }

  provisioner "local-exec" {
    # Values travel in the environment, not in the command line: no quoting issues, and
    # exporter headers (often credentials) do not show up in process listings or the plan.
    command = "/bin/sh \"$EDGETRACE_BUILD_SCRIPT\""
    environment = {
      EDGETRACE_BUILD_SCRIPT = abspath("${path.module}/scripts/build-package.sh")
      EDGETRACE_PACKAGER     = abspath(local.packager_path)
      EDGETRACE_LAMBDA_DIR   = abspath(local.lambda_dir)
      EDGETRACE_OUT          = abspath(local.baked_zip_path)
      EDGETRACE_CONFIG_JSON  = local.baked_config_json
    }
  }
}

# --- Function ------------------------------------------------------------------------------

resource "aws_lambda_function" "this" {
  provider = aws.us_east_1

  function_name = var.function_name
  description   = var.description
  role          = aws_iam_role.this.arn

  package_type     = "Zip"
  filename         = local.zip_path
  source_code_hash = local.source_code_hash
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  architectures    = ["x86_64"] # Lambda@Edge rejects arm64

  memory_size = var.memory_size
  timeout     = var.timeout

  # CloudFront associates a numbered version (qualified ARN), never $LATEST.
  publish = true
  # Replicas outlive disassociation by hours; see var.skip_destroy.
  skip_destroy = var.skip_destroy

  # Deliberately absent, because Lambda@Edge rejects them: environment (configuration is baked
  # into the package instead), layers, vpc_config, file_system_config, dead_letter_config,
  # tracing_config, image_config, snap_start, a custom logging_config log group.

  tags = var.tags

  depends_on = [
    terraform_data.package,
    aws_iam_role_policy.logs,
  ]

  lifecycle {
    precondition {
      condition     = data.aws_region.current.name == local.edge_region
      error_message = "Lambda@Edge functions must be created in us-east-1, but the provider passed as aws.us_east_1 is configured for ${data.aws_region.current.name}. Pass `providers = { aws.us_east_1 = aws.<an alias with region = \"us-east-1\"> }`."
    }
    precondition {
      condition     = local.bake_package || fileexists(coalesce(var.package_path, "-"))
      error_message = "package_path ${coalesce(var.package_path, "-")} does not exist: build it first (`make package`), or leave package_path unset to bake config at apply time."
    }
    precondition {
      condition     = local.viewer_package_fits
      error_message = "The package is larger than 1 MB zipped, the Lambda@Edge limit for viewer triggers. Choose only origin triggers (50 MB limit) or shrink the package."
    }
  }
}

# --- Origin request policy -----------------------------------------------------------------

resource "aws_cloudfront_origin_request_policy" "trace_context" {
  provider = aws.us_east_1
  count    = var.origin_request_policy.create ? 1 : 0

  name    = coalesce(var.origin_request_policy.name, "${var.function_name}-trace-context")
  comment = var.origin_request_policy.comment

  headers_config {
    header_behavior = "whitelist"
    headers {
      items = local.forwarded_headers
    }
  }

  cookies_config {
    cookie_behavior = var.origin_request_policy.cookie_behavior
    dynamic "cookies" {
      for_each = contains(["whitelist", "allExcept"], var.origin_request_policy.cookie_behavior) ? [1] : []
      content {
        items = var.origin_request_policy.cookies
      }
    }
  }

  query_strings_config {
    query_string_behavior = var.origin_request_policy.query_string_behavior
    dynamic "query_strings" {
      for_each = contains(["whitelist", "allExcept"], var.origin_request_policy.query_string_behavior) ? [1] : []
      content {
        items = var.origin_request_policy.query_strings
      }
    }
  }
}

# --- Warnings (check blocks report, they do not fail the plan) -----------------------------

check "origin_request_policy_header_quota" {
  assert {
    condition     = !var.origin_request_policy.create || length(local.forwarded_headers) <= 10
    error_message = "The origin request policy lists ${length(local.forwarded_headers)} headers; CloudFront's default quota is 10 headers per origin request policy (adjustable through Service Quotas). Expect the apply to fail until the quota is raised."
  }
}

check "settings_need_their_triggers" {
  assert {
    condition     = var.config.propagation.responseHeader == "none" || contains(var.triggers, "viewer-response")
    error_message = "config.propagation.responseHeader = \"${var.config.propagation.responseHeader}\" has no effect without viewer-response: the header is added to the response the viewer receives."
  }
  assert {
    condition     = !var.config.sampling.keepErrors || contains(var.triggers, "origin-response")
    error_message = "config.sampling.keepErrors has no effect without origin-response: unsampled 5xx responses are exported by origin-response (viewer-response does not run for origin errors)."
  }
}

check "exporter_endpoint" {
  assert {
    condition     = var.config.exporter.mode != "otlp-http" || var.config.exporter.endpoint == null ? true : startswith(var.config.exporter.endpoint, "https://")
    error_message = "config.exporter.endpoint uses plain http: spans (and exporter headers) would cross the internet unencrypted from every edge region."
  }
}
