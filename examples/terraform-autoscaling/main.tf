# Service Auto Scaling on Wharf: an ECS service whose desired count Application Auto Scaling owns —
# a scalable target (1–4 tasks), a target-tracking policy at 60 % CPU (its CloudWatch alarms are
# created by the policy) and a weekday-morning scheduled action in Seoul's time zone.
# (A step-scaling policy needs an aws_cloudwatch_metric_alarm: added once CloudWatch is served.)
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-autoscaling init
#   terraform -chdir=examples/terraform-autoscaling apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "name" {
  type    = string
  default = "scaling-demo"
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
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ecs            = var.endpoint
    appautoscaling = var.endpoint
    sts            = var.endpoint
  }
}

resource "aws_ecs_cluster" "main" {
  name = var.name
}

resource "aws_ecs_task_definition" "web" {
  family = "${var.name}-web"
  container_definitions = jsonencode([{
    name      = "web"
    image     = "wharf-test/busybox:latest"
    command   = ["sleep", "3600"]
    cpu       = 128
    memory    = 64
    essential = true
  }])
}

resource "aws_ecs_service" "web" {
  name            = "web"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.web.arn
  desired_count   = 1
  # Application Auto Scaling moves the desired count from here on.
  lifecycle {
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "web" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.web.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 1
  max_capacity       = 4
  tags = {
    team = "web"
  }
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "cpu60"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 120
    scale_out_cooldown = 30
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_scheduled_action" "mornings" {
  name               = "weekday-mornings"
  service_namespace  = aws_appautoscaling_target.web.service_namespace
  resource_id        = aws_appautoscaling_target.web.resource_id
  scalable_dimension = aws_appautoscaling_target.web.scalable_dimension
  schedule           = "cron(0 9 ? * MON-FRI *)"
  timezone           = "Asia/Seoul"
  scalable_target_action {
    min_capacity = 2
    max_capacity = 4
  }
}

output "target_arn" {
  value = aws_appautoscaling_target.web.arn
}

output "policy_arn" {
  value = aws_appautoscaling_policy.cpu.arn
}

output "alarms" {
  value = aws_appautoscaling_policy.cpu.alarm_arns
}
