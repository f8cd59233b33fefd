# Optional operator roles for `thaw --deployment` (docs/operate.md): one that reads (ls, status, cost,
# dlq ls/show, doctor) and one that also acts (launch/wake/freeze/destroy through the events queue, dlq
# redrive/purge). Neither writes the database: every change goes through the events queue.

variable "operator_principal_arns" {
  description = "IAM principals (users, roles, SSO permission-set roles) that may assume the operator roles used by thaw --deployment (docs/operate.md). Empty: no operator roles are made."
  type        = list(string)
  default     = []
}

locals {
  operator_roles = length(var.operator_principal_arns) > 0 ? 1 : 0
  source_queues  = [aws_sqs_queue.events.arn, aws_sqs_queue.tasks.arn]
  dead_letters   = [aws_sqs_queue.events_dlq.arn, aws_sqs_queue.tasks_dlq.arn]
}

data "aws_iam_policy_document" "operator_assume" {
  count = local.operator_roles
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.operator_principal_arns
    }
  }
}

data "aws_iam_policy_document" "operator_read" {
  #checkov:skip=CKV_AWS_356:lambda:ListEventSourceMappings has no resource-level permissions
  #checkov:skip=CKV_AWS_111:the only "*" resource is lambda:ListEventSourceMappings, which is read-only
  statement {
    sid       = "ReadStore"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.database_url.arn]
  }
  # ReceiveMessage is the only way SQS lets anyone read a message: dlq ls makes them visible again at once.
  statement {
    sid       = "ReadQueues"
    actions   = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
    resources = concat(local.source_queues, local.dead_letters)
  }
  statement {
    sid       = "ReadDeadLetters"
    actions   = ["sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"]
    resources = local.dead_letters
  }
  statement {
    sid       = "ReadTriggers"
    actions   = ["lambda:ListEventSourceMappings"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "operator" {
  source_policy_documents = [data.aws_iam_policy_document.operator_read.json]
  statement {
    sid       = "SendEvents"
    actions   = ["sqs:SendMessage"]
    resources = local.source_queues
  }
  statement {
    sid       = "Redrive"
    actions   = ["sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks", "sqs:DeleteMessage", "sqs:PurgeQueue"]
    resources = local.dead_letters
  }
}

resource "aws_iam_role" "operator_read" {
  count                = local.operator_roles
  name                 = "${var.name}-operator-read"
  assume_role_policy   = data.aws_iam_policy_document.operator_assume[0].json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "operator_read" {
  count  = local.operator_roles
  name   = "thaw-operator-read"
  role   = aws_iam_role.operator_read[0].id
  policy = data.aws_iam_policy_document.operator_read.json
}

resource "aws_iam_role" "operator" {
  count                = local.operator_roles
  name                 = "${var.name}-operator"
  assume_role_policy   = data.aws_iam_policy_document.operator_assume[0].json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "operator" {
  count  = local.operator_roles
  name   = "thaw-operator"
  role   = aws_iam_role.operator[0].id
  policy = data.aws_iam_policy_document.operator.json
}
