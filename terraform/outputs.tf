output "function_name" {
  description = "Name of the Lambda@Edge function (in us-east-1)."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "Unqualified ARN of the function. CloudFront needs the qualified ARN: use qualified_arn."
  value       = aws_lambda_function.this.arn
}

output "qualified_arn" {
  description = "ARN of the published version (…:function:<name>:<version>), the one CloudFront associations must reference."
  value       = aws_lambda_function.this.qualified_arn
}

output "version" {
  description = "Version number published by this apply."
  value       = aws_lambda_function.this.version
}

output "code_sha256" {
  description = "Base64 SHA-256 of the deployed zip as Lambda computed it (compare with `openssl dgst -sha256 -binary <zip> | base64`)."
  value       = aws_lambda_function.this.code_sha256
}

output "role_arn" {
  description = "ARN of the execution role (trusted by lambda.amazonaws.com and edgelambda.amazonaws.com)."
  value       = aws_iam_role.this.arn
}

output "origin_request_policy_id" {
  description = "ID of the origin request policy forwarding the trace context headers (null when origin_request_policy.create = false). Set it as origin_request_policy_id of the cache behaviour."
  value       = one(aws_cloudfront_origin_request_policy.trace_context[*].id)
}

output "forwarded_headers" {
  description = "Headers the origin request policy forwards to the origin. Add them to your own origin request policy when origin_request_policy.create = false; never to the cache policy."
  value       = local.forwarded_headers
}

output "lambda_function_associations" {
  description = "One ready lambda_function_association per chosen trigger, keyed by event type, for a cache behaviour: `dynamic \"lambda_function_association\" { for_each = module.edgetrace.lambda_function_associations ... }`."
  value = {
    for event_type in sort(tolist(var.triggers)) : event_type => {
      event_type   = event_type
      lambda_arn   = aws_lambda_function.this.qualified_arn
      include_body = false
    }
  }
}

output "log_group_name" {
  description = "CloudWatch log group the replicas write to, in each region where they run."
  value       = local.edge_log_group_name
}

output "package_path" {
  description = "The zip deployed: the prebuilt package_path, or the one baked at apply time under build_dir."
  value       = local.zip_path
}

output "baked_config" {
  description = "The edgetrace.config.json baked into the package (empty when package_path is used). Sensitive because exporter headers often carry credentials."
  value       = local.bake_package ? local.baked_config_json : ""
  sensitive   = true
}
