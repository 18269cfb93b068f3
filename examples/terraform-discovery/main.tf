# Service discovery on Wharf's Cloud Map API, in a VPC from its EC2 API: a private DNS namespace
# internal.local bound to the VPC, an HTTP namespace, a discovery service `api` (A and SRV records,
# MULTIVALUE, custom health checks), and an ECS service whose tasks register in it once RUNNING
# and healthy (`service_registries`). Wharf's DNS server answers the namespace's names
# (docs/dns.md, docs/servicediscovery.md). `desired_count` is a variable: 0 needs no container instance.
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-discovery init
#   terraform -chdir=examples/terraform-discovery apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "desired_count" {
  type    = number
  default = 0
}

variable "name" {
  type    = string
  default = "sd-demo"
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
    ec2              = var.endpoint
    ecs              = var.endpoint
    servicediscovery = var.endpoint
  }
}

resource "aws_vpc" "main" {
  cidr_block           = "10.44.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags = {
    Name = var.name
  }
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.44.1.0/24"
}

resource "aws_service_discovery_private_dns_namespace" "internal" {
  name        = "internal.local"
  description = "names of ${var.name}'s services"
  vpc         = aws_vpc.main.id
}

resource "aws_service_discovery_http_namespace" "apps" {
  name        = "${var.name}-apps"
  description = "API-only discovery"
}

resource "aws_service_discovery_service" "api" {
  name = "api"

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.internal.id
    routing_policy = "MULTIVALUE"

    dns_records {
      ttl  = 10
      type = "A"
    }

    dns_records {
      ttl  = 10
      type = "SRV"
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_ecs_cluster" "sd" {
  name = var.name
}

resource "aws_ecs_task_definition" "api" {
  family                   = "${var.name}-api"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([
    {
      name         = "api"
      image        = "wharf-test/busybox:latest"
      essential    = true
      memory       = 32
      command      = ["sh", "-c", "mkdir -p /tmp/w && hostname > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]
      portMappings = [{ containerPort = 8080, hostPort = 8080, protocol = "tcp" }]
    }
  ])
}

resource "aws_ecs_service" "api" {
  name            = "${var.name}-api"
  cluster         = aws_ecs_cluster.sd.arn
  task_definition = aws_ecs_task_definition.api.arn
  desired_count   = var.desired_count
  launch_type     = "EC2"

  service_registries {
    registry_arn   = aws_service_discovery_service.api.arn
    container_name = "api"
    container_port = 8080
  }

  network_configuration {
    subnets = [aws_subnet.a.id]
  }
}

output "namespace_id" {
  value = aws_service_discovery_private_dns_namespace.internal.id
}

output "hosted_zone" {
  value = aws_service_discovery_private_dns_namespace.internal.hosted_zone
}

output "http_namespace_arn" {
  value = aws_service_discovery_http_namespace.apps.arn
}

output "discovery_service_arn" {
  value = aws_service_discovery_service.api.arn
}

output "service_arn" {
  value = aws_ecs_service.api.id
}
