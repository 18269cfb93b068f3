# An ECS service with the EXTERNAL deployment controller on Wharf: the service holds only its
# name, desired count and deployment settings; its task definition, launch, network and load
# balancers come from the task sets a deploy tool creates (aws ecs create-task-set …,
# update-service-primary-task-set; see docs/services.md). The task definition is defined here
# for those task sets to use. hashicorp/aws 5.100 has no settings for ECS's native blue/green
# (deployment_configuration strategy, advanced load balancer configuration).
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-external init
#   terraform -chdir=examples/terraform-external apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "name" {
  type    = string
  default = "external-demo"
}

variable "desired_count" {
  type    = number
  default = 2
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
    ecs = var.endpoint
  }
}

resource "aws_ecs_cluster" "main" {
  name = var.name
}

resource "aws_ecs_task_definition" "web" {
  family = "${var.name}-web"
  container_definitions = jsonencode([{
    name         = "web"
    image        = "wharf-test/busybox:latest"
    memory       = 32
    essential    = true
    command      = ["httpd", "-f", "-p", "8080"]
    portMappings = [{ containerPort = 8080 }]
  }])
}

resource "aws_ecs_service" "web" {
  name          = "web"
  cluster       = aws_ecs_cluster.main.id
  desired_count = var.desired_count

  deployment_controller {
    type = "EXTERNAL"
  }

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  tags = {
    Name = var.name
  }
}

output "cluster_name" {
  value = aws_ecs_cluster.main.name
}

output "service_arn" {
  value = aws_ecs_service.web.id
}

output "task_definition_arn" {
  value = aws_ecs_task_definition.web.arn
}
