variable "name" {
  description = "Name of the function and prefix of the other resources."
  type        = string
  default     = "edgetrace-complete"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 letters, digits, hyphens or underscores."
  }
}

variable "origin_domain_name" {
  description = "Domain name of the custom (HTTPS) origin. The default, httpbin.org, echoes the request headers it receives at /anything/..., which shows the forwarded trace context; replace it with your own origin."
  type        = string
  default     = "httpbin.org"

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+$", var.origin_domain_name))
    error_message = "origin_domain_name must be a bare domain name (no scheme, no path)."
  }
}

variable "cache_policy_id" {
  description = "Cache policy of the default behaviour. Default: the managed CachingOptimized policy. The trace headers are never part of it: they are forwarded by edgetrace's origin request policy."
  type        = string
  default     = "658327ea-f89d-4fab-a63d-7e88639e58f6"
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.price_class)
    error_message = "price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}

variable "otlp_endpoint" {
  description = "Base URL of an OTLP/HTTP collector (spans go to {endpoint}/v1/traces). Null: spans are written to the function log instead (exporter mode \"log\")."
  type        = string
  default     = null
}

variable "otlp_headers" {
  description = "Headers sent with every export, e.g. { authorization = \"Bearer ...\" } for a collector behind a load balancer. Baked into the package: treat the state and the zip as secrets."
  type        = map(string)
  default     = {}
  sensitive   = true
}
