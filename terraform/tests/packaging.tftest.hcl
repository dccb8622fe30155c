# Apply-time baking, end to end through terraform_data's local-exec and scripts/build-package.sh,
# with a stand-in packager that records what it was given. Needs `node` in PATH.
# tests/integration/ runs the same path with the project's real packager.

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
    defaults = { arn = "arn:aws:iam::123456789012:role/edgetrace-packaging-edge" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace-packaging"
      qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:edgetrace-packaging:1"
      version       = "1"
    }
  }
}

variables {
  function_name = "edgetrace-packaging"
  lambda_dir    = "tests/fixtures/lambda"
  packager_path = "tests/fixtures/fake-packager.mjs"
  config = {
    service  = { name = "checkout", environment = "staging" }
    exporter = { mode = "otlp-http", endpoint = "https://otel.example.com", headers = { authorization = "Bearer s3cr3t" } }
  }
}

run "config_is_baked_by_the_packager" {
  assert {
    condition     = fileexists(output.package_path)
    error_message = "The packager did not write ${output.package_path}."
  }
  assert {
    condition     = jsondecode(file(output.package_path)).config == jsondecode(output.baked_config)
    error_message = "The packager did not receive the baked config."
  }
  assert {
    condition     = jsondecode(file(output.package_path)).files == ["edgetrace.config.json", "edgetrace.wasm", "index.mjs", "package.json"]
    error_message = "The packager did not receive the built function directory."
  }
  assert {
    condition     = !fileexists(replace(output.package_path, ".zip", ".config.json")) && !fileexists(replace(output.package_path, ".zip", ".partial.zip"))
    error_message = "The temporary config (it may hold credentials) and the partial zip must be removed."
  }
  assert {
    condition     = aws_lambda_function.this.filename == output.package_path
    error_message = "The function must deploy the zip just baked."
  }
}

run "new_config_replaces_the_zip" {
  variables {
    config = {
      service  = { name = "checkout", environment = "production" }
      exporter = { mode = "log" }
    }
  }
  assert {
    condition     = output.package_path != run.config_is_baked_by_the_packager.package_path && fileexists(output.package_path)
    error_message = "A new config must be baked into a new zip."
  }
  assert {
    condition     = !fileexists(run.config_is_baked_by_the_packager.package_path)
    error_message = "The stale zip of this function must be removed."
  }
  assert {
    condition     = jsondecode(file(output.package_path)).config.service.environment == "production"
    error_message = "The new zip must carry the new config."
  }
}
