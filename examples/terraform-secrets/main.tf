# Secrets and parameters on Wharf: a SecureString parameter, a JSON secret and its value, an
# execution role that may read both, and a task definition whose container takes them as
# $DB_PASSWORD and $API_KEY (the secret's `password` member).
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-secrets init
#   terraform -chdir=examples/terraform-secrets apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "name" {
  type    = string
  default = "secrets-demo"
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
    ecs            = var.endpoint
    iam            = var.endpoint
    ssm            = var.endpoint
    secretsmanager = var.endpoint
    sts            = var.endpoint
  }
}

data "aws_caller_identity" "me" {}

resource "aws_ssm_parameter" "db_password" {
  name        = "/${var.name}/db/password"
  type        = "SecureString"
  value       = "change-me-db"
  description = "the database password"
  tags        = { app = var.name }
}

resource "aws_secretsmanager_secret" "api" {
  name                    = "${var.name}/api"
  description             = "the API's credentials"
  recovery_window_in_days = 0
  tags                    = { app = var.name }
}

resource "aws_secretsmanager_secret_version" "api" {
  secret_id     = aws_secretsmanager_secret.api.id
  secret_string = jsonencode({ username = "api", password = "change-me-api" })
}

resource "aws_iam_role" "execution" {
  name = "${var.name}-execution"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "read_secrets" {
  name = "read-secrets"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = ["ssm:GetParameters"], Resource = aws_ssm_parameter.db_password.arn },
      { Effect = "Allow", Action = ["secretsmanager:GetSecretValue"], Resource = aws_secretsmanager_secret.api.arn },
      { Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "*" },
    ]
  })
}

resource "aws_ecs_task_definition" "app" {
  family             = var.name
  execution_role_arn = aws_iam_role.execution.arn
  container_definitions = jsonencode([{
    name      = "app"
    image     = "busybox:latest"
    memory    = 64
    essential = true
    command   = ["sh", "-c", "echo db=$DB_PASSWORD api=$API_KEY"]
    secrets = [
      { name = "DB_PASSWORD", valueFrom = aws_ssm_parameter.db_password.arn },
      { name = "API_KEY", valueFrom = "${aws_secretsmanager_secret.api.arn}:password::" },
    ]
  }])
}

output "parameter_arn" {
  value = aws_ssm_parameter.db_password.arn
}

output "secret_arn" {
  value = aws_secretsmanager_secret.api.arn
}

output "task_definition_arn" {
  value = aws_ecs_task_definition.app.arn
}
