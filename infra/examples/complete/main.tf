terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 6.25" }
  }
}

provider "aws" {
  region = var.region
}

module "edge" {
  source                  = "../../modules/edge"
  name                    = var.name
  vpc_id                  = local.vpc_id
  public_subnet_ids       = local.public_subnet_ids
  private_subnet_ids      = local.private_subnet_ids
  domain                  = var.domain
  route53_zone_id         = var.route53_zone_id
  sidecar_image           = var.sidecar_image
  events_queue_url        = module.control_plane.events_queue_url
  events_queue_arn        = module.control_plane.events_queue_arn
  database_url_secret_arn = module.control_plane.database_url_secret_arn
  desired_count           = var.edge_tasks
  architecture            = var.edge_architecture
  stack_spot              = var.stack_spot
  stack_on_demand_base    = var.stack_on_demand_base
  # The tasks function asks each stack service's health path before calling it ready.
  stack_client_security_group_ids = [module.control_plane.control_plane_security_group_id]
  protection                      = var.protection
  basic_auth_users_arn            = var.basic_auth_users_arn
  ip_allowlist                    = var.ip_allowlist
  forward_auth_url                = var.forward_auth_url
  tags                            = var.tags
  # The edge tasks need the way out (ECS provider, SQS, the sidecar image) before they start.
  depends_on = [aws_route.private_nat_instance, aws_route.private_nat_gateway, aws_vpc_endpoint.s3]
}

locals {
  # Fargate on-demand rates per architecture (us-east-1, as in core/prices.ts; a test keeps them equal)
  # for the cost in the PR comment. On-demand, not Spot: stacks run on-demand until the tasks function
  # reads STACK_CAPACITY_PROVIDER_STRATEGY (docs/cost.md). Other regions: set your region's rates.
  fargate_on_demand = {
    X86_64 = { vcpu_hour = 0.04048, gb_hour = 0.004445 }
    ARM64  = { vcpu_hour = 0.03238, gb_hour = 0.00356 }
  }
}

module "control_plane" {
  source                             = "../../modules/control-plane"
  name                               = var.name
  vpc_id                             = local.vpc_id
  private_subnet_ids                 = local.private_subnet_ids
  lambda_bundle_dir                  = var.lambda_bundle_dir
  stack_domain                       = var.domain
  ecs_cluster_arn                    = module.edge.cluster_arn
  stack_subnet_ids                   = local.private_subnet_ids
  stack_architecture                 = var.stack_architecture
  fargate_vcpu_hour                  = local.fargate_on_demand[var.stack_architecture].vcpu_hour
  fargate_gb_hour                    = local.fargate_on_demand[var.stack_architecture].gb_hour
  stack_capacity_provider_strategy   = module.edge.stack_capacity_provider_strategy
  stack_security_group_ids           = [module.edge.stacks_security_group_id]
  stack_execution_role_arn           = aws_iam_role.stack_execution.arn
  stack_task_role_arn                = aws_iam_role.stack_task.arn
  stack_log_group                    = aws_cloudwatch_log_group.stacks.name
  database_client_security_group_ids = [module.edge.edge_security_group_id, module.edge.stacks_security_group_id]
  github_token                       = var.github_token
  alarm_topic_arns                   = var.alarm_topic_arns
  registry_credentials_secret_arn    = var.registry_credentials_secret_arn
  deletion_protection                = var.deletion_protection
  skip_final_snapshot                = var.skip_final_snapshot
  secret_recovery_window_in_days     = var.secret_recovery_window_in_days
  tags                               = var.tags
  # The migrate function runs during apply and reads Secrets Manager through the NAT.
  depends_on = [aws_route.private_nat_instance, aws_route.private_nat_gateway]
}

