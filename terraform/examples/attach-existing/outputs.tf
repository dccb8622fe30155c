output "distribution_domain_name" {
  description = "Domain name of the existing distribution, to send canary requests to."
  value       = data.aws_cloudfront_distribution.existing.domain_name
}

output "cache_behavior" {
  description = "Which cache behaviour the outputs below are meant for."
  value       = var.path_pattern == null ? "default cache behaviour" : "cache behaviour with path pattern ${var.path_pattern}"
}

output "lambda_function_associations" {
  description = "The module's association values, keyed by event type (for a dynamic lambda_function_association block)."
  value       = module.edgetrace.lambda_function_associations
}

output "origin_request_policy_id" {
  description = "Origin request policy forwarding the trace headers; set it on the behaviour."
  value       = module.edgetrace.origin_request_policy_id
}

output "terraform_snippet" {
  description = "Lines to paste into the cache behaviour block of the Terraform configuration that manages the distribution."
  value       = local.terraform_snippet
}

output "cloudfront_api_lambda_function_associations" {
  description = "LambdaFunctionAssociations for `aws cloudfront update-distribution` (see README.md)."
  value       = local.api_associations
}

output "log_group_name" {
  description = "CloudWatch log group of the replicas, in each region where they run."
  value       = module.edgetrace.log_group_name
}
