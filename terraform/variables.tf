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
  description = "CloudFront events the function is associated with; one lambda_function_association is output per trigger. Origin triggers run only when CloudFront goes to the origin (cache misses); viewer triggers run on every request, cache hits included, and limit the function to 128 MB / 5 s. edgetrace traces the origin pair today and passes viewer events through untouched, hence the default."
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
    sampling = optional(object({
      ratio = optional(number, 1.0)
    }), {})
    propagation = optional(object({
      trustIncoming = optional(bool, false)
    }), {})
    ids = optional(object({
      xrayCompatible = optional(bool, false)
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
    The origin request policy that forwards the trace headers (traceparent, tracestate, baggage,
    x-amzn-trace-id, b3, x-b3-traceid, x-b3-spanid, x-b3-sampled, x-b3-flags, x-edgetrace-ctx)
    so that context injected at viewer-request reaches the origin. A cache behaviour has one
    origin request policy: add what the origin already needs (extra_headers, cookies, query
    strings), or set create = false and add the forwarded_headers output to your own policy.
    These headers never belong in the cache policy: they differ per request and would make
    every request a cache miss.
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