resource "aws_cloudwatch_log_group" "stacks" {
  #checkov:skip=CKV_AWS_158:AWS-owned encryption is enough for these logs; a CMK adds cost and key policy to every deploy
  #checkov:skip=CKV_AWS_338:preview and control-plane logs are short-lived; 14-30 days keeps cost down
  name              = "/thaw/${var.name}/stacks"
  retention_in_days = 14
  tags              = var.tags
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# What ECS uses to pull stack images and write their logs.
resource "aws_iam_role" "stack_execution" {
  name               = "${var.name}-stack-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "stack_execution" {
  role       = aws_iam_role.stack_execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

# Each stack's DATABASE_URL reaches its containers as an ECS secret (container `secrets`, valueFrom the
# secret's ARN), which ECS reads at task start with the EXECUTION role: only secrets under the stacks'
# name prefix. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
data "aws_iam_policy_document" "stack_database_urls" {
  statement {
    sid       = "ReadStackDatabaseUrls"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [module.control_plane.stack_secrets_arn]
  }
}

resource "aws_iam_role_policy" "stack_execution_database_urls" {
  name   = "stack-database-urls"
  role   = aws_iam_role.stack_execution.id
  policy = data.aws_iam_policy_document.stack_database_urls.json
}

# Private registries other than ECR: ECS reads the credentials secret with the EXECUTION role (not the
# tasks function's role), so only this role may read it, and decrypt it when a customer key encrypts it.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
data "aws_iam_policy_document" "registry_credentials" {
  count = var.registry_credentials_secret_arn != "" ? 1 : 0
  statement {
    sid       = "ReadRegistryCredentials"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.registry_credentials_secret_arn]
  }
  dynamic "statement" {
    for_each = var.registry_credentials_kms_key_arn != "" ? [var.registry_credentials_kms_key_arn] : []
    content {
      sid       = "DecryptRegistryCredentials"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${var.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "stack_execution_registry_credentials" {
  count  = var.registry_credentials_secret_arn != "" ? 1 : 0
  name   = "registry-credentials"
  role   = aws_iam_role.stack_execution.id
  policy = data.aws_iam_policy_document.registry_credentials[0].json
}

# The application's images: the workflow pushes here (OIDC role below), stacks pull with the execution
# role (AmazonECSTaskExecutionRolePolicy). GHCR images of a private repository cannot be pulled by ECS
# without repositoryCredentials.
resource "aws_ecr_repository" "app" {
  #checkov:skip=CKV_AWS_136:AES256 (AWS-managed) encryption is enough for preview images
  #checkov:skip=CKV_AWS_51:preview and :latest tags are moved on every push by design
  for_each             = toset(var.ecr_repositories)
  name                 = "${var.name}/${each.key}"
  image_tag_mutability = "MUTABLE"
  force_delete         = var.ecr_force_delete
  image_scanning_configuration {
    scan_on_push = true
  }
  tags = var.tags
}

resource "aws_ecr_lifecycle_policy" "app" {
  for_each   = aws_ecr_repository.app
  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep the newest ${var.ecr_keep_images} images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = var.ecr_keep_images }
      action       = { type = "expire" }
    }]
  })
}

# What stack containers run as: nothing by default; attach what your app needs.
resource "aws_iam_role" "stack_task" {
  name               = "${var.name}-stack-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

# GitHub Actions → AWS by OIDC: the workflow may only send LAUNCH/DESTROY to the events queue.
data "aws_iam_policy_document" "github_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.github_oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      # Only the repository's pull_request workflows (the sub claim of a pull_request event), not any
      # workflow or branch of the repository.
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:pull_request"]
    }
  }
}

resource "aws_iam_role" "github_actions" {
  name               = "${var.name}-github-actions"
  assume_role_policy = data.aws_iam_policy_document.github_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "github_actions" {
  name   = "send-launch-destroy"
  role   = aws_iam_role.github_actions.id
  policy = module.control_plane.publisher_policy_json
}

data "aws_iam_policy_document" "github_push" {
  count = length(var.ecr_repositories) > 0 ? 1 : 0
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PushApplicationImages"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [for repository in aws_ecr_repository.app : repository.arn]
  }
}

resource "aws_iam_role_policy" "github_actions_push" {
  count  = length(var.ecr_repositories) > 0 ? 1 : 0
  name   = "push-images"
  role   = aws_iam_role.github_actions.id
  policy = data.aws_iam_policy_document.github_push[0].json
}
