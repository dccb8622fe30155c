variable "distribution_id" {
  description = "ID of the existing CloudFront distribution (E...) whose cache behaviour gets edgetrace."
  type        = string

  validation {
    condition     = can(regex("^E[A-Z0-9]{5,}$", var.distribution_id))
    error_message = "distribution_id must be a CloudFront distribution ID such as E2QWRUHAPOMQZL."
  }
}

variable "path_pattern" {
  description = "Path pattern of the cache behaviour to trace, or null for the default behaviour. Used only to render the paste-ready outputs."
  type        = string
  default     = null
}

variable "function_name" {
  description = "Name of the edgetrace function."
  type        = string
  default     = "edgetrace"
}

variable "triggers" {
  description = "Triggers to attach: the origin pair (the default), the viewer pair, or all four (the module refuses any other set: a trace needs the trigger that opens a span and the one that closes it). The origin pair only runs on cache misses: the cheapest start on a busy distribution. Add viewer-request and viewer-response to see cache hits too. A behaviour has one function per trigger: a trigger that already runs a function of yours rules out the deployments that need it."
  type        = set(string)
  default     = ["origin-request", "origin-response"]
}

variable "config" {
  description = "edgetrace configuration, passed to the module (see terraform/README.md, Inputs)."
  type        = any
  default     = {}
}
