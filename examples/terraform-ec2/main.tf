# ECS on the EC2 launch type through Terraform: a cluster, a CloudWatch log group, a task definition
# logging with awslogs, and a service run by the container instances of an existing cluster
# (`wharf up`'s local agent joins cluster `default`). The Fargate counterpart: ../terraform-fargate.
#
#   eval "$(node bin/wharf.js env)"
#   terraform -chdir=examples/terraform-ec2 init && terraform -chdir=examples/terraform-ec2 apply -var wharf_endpoint=$AWS_ENDPOINT_URL

variable "ec2_cluster" {
  description = "The cluster whose container instances run the EC2 service: `wharf up`'s local agent is in `default`."
  type        = string
  default     = "default"
}

variable "web_image" {
  description = "Image of the EC2 service: any HTTP server on port 80 (e.g. nginx:alpine); the default is the local image scripts/build-test-images.sh builds."
  type        = string
  default     = "wharf-test/nginx:latest"
}

variable "name" {
  description = "Prefix of every resource's name."
  type        = string
  default     = "wharf-example"
}

data "aws_ecs_cluster" "ec2" {
  cluster_name = var.ec2_cluster
}

resource "aws_ecs_cluster" "demo" {
  name = "${var.name}-cluster"

  setting {
    name  = "containerInsights"
    value = "disabled"
  }

  tags = {
    Project = var.name
  }
}

resource "aws_cloudwatch_log_group" "web" {
  name              = "/ecs/${var.name}-web"
  retention_in_days = 7
}

resource "aws_ecs_task_definition" "web" {
  family                   = "${var.name}-web"
  network_mode             = "bridge"
  requires_compatibilities = ["EC2"]

  container_definitions = jsonencode([
    {
      name         = "web"
      image        = var.web_image
      essential    = true
      memory       = 64
      portMappings = [{ containerPort = 80, hostPort = 0, protocol = "tcp" }]
      # An init process forwards SIGTERM, so an image whose server runs as PID 1 without a handler
      # (the local stand-in busybox httpd) stops at once instead of after the 30 s stop timeout.
      linuxParameters = { initProcessEnabled = true }
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.web.name
          awslogs-region        = var.region
          awslogs-stream-prefix = "web"
        }
      }
    }
  ])
}

resource "aws_ecs_service" "web" {
  name                  = "${var.name}-web"
  cluster               = data.aws_ecs_cluster.ec2.arn
  task_definition       = aws_ecs_task_definition.web.arn
  desired_count         = 1
  launch_type           = "EC2"
  wait_for_steady_state = true

  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 200
}

output "cluster_arn" {
  value = aws_ecs_cluster.demo.arn
}

output "web_service" {
  value = aws_ecs_service.web.name
}

