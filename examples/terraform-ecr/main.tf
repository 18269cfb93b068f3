# ECR on Wharf: an immutable repository with scanning settings and tags and a lifecycle policy
# (keep 10 release images, expire untagged ones after a day) and a repository policy, a mutable one, and the registry's
# login token (data.aws_ecr_authorization_token) — what `docker login` takes.
#
#   eval "$(node bin/wharf.js env)"      # with `wharf up` running
#   terraform -chdir=examples/terraform-ecr init
#   terraform -chdir=examples/terraform-ecr apply -var endpoint=$AWS_ENDPOINT_URL

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4700"
}

variable "name" {
  type    = string
  default = "ecr-demo"
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
    ecr = var.endpoint
    sts = var.endpoint
  }
}

resource "aws_ecr_repository" "app" {
  name                 = "${var.name}/app"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = true

  image_scanning_configuration {
    scan_on_push = true
  }

  tags = {
    team = "dogs"
  }
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "keep the last 10 releases"
        selection = {
          tagStatus     = "tagged"
          tagPrefixList = ["release-"]
          countType     = "imageCountMoreThan"
          countNumber   = 10
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "untagged images go after a day"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 1
        }
        action = { type = "expire" }
      },
    ]
  })
}

data "aws_caller_identity" "me" {}

# Who else may pull: IAM users and roles of the account need no identity policy for it.
resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "pull"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" }
        Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
      },
    ]
  })
}

resource "aws_ecr_repository" "scratch" {
  name = "${var.name}/scratch"
}

data "aws_ecr_authorization_token" "login" {}

output "app_url" {
  value = aws_ecr_repository.app.repository_url
}

output "app_arn" {
  value = aws_ecr_repository.app.arn
}

output "registry" {
  value = data.aws_ecr_authorization_token.login.proxy_endpoint
}

output "user_name" {
  value = data.aws_ecr_authorization_token.login.user_name
}

# The token itself is new at every read (as ECR's): outputting it would make every plan show a change.
output "has_password" {
  value = nonsensitive(length(data.aws_ecr_authorization_token.login.password) > 0)
}
