# The AWS provider pointed at Wharf: ECS and CloudWatch Logs are the two APIs Wharf serves.
# Credentials come from the environment, as `eval "$(node bin/wharf.js env)"` sets them
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
variable "wharf_endpoint" {
  description = "Wharf's endpoint (`wharf env` prints it as AWS_ENDPOINT_URL)."
  type        = string
  default     = "http://127.0.0.1:4700"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

provider "aws" {
  region = var.region

  endpoints {
    ecs            = var.wharf_endpoint
    cloudwatchlogs = var.wharf_endpoint
  }

  # There is no STS, IAM or instance metadata behind Wharf.
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
