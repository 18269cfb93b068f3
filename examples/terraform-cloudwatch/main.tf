# CloudWatch on Wharf: a metric alarm on a service's CPU (2 of 3 periods of 60 s above 70%) and a
# metric-math alarm (errors as a percentage of requests), with tags. The provider speaks CloudWatch's
# Query protocol (docs/cloudwatch.md).
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-cloudwatch init
#   terraform -chdir=examples/terraform-cloudwatch apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "name" {
  type    = string
  default = "cw-demo"
}

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  skip_requesting_account_id  = true
  endpoints {
    cloudwatch = var.endpoint
    sts        = var.endpoint
  }
}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  alarm_name          = "${var.name}-cpu-high"
  alarm_description   = "web service CPU above 70%"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = 70
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = {
    ClusterName = "${var.name}-cluster"
    ServiceName = "web"
  }
  tags = {
    team = "web"
  }
}

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  alarm_name          = "${var.name}-error-rate"
  evaluation_periods  = 2
  threshold           = 5
  comparison_operator = "GreaterThanOrEqualToThreshold"

  metric_query {
    id          = "rate"
    expression  = "errors / requests * 100"
    label       = "Error rate"
    return_data = true
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = "App/Web"
      metric_name = "Errors"
      period      = 60
      stat        = "Sum"
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "App/Web"
      metric_name = "Requests"
      period      = 60
      stat        = "Sum"
    }
  }
}

output "cpu_alarm_arn" {
  value = aws_cloudwatch_metric_alarm.cpu_high.arn
}
