# A VPC on Wharf's EC2 API: two subnets in the Region's first two zones, a `web` group open on 80
# (inline rules), a `db` group open on 5432 from `web` only (separate rule resources, old and
# new style), an internet gateway and a route table with a default route and one association.
# Wharf stores the gateway and routes (it routes locally); see docs/ec2.md.
# An ECS cluster and an aws_ecs_service (FARGATE) run two web tasks in those subnets, in the
# `web` group: each task's address comes from its subnet's block.
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-vpc init
#   terraform -chdir=examples/terraform-vpc apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "name" {
  type    = string
  default = "vpc-demo"
}

variable "vpc_cidr" {
  description = "The VPC's block; the subnets are its 1st and 2nd /24"
  type        = string
  default     = "10.42.0.0/16"
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
    ec2 = var.endpoint
    ecs = var.endpoint
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  tags = {
    Name = var.name
  }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 1)
  availability_zone = data.aws_availability_zones.available.names[0]
  tags = {
    Name = "${var.name}-a"
  }
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 8, 2)
  availability_zone = data.aws_availability_zones.available.names[1]
  tags = {
    Name = "${var.name}-b"
  }
}

resource "aws_security_group" "web" {
  name        = "${var.name}-web"
  description = "web tier: HTTP from anywhere"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "HTTP"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db"
  description = "database: Postgres from web only"
  vpc_id      = aws_vpc.main.id
}

resource "aws_security_group_rule" "db_from_web" {
  type                     = "ingress"
  from_port                = 5432
  to_port                  = 5432
  protocol                 = "tcp"
  security_group_id        = aws_security_group.db.id
  source_security_group_id = aws_security_group.web.id
}

resource "aws_vpc_security_group_ingress_rule" "db_admin" {
  security_group_id = aws_security_group.db.id
  description       = "admin from inside the VPC"
  cidr_ipv4         = aws_vpc.main.cidr_block
  from_port         = 22
  to_port           = 22
  ip_protocol       = "tcp"
}

resource "aws_internet_gateway" "gw" {
  vpc_id = aws_vpc.main.id
  tags = {
    Name = var.name
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.gw.id
  }
  tags = {
    Name = "${var.name}-public"
  }
}

resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_ecs_cluster" "this" {
  name = var.name
}

resource "aws_ecs_task_definition" "web" {
  family                   = "${var.name}-web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  cpu                      = "256"
  memory                   = "512"
  container_definitions = jsonencode([
    {
      name         = "web"
      image        = var.image
      essential    = true
      stopTimeout  = var.stop_timeout
      portMappings = [{ containerPort = 80, hostPort = 80, protocol = "tcp" }]
      entryPoint   = ["sh", "-c"]
      command      = ["echo '<h1>Amazon ECS Sample App</h1>' > /usr/local/apache2/htdocs/index.html && httpd-foreground"]
    }
  ])
}

resource "aws_ecs_service" "web" {
  name                  = "${var.name}-web"
  cluster               = aws_ecs_cluster.this.id
  task_definition       = aws_ecs_task_definition.web.arn
  desired_count         = 2
  launch_type           = "FARGATE"
  wait_for_steady_state = true

  network_configuration {
    subnets          = [aws_subnet.a.id, aws_subnet.b.id]
    security_groups  = [aws_security_group.web.id]
    assign_public_ip = false
  }
}

output "service" {
  value = aws_ecs_service.web.id
}

output "cluster" {
  value = aws_ecs_cluster.this.name
}

output "vpc_id" {
  value = aws_vpc.main.id
}

output "subnet_ids" {
  value = [aws_subnet.a.id, aws_subnet.b.id]
}

output "web_sg" {
  value = aws_security_group.web.id
}

output "db_sg" {
  value = aws_security_group.db.id
}
