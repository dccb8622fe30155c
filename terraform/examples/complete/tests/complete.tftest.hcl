# The example's wiring: every association the module outputs lands on the default cache
# behaviour with the qualified ARN, next to the origin request policy. The module itself is
# tested in terraform/tests; here it is replaced by its outputs.

mock_provider "aws" {
  alias = "us_east_1"
}

override_module {
  target = module.edgetrace
  outputs = {
    qualified_arn            = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace-complete:3"
    origin_request_policy_id = "0b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
    log_group_name           = "/aws/lambda/us-east-1.edgetrace-complete"
    lambda_function_associations = {
      for t in ["origin-request", "origin-response", "viewer-request", "viewer-response"] : t => {
        event_type   = t
        lambda_arn   = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace-complete:3"
        include_body = false
      }
    }
  }
}

run "all_four_triggers_on_the_default_behaviour" {
  assert {
    condition = toset([
      for a in aws_cloudfront_distribution.this.default_cache_behavior[0].lambda_function_association : a.event_type
    ]) == toset(["viewer-request", "origin-request", "origin-response", "viewer-response"])
    error_message = "The default behaviour must carry all four triggers."
  }
  assert {
    condition = alltrue([
      for a in aws_cloudfront_distribution.this.default_cache_behavior[0].lambda_function_association :
      a.lambda_arn == "arn:aws:lambda:us-east-1:123456789012:function:edgetrace-complete:3" && a.include_body == false
    ])
    error_message = "Associations must reference the qualified ARN, without the body."
  }
  assert {
    condition     = aws_cloudfront_distribution.this.default_cache_behavior[0].origin_request_policy_id == "0b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
    error_message = "The behaviour must use edgetrace's origin request policy."
  }
  assert {
    condition     = aws_cloudfront_distribution.this.default_cache_behavior[0].cache_policy_id == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    error_message = "The cache policy stays the managed CachingOptimized one: no trace header in the cache key."
  }
  assert {
    condition     = [for o in aws_cloudfront_distribution.this.origin : o.custom_origin_config[0].origin_protocol_policy] == ["https-only"]
    error_message = "The example uses one custom HTTPS origin."
  }
}
