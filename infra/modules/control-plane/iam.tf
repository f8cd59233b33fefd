data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  cluster_name = element(split("/", var.ecs_cluster_arn), 1)
  # Stack services are named thaw-<stack>-<service> (core/orchestrator.ts resourceName).
  stack_services_arn = "arn:aws:ecs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:service/${local.cluster_name}/thaw-*"
  # Each stack's DATABASE_URL is a secret <name>/stacks/<stack>/database-url (adapters/stack-secrets.ts),
  # handed to its containers as an ECS secret; the stack execution role reads, the tasks function writes.
  stack_secret_prefix = "${var.name}/stacks"
  stack_secrets_arn   = "arn:aws:secretsmanager:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:secret:${local.stack_secret_prefix}/*"
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each           = local.functions
  name               = "${var.name}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = var.tags
}

# Logs and the VPC network interfaces every function needs (EC2 network-interface actions have no
# resource-level permissions, so their resource is "*"; the actions are named one by one).
data "aws_iam_policy_document" "base" {
  #checkov:skip=CKV_AWS_111:EC2 network-interface actions for VPC Lambdas have no resource-level permissions
  #checkov:skip=CKV_AWS_356:only actions without resource-level permissions use "*" (ECR token, ENIs, ECS task definitions/listing)
  for_each = local.functions
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }
  statement {
    sid       = "ReadDatabaseUrl"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.database_url.arn]
  }
  statement {
    sid       = "VpcNetworkInterfaces"
    actions   = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "events" {
  source_policy_documents = [data.aws_iam_policy_document.base["events"].json]
  statement {
    sid       = "ConsumeEvents"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [aws_sqs_queue.events.arn]
  }
  statement {
    sid       = "SendTasks"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.tasks.arn]
  }
}

data "aws_iam_policy_document" "tasks" {
  source_policy_documents = [data.aws_iam_policy_document.base["tasks"].json]
  dynamic "statement" {
    for_each = local.github_token_given ? [aws_secretsmanager_secret.github_token[0].arn] : []
    content {
      sid       = "ReadGitHubToken"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }
  statement {
    sid       = "ConsumeTasks"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [aws_sqs_queue.tasks.arn]
  }
  statement {
    sid       = "SendEventsAndRequeueTasks"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.events.arn, aws_sqs_queue.tasks.arn]
  }
  # Task definitions have no resource-level permissions and no aws:ResourceTag support: a statement
  # conditioned on tags denies DeregisterTaskDefinition (every DESTROY failed). Resource "*", no condition.
  # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
  statement {
    sid       = "TaskDefinitionsHaveNoResourceLevelPermissions"
    actions   = ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition"]
    resources = ["*"]
  }
  statement {
    sid       = "TagOnlyWithThawStackTag"
    actions   = ["ecs:TagResource"]
    resources = ["*"]
    condition {
      test     = "Null"
      variable = "aws:RequestTag/thaw:stack"
      values   = ["false"]
    }
  }
  statement {
    sid       = "CreateTaggedStackServices"
    actions   = ["ecs:CreateService"]
    resources = [local.stack_services_arn]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.ecs_cluster_arn]
    }
    condition {
      test     = "Null"
      variable = "aws:RequestTag/thaw:stack"
      values   = ["false"]
    }
  }
  statement {
    sid       = "ChangeThawStackServices"
    actions   = ["ecs:UpdateService", "ecs:DeleteService"]
    resources = [local.stack_services_arn]
    condition {
      test     = "Null"
      variable = "aws:ResourceTag/thaw:stack"
      values   = ["false"]
    }
  }
  statement {
    sid       = "ReadStacksInCluster"
    actions   = ["ecs:DescribeServices", "ecs:ListTasks", "ecs:DescribeTasks"]
    resources = ["*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.ecs_cluster_arn]
    }
  }
  statement {
    sid       = "ManageStackDatabaseUrlSecrets"
    actions   = ["secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret", "secretsmanager:TagResource"]
    resources = [local.stack_secrets_arn]
  }
  statement {
    sid       = "PassOnlyStackRoles"
    actions   = ["iam:PassRole"]
    resources = [var.stack_execution_role_arn, var.stack_task_role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "freezer" {
  #checkov:skip=CKV_AWS_356:the janitor lists task definitions, which have no resource-level permissions
  #checkov:skip=CKV_AWS_111:task definition listing and deregistration have no resource-level permissions
  source_policy_documents = [data.aws_iam_policy_document.base["freezer"].json]
  statement {
    sid       = "SendFreezesAndSweepOutbox"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.events.arn, aws_sqs_queue.tasks.arn]
  }
  # The janitor (lambdas/freezer/janitor.ts): stack services and task definitions no live stack owns.
  statement {
    sid       = "JanitorListsStackServices"
    actions   = ["ecs:ListServices", "ecs:DescribeServices"]
    resources = ["*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.ecs_cluster_arn]
    }
  }
  statement {
    sid       = "JanitorDeletesTaggedStackServices"
    actions   = ["ecs:DeleteService"]
    resources = [local.stack_services_arn]
    condition {
      test     = "Null"
      variable = "aws:ResourceTag/thaw:stack"
      values   = ["false"]
    }
  }
  statement {
    sid       = "JanitorTaskDefinitions"
    actions   = ["ecs:ListTaskDefinitionFamilies", "ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition", "ecs:DeregisterTaskDefinition"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "access_logs" {
  count                   = var.enable_access_logs_function ? 1 : 0
  source_policy_documents = [data.aws_iam_policy_document.base["access-logs"].json]
  statement {
    sid       = "SendAccess"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.events.arn]
  }
}

locals {
  function_policies = merge(
    {
      events  = data.aws_iam_policy_document.events.json
      tasks   = data.aws_iam_policy_document.tasks.json
      freezer = data.aws_iam_policy_document.freezer.json
      migrate = data.aws_iam_policy_document.base["migrate"].json
    },
    var.enable_access_logs_function ? { "access-logs" = data.aws_iam_policy_document.access_logs[0].json } : {},
  )
}

# The managed policy Lambda documents for VPC functions (network interfaces), next to Thaw's own policy:
# both exist before any function is created (depends_on in functions.tf).
resource "aws_iam_role_policy_attachment" "vpc_access" {
  for_each   = local.functions
  role       = aws_iam_role.function[each.key].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions
  name     = "thaw"
  role     = aws_iam_role.function[each.key].id
  policy   = local.function_policies[each.key]
}

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name}-freezer-schedule"
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "InvokeFreezer"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.this["freezer"].arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "invoke-freezer"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# For the GitHub Actions role (OIDC): send LAUNCH/DESTROY to the events queue, nothing else.
data "aws_iam_policy_document" "publisher" {
  statement {
    sid       = "SendLaunchAndDestroy"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.events.arn]
  }
}
