# A new CloudFront distribution in front of a custom origin, traced by edgetrace on all four
# triggers: viewer-request, origin-request, origin-response, viewer-response.

module "edgetrace" {
  source = "../.."

  providers = {
    aws.us_east_1 = aws.us_east_1
  }

  function_name = var.name
  # All four triggers: an edge root span for every request, cache hits included, an "origin
  # fetch" CLIENT span for each miss, and the cache status. Viewer triggers hold the function
  # to 128 MB / 5 s (the module's defaults). The module bakes this set into the config.
  triggers = ["viewer-request", "origin-request", "origin-response", "viewer-response"]

  config = {
    service = { name = var.name, environment = "example" }
    exporter = {
      mode     = var.otlp_endpoint == null ? "log" : "otlp-http"
      endpoint = var.otlp_endpoint
      headers  = var.otlp_headers
    }
    sampling = {
      # First matching rule wins, other requests use ratio (1.0): static files at 10%.
      rules = [{ path = "/static/*", ratio = 0.1 }]
      # An unsampled request that ends in 5xx at the origin is exported anyway.
      keepErrors = true
    }
    # Also send X-Amzn-Trace-Id, for origins instrumented with the X-Ray SDK. The module's
    # origin request policy then forwards it from viewer-request too.
    propagation = { inject = ["tracecontext", "xray"] }
  }
}

resource "aws_cloudfront_distribution" "this" {
  provider = aws.us_east_1

  enabled         = true
  comment         = "${var.name}: traced by edgetrace"
  price_class     = var.price_class
  is_ipv6_enabled = true
  http_version    = "http2and3"

  origin {
    origin_id   = "custom-origin"
    domain_name = var.origin_domain_name

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id       = "custom-origin"
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD", "OPTIONS"]
    cached_methods         = ["GET", "HEAD"]
    compress               = true

    cache_policy_id = var.cache_policy_id
    # Forwards traceparent & co. to the origin without putting them in the cache key.
    origin_request_policy_id = module.edgetrace.origin_request_policy_id

    dynamic "lambda_function_association" {
      for_each = module.edgetrace.lambda_function_associations
      content {
        event_type   = lambda_function_association.value.event_type
        lambda_arn   = lambda_function_association.value.lambda_arn
        include_body = lambda_function_association.value.include_body
      }
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
