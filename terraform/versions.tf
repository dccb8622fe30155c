terraform {
  # 1.9 is the first release whose variable validations may refer to other
  # variables (memory/timeout are checked against the chosen triggers).
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # >= 5.60: source_code_hash is a synthetic update trigger there (the real
      # package digest moved to code_sha256), which the apply-time packaging
      # relies on. Tested with 5.100.0; 6.x is not tested yet.
      version = ">= 5.60.0, < 6.0.0"

      # Lambda@Edge functions must be created in us-east-1, whatever region the
      # caller works in: the caller passes a provider configured for it.
      configuration_aliases = [aws.us_east_1]
    }
  }
}
