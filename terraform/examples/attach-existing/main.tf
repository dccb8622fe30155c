# edgetrace for a cache behaviour of a distribution that already exists and is managed
# elsewhere (console, CLI, another Terraform state). The aws provider cannot change one
# behaviour of a distribution it does not manage, so this creates the function and the origin
# request policy, and outputs what to put on the behaviour (see README.md for three ways).

data "aws_cloudfront_distribution" "existing" {
  provider = aws.us_east_1
  id       = var.distribution_id
}

module "edgetrace" {
  source = "../.."

  providers = {
    aws.us_east_1 = aws.us_east_1
  }

  function_name = var.function_name
  triggers      = var.triggers
  config        = var.config
}

locals {
  associations = values(module.edgetrace.lambda_function_associations)

  # For a distribution managed in another Terraform configuration: the lines to paste into its
  # default_cache_behavior / ordered_cache_behavior block.
  terraform_snippet = join("\n", concat(
    ["origin_request_policy_id = \"${coalesce(module.edgetrace.origin_request_policy_id, "<your policy>")}\""],
    [for a in local.associations : <<-EOT
      lambda_function_association {
        event_type   = "${a.event_type}"
        lambda_arn   = "${a.lambda_arn}"
        include_body = ${a.include_body}
      }
      EOT
    ],
  ))

  # For the CloudFront API / AWS CLI: the LambdaFunctionAssociations element of a cache behaviour.
  api_associations = {
    Quantity = length(local.associations)
    Items = [for a in local.associations : {
      EventType         = a.event_type
      LambdaFunctionARN = a.lambda_arn
      IncludeBody       = a.include_body
    }]
  }
}
