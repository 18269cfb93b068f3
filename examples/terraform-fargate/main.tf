# A Fargate service on Wharf: a cluster, a log group, the seed's sample-fargate task definition
# and an aws_ecs_service with launch_type = "FARGATE" that Terraform waits on until steady, in
# two of the default VPC's subnets (examples/terraform-vpc makes its own VPC).
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-fargate init
#   terraform -chdir=examples/terraform-fargate apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "image" {
  type    = string
  default = "httpd:2.4"
}

variable "stop_timeout" {
  description = "Seconds between SIGTERM and SIGKILL when a task stops (ECS's default is 30)"
  type        = number
  default     = 30
}

variable "name" {
  type    = string
  default = "fargate-demo"
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
    ec2            = var.endpoint
    ecs            = var.endpoint
    cloudwatchlogs = var.endpoint
  }
}

# The default VPC's subnets in the first two zones (every Region has them from the start).
data "aws_subnets" "default" {
  filter {
    name   = "default-for-az"
    values = ["true"]
  }
  filter {
    name   = "availability-zone"
    values = ["us-east-1a", "us-east-1b"]
  }
}

resource "aws_ecs_cluster" "this" {
  name = var.name
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/${var.name}"
  retention_in_days = 7
}

resource "aws_ecs_task_definition" "app" {
  family                   = "${var.name}-app"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([
    {
      name         = "fargate-app"
      image        = var.image
      essential    = true
      stopTimeout  = var.stop_timeout
      portMappings = [{ containerPort = 80, hostPort = 80, protocol = "tcp" }]
      entryPoint   = ["sh", "-c"]
      command      = ["echo '<h1>Amazon ECS Sample App</h1>' > /usr/local/apache2/htdocs/index.html && httpd-foreground"]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.app.name
          "awslogs-region"        = "us-east-1"
          "awslogs-stream-prefix" = "app"
        }
      }
    }
  ])
}

resource "aws_ecs_service" "app" {
  name                  = "${var.name}-svc"
  cluster               = aws_ecs_cluster.this.id
  task_definition       = aws_ecs_task_definition.app.arn
  desired_count         = 2
  launch_type           = "FARGATE"
  wait_for_steady_state = true

  network_configuration {
    subnets          = data.aws_subnets.default.ids
    assign_public_ip = true
  }
}

output "service" {
  value = aws_ecs_service.app.id
}
