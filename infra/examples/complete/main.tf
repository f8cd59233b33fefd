terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.40" }
  }
}

provider "aws" {
  region = var.region
}

module "edge" {
  source                  = "../../modules/edge"
  name                    = var.name
  vpc_id                  = var.vpc_id
  public_subnet_ids       = var.public_subnet_ids
  private_subnet_ids      = var.private_subnet_ids
  domain                  = var.domain
  route53_zone_id         = var.route53_zone_id
  sidecar_image           = var.sidecar_image
  events_queue_url        = module.control_plane.events_queue_url
  events_queue_arn        = module.control_plane.events_queue_arn
  database_url_secret_arn = module.control_plane.database_url_secret_arn
  tags                    = var.tags
}

module "control_plane" {
  source                             = "../../modules/control-plane"
  name                               = var.name
  vpc_id                             = var.vpc_id
  private_subnet_ids                 = var.private_subnet_ids
  lambda_bundle_dir                  = var.lambda_bundle_dir
  stack_domain                       = var.domain
  ecs_cluster_arn                    = module.edge.cluster_arn
  stack_subnet_ids                   = var.private_subnet_ids
  stack_security_group_ids           = [module.edge.stacks_security_group_id]
  stack_execution_role_arn           = aws_iam_role.stack_execution.arn
  stack_task_role_arn                = aws_iam_role.stack_task.arn
  stack_log_group                    = aws_cloudwatch_log_group.stacks.name
  database_client_security_group_ids = [module.edge.edge_security_group_id, module.edge.stacks_security_group_id]
  github_token                       = var.github_token
  alarm_topic_arns                   = var.alarm_topic_arns
  tags                               = var.tags
}

resource "aws_cloudwatch_log_group" "stacks" {
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
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:*"]
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
