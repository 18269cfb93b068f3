# A load balancer on Wharf's ELBv2 API, in a VPC from its EC2 API: an application load balancer
# in two subnets, an `ip` target group for the web tier and one for the API (health check on
# /health), an HTTP listener on 80 forwarding to web, and a rule sending /api/* to the API group.
# With a data plane running, the listener serves on the load balancer's own loopback address
# (see docs/elbv2.md). An ECS service sits behind the web group (`load_balancer` block): its
# tasks are registered as `ip` targets once RUNNING and drained before they stop
# (docs/services.md). `desired_count` is a variable: 0 needs no container instance.
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-lb init
#   terraform -chdir=examples/terraform-lb apply -var endpoint=$AWS_ENDPOINT_URL

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
  default = "lb-demo"
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
    ec2   = var.endpoint
    ecs   = var.endpoint
    elbv2 = var.endpoint
  }
}

data "aws_availability_zones" "available" {
  state = "available"
}

resource "aws_vpc" "main" {
  cidr_block = "10.43.0.0/16"
  tags = {
    Name = var.name
  }
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.43.1.0/24"
  availability_zone = data.aws_availability_zones.available.names[0]
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.43.2.0/24"
  availability_zone = data.aws_availability_zones.available.names[1]
}

resource "aws_security_group" "lb" {
  name        = "${var.name}-lb"
  description = "load balancer: HTTP from anywhere"
  vpc_id      = aws_vpc.main.id

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lb" "web" {
  name               = var.name
  load_balancer_type = "application"
  subnets            = [aws_subnet.a.id, aws_subnet.b.id]
  security_groups    = [aws_security_group.lb.id]
  idle_timeout       = 30
  tags = {
    Name = var.name
  }
}

resource "aws_lb_target_group" "web" {
  name                 = "${var.name}-web"
  port                 = 8080
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_vpc.main.id
  deregistration_delay = 10

  health_check {
    path                = "/"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 2
    matcher             = "200"
  }
}

resource "aws_lb_target_group" "api" {
  name        = "${var.name}-api"
  port        = 9090
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.main.id

  health_check {
    path    = "/health"
    matcher = "200-299"
  }

  stickiness {
    type            = "lb_cookie"
    cookie_duration = 3600
    enabled         = true
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb_listener_rule" "api" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 10

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }

  condition {
    path_pattern {
      values = ["/api/*"]
    }
  }
}

resource "aws_lb_listener_rule" "maintenance" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 20

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "down for maintenance"
      status_code  = "503"
    }
  }

  condition {
    host_header {
      values = ["maintenance.example"]
    }
  }
}

resource "aws_ecs_cluster" "web" {
  name = var.name
}

resource "aws_ecs_task_definition" "web" {
  family                   = "${var.name}-web"
  network_mode             = "awsvpc"
  requires_compatibilities = ["EC2"]
  container_definitions = jsonencode([
    {
      name         = "web"
      image        = "wharf-test/busybox:latest"
      essential    = true
      memory       = 32
      command      = ["sh", "-c", "mkdir -p /tmp/w && hostname > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]
      portMappings = [{ containerPort = 8080, hostPort = 8080, protocol = "tcp" }]
    }
  ])
}

resource "aws_ecs_service" "web" {
  name                              = "${var.name}-web"
  cluster                           = aws_ecs_cluster.web.arn
  task_definition                   = aws_ecs_task_definition.web.arn
  desired_count                     = var.desired_count
  launch_type                       = "EC2"
  health_check_grace_period_seconds = 10

  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = "web"
    container_port   = 8080
  }

  network_configuration {
    subnets = [aws_subnet.a.id, aws_subnet.b.id]
  }

  # ECS refuses a target group no listener uses yet.
  depends_on = [aws_lb_listener.http]
}

output "service_arn" {
  value = aws_ecs_service.web.id
}

output "lb_arn" {
  value = aws_lb.web.arn
}

output "lb_dns_name" {
  value = aws_lb.web.dns_name
}

output "listener_arn" {
  value = aws_lb_listener.http.arn
}

output "web_tg_arn" {
  value = aws_lb_target_group.web.arn
}

output "api_tg_arn" {
  value = aws_lb_target_group.api.arn
}
