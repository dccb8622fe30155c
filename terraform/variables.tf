variable "function_name" {
  description = "Name of the Lambda@Edge function. Its replicas log to the CloudWatch log group /aws/lambda/us-east-1.<function_name> in each region where they run."
  type        = string
  default     = "edgetrace"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1 to 64 characters of letters, digits, hyphens and underscores."
  }
}

variable "description" {
  description = "Description of the Lambda function."
  type        = string
  default     = "edgetrace: OpenTelemetry tracing for CloudFront (Lambda@Edge)"
  nullable    = false

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters (Lambda limit)."
  }
}

variable "triggers" {
  description = <<-EOT
    CloudFront events the function is associated with; one lambda_function_association is
    output per trigger, and the set is baked into the package as the config's `triggers` (the
    function cannot discover its own associations). A trace needs the trigger that opens a span
    and the one that closes it, so three deployments are accepted:
    - ["origin-request", "origin-response"] (default): one SERVER span per cache miss; origin
      triggers run only when CloudFront goes to the origin.
    - ["viewer-request", "viewer-response"]: viewer-request opens the edge root span for every
      request, cache hits included, viewer-response closes it.
    - all four: the edge root span for every request, plus an "origin fetch" CLIENT span per
      miss and the cache status (hit/miss) on the root.
    Viewer triggers run on every request and limit the function to 128 MB / 5 s.
  EOT
  type        = set(string)
  default     = ["origin-request", "origin-response"]
  nullable    = false

  validation {
    condition     = length(var.triggers) > 0
    error_message = "triggers must name at least one CloudFront event."
  }

  validation {
    condition = alltrue([
      for t in var.triggers : contains(["viewer-request", "origin-request", "origin-response", "viewer-response"], t)
    ])
    error_message = "triggers may only contain viewer-request, origin-request, origin-response and viewer-response."
  }

  validation {
    condition = anytrue([
      for pair in [
        ["origin-request", "origin-response"],
        ["viewer-request", "viewer-response"],
        ["viewer-request", "origin-request", "origin-response", "viewer-response"],
      ] : var.triggers == toset(pair)
    ])
    error_message = "triggers must be exactly [\"origin-request\", \"origin-response\"], [\"viewer-request\", \"viewer-response\"] or all four: a trace needs both the trigger that opens a span and the one that closes it (origin-request opens the origin span and origin-response closes it; viewer-request opens the edge root span and viewer-response closes it)."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB. Lambda@Edge allows at most 128 MB when a viewer trigger is chosen, up to 10240 MB for origin triggers only."
  type        = number
  default     = 128
  nullable    = false

  validation {
    condition     = floor(var.memory_size) == var.memory_size && var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be a whole number of MB between 128 and 10240."
  }

  validation {
    condition     = length(setintersection(var.triggers, ["viewer-request", "viewer-response"])) == 0 || var.memory_size <= 128
    error_message = "memory_size must be 128 MB when a viewer trigger (viewer-request or viewer-response) is chosen: that is the Lambda@Edge limit for viewer events. Choose only origin triggers to use more memory."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. Lambda@Edge allows at most 5 s when a viewer trigger is chosen, 30 s for origin triggers only."
  type        = number
  default     = 5
  nullable    = false

  validation {
    condition     = floor(var.timeout) == var.timeout && var.timeout >= 1 && var.timeout <= 30
    error_message = "timeout must be a whole number of seconds between 1 and 30 (Lambda@Edge origin-trigger limit)."
  }

  validation {
    condition     = length(setintersection(var.triggers, ["viewer-request", "viewer-response"])) == 0 || var.timeout <= 5
    error_message = "timeout must be at most 5 seconds when a viewer trigger (viewer-request or viewer-response) is chosen: that is the Lambda@Edge limit for viewer events."
  }
}

variable "config" {
  description = <<-EOT
    edgetrace configuration, baked into the package as edgetrace.config.json at apply time
    (Lambda@Edge has no environment variables). Mirrors the JSON keys; every attribute is
    optional. Leave at {} when package_path is set: a prebuilt zip already carries its config.
  EOT
  type = object({
    service = optional(object({
      name        = optional(string, "edgetrace")
      version     = optional(string, "")
      environment = optional(string, "") # -> deployment.environment.name
    }), {})
    exporter = optional(object({
      mode      = optional(string, "log") # "otlp-http" | "log" | "none"
      endpoint  = optional(string)        # base URL; spans go to {endpoint}/v1/traces
      headers   = optional(map(string), {})
      timeoutMs = optional(number, 200)
    }), {})
    # `triggers` is not set here: the module bakes var.triggers.
    sampling = optional(object({
      ratio = optional(number, 1.0)
      # First match wins; an unset field matches anything. host: exact or "*.example.com";
      # path: glob over the URI path (`*`, `?`); method: e.g. "GET".
      rules = optional(list(object({
        host   = optional(string)
        path   = optional(string)
        method = optional(string)
        ratio  = number
      })), [])
      maxPerSecond = optional(number, 0)   # sampled requests per second per sandbox; 0 = no limit
      keepErrors   = optional(bool, false) # export unsampled requests that end in 5xx at the origin
    }), {})
    propagation = optional(object({
      trustIncoming  = optional(bool, false)                    # legacy alias: true = trust "honor"
      trust          = optional(string)                         # "ignore" | "ids-only" | "honor"; null: from trustIncoming
      extract        = optional(list(string), ["tracecontext"]) # in order: "tracecontext" | "xray" | "b3"
      inject         = optional(list(string), ["tracecontext"]) # "tracecontext" | "xray" | "b3" | "b3multi"
      responseHeader = optional(string, "none")                 # "none" | "traceresponse" | "server-timing"
    }), {})
    ids = optional(object({
      xrayCompatible = optional(bool, false)
    }), {})
    capture = optional(object({
      requestHeaders  = optional(list(string), []) # recorded as http.request.header.<name>
      responseHeaders = optional(list(string), []) # recorded as http.response.header.<name>
    }), {})
    redaction = optional(object({
      queryKeys = optional(list(string), []) # query parameters redacted besides the built-in signed-URL set
    }), {})
    limits = optional(object({
      attributeValueLength = optional(number, 256)
    }), {})
  })
  default  = {}
  nullable = false

  # The rules below mirror the ones edgetrace applies at load (edge/src/config.cc), so that a
  # plan fails with the same reason instead of the packager failing the apply.
  validation {
    condition     = length(var.config.service.name) > 0
    error_message = "config.service.name must not be empty."
  }

  validation {
    condition = alltrue([
      for v in [var.config.service.name, var.config.service.version, var.config.service.environment] :
      length(v) <= 256 && !can(regex("[\\x00-\\x1f\\x7f]", v))
    ])
    error_message = "config.service.name, version and environment must be at most 256 bytes without control characters."
  }

  validation {
    condition     = contains(["otlp-http", "log", "none"], var.config.exporter.mode)
    error_message = "config.exporter.mode must be one of \"otlp-http\", \"log\", \"none\"."
  }

  validation {
    condition     = var.config.exporter.mode != "otlp-http" || var.config.exporter.endpoint != null
    error_message = "config.exporter.endpoint is required when config.exporter.mode is \"otlp-http\" (a base URL such as https://collector.example.com; spans go to {endpoint}/v1/traces)."
  }

  validation {
    condition = var.config.exporter.endpoint == null ? true : (
      can(regex("^https?://[^/:]", var.config.exporter.endpoint)) &&
      length(var.config.exporter.endpoint) <= 2048 &&
      can(regex("^[!-~]+$", var.config.exporter.endpoint)) &&
      !can(regex("[?#\"\\\\]", var.config.exporter.endpoint))
    )
    error_message = "config.exporter.endpoint must be an http:// or https:// URL with a host, at most 2048 printable ASCII characters, without spaces, quotes, backslashes, query or fragment."
  }

  validation {
    condition     = var.config.exporter.endpoint == null ? true : !can(regex("/v1/traces/*$", var.config.exporter.endpoint))
    error_message = "config.exporter.endpoint: give the base URL (e.g. https://collector.example:4318); edgetrace appends /v1/traces itself."
  }

  validation {
    condition     = length(var.config.exporter.headers) <= 16
    error_message = "config.exporter.headers: at most 16 headers."
  }

  validation {
    condition = alltrue([
      for name, value in var.config.exporter.headers :
      can(regex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", name)) && !can(regex("[\\x00-\\x08\\x0a-\\x1f\\x7f]", value))
    ])
    error_message = "config.exporter.headers must have HTTP token names and values without control characters (CR/LF)."
  }

  validation {
    condition = alltrue([
      for name, value in var.config.exporter.headers :
      !contains(["content-type", "content-length", "host", "connection", "transfer-encoding", "content-encoding"], lower(name))
    ])
    error_message = "config.exporter.headers: Content-Type, Content-Length, Host, Connection, Transfer-Encoding and Content-Encoding are set by edgetrace itself and cannot be overridden."
  }

  validation {
    condition     = floor(var.config.exporter.timeoutMs) == var.config.exporter.timeoutMs && var.config.exporter.timeoutMs >= 1 && var.config.exporter.timeoutMs <= 4000
    error_message = "config.exporter.timeoutMs must be a whole number between 1 and 4000."
  }

  validation {
    # The export is awaited inside the invocation: it must fit in the function timeout.
    condition     = var.config.exporter.mode != "otlp-http" || var.config.exporter.timeoutMs < var.timeout * 1000
    error_message = "config.exporter.timeoutMs must be shorter than the function timeout (timeout * 1000 ms)."
  }

  validation {
    condition     = var.config.sampling.ratio >= 0 && var.config.sampling.ratio <= 1
    error_message = "config.sampling.ratio must be between 0 and 1."
  }

  validation {
    condition = alltrue([
      for r in var.config.sampling.rules : r.ratio >= 0 && r.ratio <= 1
    ])
    error_message = "config.sampling.rules[*].ratio must be between 0 and 1."
  }

  validation {
    condition = alltrue(flatten([
      for r in var.config.sampling.rules : [
        for v in [r.host, r.path, r.method] : v == null ? true : !can(regex("[\\x00-\\x1f\\x7f]", v))
      ]
    ]))
    error_message = "config.sampling.rules: host, path and method must not contain control characters (leave a field out to match anything)."
  }

  validation {
    condition = alltrue([
      for r in var.config.sampling.rules : r.method == null ? true : can(regex("^[!#$%&'*+.^_`|~0-9A-Za-z-]*$", r.method))
    ])
    error_message = "config.sampling.rules[*].method must be an HTTP method such as \"GET\"."
  }

  validation {
    condition     = floor(var.config.sampling.maxPerSecond) == var.config.sampling.maxPerSecond && var.config.sampling.maxPerSecond >= 0
    error_message = "config.sampling.maxPerSecond must be a whole number of sampled requests per second, 0 for no limit."
  }

  validation {
    condition     = var.config.propagation.trust == null ? true : contains(["ignore", "ids-only", "honor"], var.config.propagation.trust)
    error_message = "config.propagation.trust must be one of \"ignore\", \"ids-only\", \"honor\" (or left unset to follow trustIncoming)."
  }

  validation {
    condition     = !var.config.propagation.trustIncoming || var.config.propagation.trust == null || var.config.propagation.trust == "honor"
    error_message = "config.propagation.trustIncoming = true means trust = \"honor\": set only trust (trustIncoming is its legacy alias)."
  }

  validation {
    condition = alltrue([
      for f in var.config.propagation.extract : contains(["tracecontext", "xray", "b3"], f)
    ]) && length(distinct(var.config.propagation.extract)) == length(var.config.propagation.extract)
    error_message = "config.propagation.extract must list distinct formats among \"tracecontext\", \"xray\", \"b3\" (the first one found in the request wins)."
  }

  validation {
    condition = alltrue([
      for f in var.config.propagation.inject : contains(["tracecontext", "xray", "b3", "b3multi"], f)
    ]) && length(distinct(var.config.propagation.inject)) == length(var.config.propagation.inject)
    error_message = "config.propagation.inject must list distinct formats among \"tracecontext\", \"xray\", \"b3\", \"b3multi\"."
  }

  validation {
    condition     = contains(["none", "traceresponse", "server-timing"], var.config.propagation.responseHeader)
    error_message = "config.propagation.responseHeader must be one of \"none\", \"traceresponse\", \"server-timing\"."
  }

  validation {
    condition = alltrue([
      for h in concat(var.config.capture.requestHeaders, var.config.capture.responseHeaders) : can(regex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", h))
      ]) && alltrue([
      for names in [var.config.capture.requestHeaders, var.config.capture.responseHeaders] :
      length(distinct([for h in names : lower(h)])) == length(names)
    ])
    error_message = "config.capture.requestHeaders and responseHeaders must list distinct HTTP header names."
  }

  validation {
    condition = alltrue([
      for h in concat(var.config.capture.requestHeaders, var.config.capture.responseHeaders) :
      !contains(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-amz-security-token"], lower(h))
    ])
    error_message = "config.capture: Authorization, Proxy-Authorization, Cookie, Set-Cookie and X-Amz-Security-Token carry credentials and are never recorded."
  }

  validation {
    condition = alltrue([
      for k in var.config.redaction.queryKeys : length(k) > 0 && !can(regex("[\\x00-\\x1f\\x7f]", k))
    ]) && length(distinct(var.config.redaction.queryKeys)) == length(var.config.redaction.queryKeys)
    error_message = "config.redaction.queryKeys must list distinct, non-empty query parameter names without control characters."
  }

  validation {
    condition     = floor(var.config.limits.attributeValueLength) == var.config.limits.attributeValueLength && var.config.limits.attributeValueLength >= 16 && var.config.limits.attributeValueLength <= 4096
    error_message = "config.limits.attributeValueLength must be a whole number between 16 and 4096."
  }
}

variable "package_path" {
  description = "Path to a prebuilt Lambda zip (for example dist/edgetrace-lambda.zip from `make package CONFIG=...`) to deploy as is, instead of baking `config` at apply time. Relative paths are relative to the directory terraform runs in; prefer \"$${path.root}/...\"."
  type        = string
  default     = null

  validation {
    condition     = var.package_path == null ? true : endswith(var.package_path, ".zip")
    error_message = "package_path must name a .zip file."
  }

  validation {
    condition     = var.package_path == null || jsonencode(var.config) == local.config_defaults_json
    error_message = "Set either config (baked into the package at apply time) or package_path (a prebuilt zip, which already contains its edgetrace.config.json), not both."
  }
}

variable "lambda_dir" {
  description = "Directory holding the built function (index.mjs, edgetrace.wasm, package.json), written by `make package`. Used only when baking `config`. Defaults to dist/lambda in the edgetrace repository this module lives in."
  type        = string
  default     = null
}

variable "packager_path" {
  description = "Path to the edgetrace packaging CLI (shim-js/tools/package.mjs), run with `node` at apply time to validate `config` and write the zip. Defaults to the copy in the edgetrace repository this module lives in."
  type        = string
  default     = null
}

variable "build_dir" {
  description = "Directory where the baked zip is written at apply time (one subdirectory per function). Defaults to .terraform/edgetrace under the root module, which Terraform's usual .gitignore already excludes; the zip holds exporter headers, so keep it out of version control."
  type        = string
  default     = null
}

variable "role_name" {
  description = "Name of the execution role. Defaults to \"<function_name>-edge\" (cut to 64 characters)."
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null ? true : can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "role_name must be 1 to 64 characters of letters, digits and +=,.@_-."
  }
}

variable "skip_destroy" {
  description = "Leave the function and its versions in place on destroy (removing them from state only). CloudFront deletes Lambda@Edge replicas only hours after disassociation and Lambda refuses to delete a function until then; delete it later with `aws lambda delete-function --region us-east-1 --function-name <name>`. With false, destroy fails until the replicas are gone."
  type        = bool
  default     = true
  nullable    = false
}

variable "origin_request_policy" {
  description = <<-EOT
    The origin request policy that forwards the trace headers, so that context injected at
    viewer-request, and the client's own context, reach origin-request and the origin:
    traceparent, tracestate and baggage always; x-edgetrace-ctx when viewer-request is among
    the triggers; x-amzn-trace-id and the B3 headers when config.propagation extracts or
    injects those formats (all of them with package_path, whose config is not known here).
    A cache behaviour has one origin request policy: add what the origin already needs
    (extra_headers, cookies, query strings), or set create = false and add the
    forwarded_headers output to your own policy. These headers never belong in the cache
    policy: they differ per request and would make every request a cache miss.
  EOT
  type = object({
    create                = optional(bool, true)
    name                  = optional(string) # default "<function_name>-trace-context"
    comment               = optional(string, "edgetrace: forward trace context headers to the origin")
    extra_headers         = optional(list(string), [])
    cookie_behavior       = optional(string, "none") # none | whitelist | allExcept | all
    cookies               = optional(list(string), [])
    query_string_behavior = optional(string, "none") # none | whitelist | allExcept | all
    query_strings         = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition = alltrue([
      for b in [var.origin_request_policy.cookie_behavior, var.origin_request_policy.query_string_behavior] :
      contains(["none", "whitelist", "allExcept", "all"], b)
    ])
    error_message = "origin_request_policy.cookie_behavior and query_string_behavior must be one of none, whitelist, allExcept, all."
  }

  validation {
    condition = alltrue([
      for h in var.origin_request_policy.extra_headers : can(regex("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", h))
    ])
    error_message = "origin_request_policy.extra_headers must be HTTP header names."
  }

  validation {
    condition     = var.origin_request_policy.name == null ? true : can(regex("^[A-Za-z0-9_-]{1,128}$", var.origin_request_policy.name))
    error_message = "origin_request_policy.name must be 1 to 128 letters, digits, hyphens or underscores."
  }

  validation {
    condition     = length(var.origin_request_policy.comment) <= 128
    error_message = "origin_request_policy.comment must be at most 128 characters."
  }
}

variable "tags" {
  description = "Tags for the execution role and the function."
  type        = map(string)
  default     = {}
  nullable    = false
}
