output "distribution_id" {
  description = "ID of the new distribution."
  value       = aws_cloudfront_distribution.this.id
}

output "url" {
  description = "HTTPS URL of the distribution. With the default origin, $URL/anything/<random> echoes the headers the origin received."
  value       = "https://${aws_cloudfront_distribution.this.domain_name}"
}

output "qualified_arn" {
  description = "Published function version associated with the distribution."
  value       = module.edgetrace.qualified_arn
}

output "log_group_name" {
  description = "CloudWatch log group of the replicas, in each region where they run."
  value       = module.edgetrace.log_group_name
}
