# The paste-ready outputs carry the qualified ARN for each chosen trigger.

mock_provider "aws" {
  alias = "us_east_1"

  mock_data "aws_cloudfront_distribution" {
    defaults = { domain_name = "d111111abcdef8.cloudfront.net" }
  }
}

override_module {
  target = module.edgetrace
  outputs = {
    origin_request_policy_id = "0b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"
    log_group_name           = "/aws/lambda/us-east-1.edgetrace"
    lambda_function_associations = {
      for t in ["origin-request", "origin-response"] : t => {
        event_type   = t
        lambda_arn   = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace:4"
        include_body = false
      }
    }
  }
}

variables {
  distribution_id = "E2QWRUHAPOMQZL"
}

run "paste_ready_outputs" {
  command = plan

  assert {
    condition = output.cloudfront_api_lambda_function_associations == {
      Quantity = 2
      Items = [
        { EventType = "origin-request", LambdaFunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace:4", IncludeBody = false },
        { EventType = "origin-response", LambdaFunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace:4", IncludeBody = false },
      ]
    }
    error_message = "The API form must list each trigger with the qualified ARN."
  }
  assert {
    condition     = strcontains(output.terraform_snippet, "origin_request_policy_id = \"0b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9\"") && length(regexall("lambda_function_association \\{", output.terraform_snippet)) == 2
    error_message = "The Terraform snippet must set the policy and one association per trigger: ${output.terraform_snippet}"
  }
  assert {
    condition     = output.distribution_domain_name == "d111111abcdef8.cloudfront.net"
    error_message = "The existing distribution is read through the data source."
  }
}
