terraform {
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60.0, < 6.0.0"
    }
  }
}

# CloudFront is global and Lambda@Edge lives in us-east-1: both go through this provider.
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
