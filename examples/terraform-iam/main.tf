# IAM on Wharf: a task role trusting ecs-tasks.amazonaws.com with an inline policy (from a
# data.aws_iam_policy_document) and a customer managed policy attached, the AWS managed task
# execution policy attached to an execution role, an EC2 container-instance role in an instance
# profile, and a deploy user with an access key, in two groups: "deployers" (an inline group
# policy letting it list ECS clusters, the AWS managed read-only Logs policy attached; membership
# by aws_iam_group_membership) and "readers" (by aws_iam_user_group_membership). The user's own
# policies are none: what it may do comes from its groups. data.aws_caller_identity answers who
# applies it.
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-iam init
#   terraform -chdir=examples/terraform-iam apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "name" {
  type    = string
  default = "iam-demo"
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
  endpoints {
    iam = var.endpoint
    sts = var.endpoint
    ecs = var.endpoint
  }
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "list_clusters" {
  statement {
    sid       = "ListClusters"
    effect    = "Allow"
    actions   = ["ecs:ListClusters"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "task" {
  name                 = "${var.name}-task"
  path                 = "/app/"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_trust.json
  max_session_duration = 7200
  description          = "The task role of ${var.name}"
  tags = {
    app = var.name
  }
}

resource "aws_iam_role_policy" "task_list" {
  name   = "list-clusters"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.list_clusters.json
}

resource "aws_iam_policy" "logs" {
  name        = "${var.name}-logs"
  description = "Write the app's logs"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:*:${data.aws_caller_identity.current.account_id}:log-group:/ecs/${var.name}:*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "task_logs" {
  role       = aws_iam_role.task.name
  policy_arn = aws_iam_policy.logs.arn
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_trust.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role" "instance" {
  name = "${var.name}-instance"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "instance" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_instance_profile" "instance" {
  name = "${var.name}-instance"
  role = aws_iam_role.instance.name
}

resource "aws_iam_user" "deploy" {
  name = "${var.name}-deploy"
  path = "/ci/"
  tags = {
    purpose = "deploy"
  }
}

resource "aws_iam_access_key" "deploy" {
  user = aws_iam_user.deploy.name
}

resource "aws_iam_group" "deployers" {
  name = "${var.name}-deployers"
  path = "/ci/"
}

resource "aws_iam_group_policy" "deployers_list" {
  name   = "list-clusters"
  group  = aws_iam_group.deployers.name
  policy = data.aws_iam_policy_document.list_clusters.json
}

resource "aws_iam_group_policy_attachment" "deployers_logs" {
  group      = aws_iam_group.deployers.name
  policy_arn = "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"
}

resource "aws_iam_group_membership" "deployers" {
  name  = "${var.name}-deployers-membership"
  group = aws_iam_group.deployers.name
  users = [aws_iam_user.deploy.name]
}

resource "aws_iam_group" "readers" {
  name = "${var.name}-readers"
}

resource "aws_iam_user_group_membership" "deploy" {
  user   = aws_iam_user.deploy.name
  groups = [aws_iam_group.readers.name]
}

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}

output "caller_arn" {
  value = data.aws_caller_identity.current.arn
}

output "task_role_arn" {
  value = aws_iam_role.task.arn
}

output "execution_role_arn" {
  value = aws_iam_role.execution.arn
}

output "instance_profile_arn" {
  value = aws_iam_instance_profile.instance.arn
}

output "deployers_group_arn" {
  value = aws_iam_group.deployers.arn
}

output "deploy_key_id" {
  value = aws_iam_access_key.deploy.id
}

output "deploy_secret" {
  value     = aws_iam_access_key.deploy.secret
  sensitive = true
}
