# Apply-time baking with the project's real packager (shim-js/tools/package.mjs) and the real
# built function (dist/lambda). tests/terraform/run.sh runs this file only when both exist,
# passing their paths with -var; a plain `terraform test` does not load this directory.

mock_provider "aws" {
  alias = "us_east_1"

  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/edgetrace-integration-edge" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace-integration"
      qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace-integration:1"
      version       = "1"
    }
  }
}

variables {
  function_name = "edgetrace-integration"
  # All four triggers and a config that uses every section, so that the function's own rules
  # (edge/src/config*.cc) see every key the module bakes, `triggers` included.
  triggers = ["viewer-request", "origin-request", "origin-response", "viewer-response"]
  config = {
    service  = { name = "terraform-integration", version = "0.0.0-test", environment = "ci" }
    exporter = { mode = "otlp-http", endpoint = "https://otel.example.com", headers = { authorization = "Bearer test" }, timeoutMs = 300 }
    sampling = {
      ratio        = 0.5
      rules        = [{ host = "*.example.com", path = "/api/*", method = "POST", ratio = 1 }, { path = "/static/*", ratio = 0 }]
      maxPerSecond = 100
      keepErrors   = true
    }
    propagation = { trust = "ids-only", extract = ["tracecontext", "xray", "b3"], inject = ["tracecontext", "xray", "b3multi"], responseHeader = "server-timing" }
    ids         = { xrayCompatible = true }
    capture     = { requestHeaders = ["user-agent"], responseHeaders = ["content-type"] }
    redaction   = { queryKeys = ["token"] }
  }
}

run "real_packager_accepts_the_baked_config_and_writes_a_zip" {
  assert {
    condition     = fileexists(output.package_path)
    error_message = "The packager wrote no zip at ${output.package_path}."
  }
  assert {
    # "UEsDB" is base64 of the local file header signature PK\x03\x04.
    condition     = startswith(filebase64(output.package_path), "UEsDB")
    error_message = "${output.package_path} is not a zip."
  }
  assert {
    condition     = length(filebase64(output.package_path)) <= 1398104
    error_message = "The baked package exceeds 1 MB, the Lambda@Edge limit for viewer triggers."
  }
}
