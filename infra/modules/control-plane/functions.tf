locals {
  # Bundle folder under lambda_bundle_dir → settings. Every handler is index.handler (npm run build).
  functions = merge(
    {
      events  = { timeout = var.lambda_timeout_seconds, description = "Thaw state machine (events queue)" }
      tasks   = { timeout = var.lambda_timeout_seconds, description = "Thaw task worker (tasks queue)" }
      freezer = { timeout = 60, description = "Thaw freezer (scheduled)" }
      migrate = { timeout = 120, description = "Thaw database migrations (invoked on every apply)" }
    },
    var.enable_access_logs_function ? { "access-logs" = { timeout = 60, description = "Thaw activity from Traefik's CloudWatch logs" } } : {},
  )

  common_env = {
    DATABASE_SECRET_ARN  = aws_secretsmanager_secret.database_url.arn
    DATABASE_POOL_SIZE   = "2"
    POWERTOOLS_LOG_LEVEL = "INFO"
  }
  environments = {
    events = merge(local.common_env, {
      TASKS_QUEUE_URL = aws_sqs_queue.tasks.url
    })
    # STACK_DATABASE_ADMIN_SECRET_ARN: the RDS master user (CREATEDB, CREATEROLE) creates each stack's
    # database and its own role; stacks never receive it (docs/orchestrators.md). GITHUB_TOKEN_SECRET_ARN:
    # the token is read from Secrets Manager at cold start, never put in the environment.
    tasks = merge(local.common_env, {
      EVENTS_QUEUE_URL                 = aws_sqs_queue.events.url
      TASKS_QUEUE_URL                  = aws_sqs_queue.tasks.url
      TASK_MAX_RECEIVES                = tostring(var.max_receive_count)
      ECS_CLUSTER                      = var.ecs_cluster_arn
      STACK_SUBNETS                    = join(",", var.stack_subnet_ids)
      STACK_SECURITY_GROUPS            = join(",", var.stack_security_group_ids)
      STACK_EXECUTION_ROLE_ARN         = var.stack_execution_role_arn
      STACK_TASK_ROLE_ARN              = var.stack_task_role_arn
      STACK_LOG_GROUP                  = var.stack_log_group
      STACK_DOMAIN                     = var.stack_domain
      PUBLIC_SCHEME                    = "https"
      TRAEFIK_ENTRYPOINT               = var.traefik_entrypoint
      STACK_ARCHITECTURE               = var.stack_architecture
      STACK_CAPACITY_PROVIDER_STRATEGY = var.stack_capacity_provider_strategy
      GITHUB_TOKEN_SECRET_ARN          = local.github_token_given ? aws_secretsmanager_secret.github_token[0].arn : ""
      FARGATE_VCPU_HOUR                = tostring(var.fargate_vcpu_hour)
      FARGATE_GB_HOUR                  = tostring(var.fargate_gb_hour)
      REGISTRY_CREDENTIALS_ARN         = var.registry_credentials_secret_arn
      STACK_DATABASE_ADMIN_SECRET_ARN  = aws_secretsmanager_secret.database_url.arn
      STACK_SECRET_PREFIX              = local.stack_secret_prefix
    })
    freezer = merge(local.common_env, {
      EVENTS_QUEUE_URL                = aws_sqs_queue.events.url
      TASKS_QUEUE_URL                 = aws_sqs_queue.tasks.url
      DEFAULT_SCHEDULE                = var.default_schedule
      STACK_TTL_DAYS                  = tostring(var.stack_ttl_days)
      ECS_CLUSTER                     = var.ecs_cluster_arn
      STACK_DATABASE_ADMIN_SECRET_ARN = aws_secretsmanager_secret.database_url.arn
    })
    migrate = { DATABASE_SECRET_ARN = aws_secretsmanager_secret.database_url.arn }
    "access-logs" = merge(local.common_env, {
      EVENTS_QUEUE_URL = aws_sqs_queue.events.url
      STACK_DOMAIN     = var.stack_domain
    })
  }
}

data "archive_file" "bundle" {
  for_each    = local.functions
  type        = "zip"
  source_dir  = "${var.lambda_bundle_dir}/${each.key}"
  output_path = "${path.module}/.build/${each.key}.zip"
}

resource "aws_cloudwatch_log_group" "function" {
  #checkov:skip=CKV_AWS_158:AWS-owned encryption is enough for these logs; a CMK adds cost and key policy to every deploy
  #checkov:skip=CKV_AWS_338:preview and control-plane logs are short-lived; 14-30 days keeps cost down
  for_each          = local.functions
  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = 30
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:SQS-triggered: failed messages go to the queue DLQs, not a function DLQ
  #checkov:skip=CKV_AWS_115:concurrency is capped on the SQS triggers (maximum_concurrency), not reserved per function
  #checkov:skip=CKV_AWS_272:bundles are built and deployed by the same apply; no signing profile
  #checkov:skip=CKV_AWS_173:no secrets in the environment (the database URL and the GitHub token are read from Secrets Manager)
  #checkov:skip=CKV_AWS_50:X-Ray is not used; structured logs carry the stack id
  for_each         = local.functions
  function_name    = "${var.name}-${each.key}"
  description      = each.value.description
  role             = aws_iam_role.function[each.key].arn
  runtime          = var.lambda_runtime
  architectures    = ["arm64"]
  handler          = "index.handler"
  filename         = data.archive_file.bundle[each.key].output_path
  source_code_hash = data.archive_file.bundle[each.key].output_base64sha256
  timeout          = each.value.timeout
  memory_size      = var.lambda_memory_mb
  vpc_config {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.lambda.id]
  }
  environment {
    # TASKS_QUEUE_URL, EVENTS_QUEUE_URL, DATABASE_SECRET_ARN… see docs/lambdas.md. The database URL is
    # read from Secrets Manager at cold start, so the password is not in the function's configuration.
    variables = { for key, value in local.environments[each.key] : key => value if value != "" }
  }
  # A VPC function created before its role may create network interfaces fails (CreateNetworkInterface
  # denied): wait for the role's policy and the VPC access attachment.
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function, aws_iam_role_policy_attachment.vpc_access]
  tags       = var.tags
}

# Migrations run once per apply (when the bundle changes), before the triggers below take traffic.
resource "aws_lambda_invocation" "migrate" {
  function_name = aws_lambda_function.this["migrate"].function_name
  input         = jsonencode({})
  triggers      = { bundle = data.archive_file.bundle["migrate"].output_base64sha256 }
  depends_on    = [aws_secretsmanager_secret_version.database_url, aws_iam_role_policy.function]
}

resource "aws_lambda_event_source_mapping" "events" {
  event_source_arn        = aws_sqs_queue.events.arn
  function_name           = aws_lambda_function.this["events"].arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
  scaling_config {
    maximum_concurrency = var.events_max_concurrency
  }
  depends_on = [aws_lambda_invocation.migrate]
}

resource "aws_lambda_event_source_mapping" "tasks" {
  event_source_arn                   = aws_sqs_queue.tasks.arn
  function_name                      = aws_lambda_function.this["tasks"].arn
  batch_size                         = 5
  maximum_batching_window_in_seconds = 0
  function_response_types            = ["ReportBatchItemFailures"]
  # Each tasks instance holds DATABASE_POOL_SIZE connections: see the connection budget in docs/deploy.md.
  scaling_config {
    maximum_concurrency = var.tasks_max_concurrency
  }
  depends_on = [aws_lambda_invocation.migrate]
}

resource "aws_scheduler_schedule" "freezer" {
  #checkov:skip=CKV_AWS_297:the schedule payload holds nothing sensitive
  name                = "${var.name}-freezer"
  schedule_expression = var.freezer_schedule
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_lambda_function.this["freezer"].arn
    role_arn = aws_iam_role.scheduler.arn
    retry_policy {
      maximum_retry_attempts = 0
    }
  }
}

resource "aws_lambda_permission" "access_logs" {
  count         = var.enable_access_logs_function ? 1 : 0
  statement_id  = "cloudwatch-logs"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["access-logs"].function_name
  principal     = "logs.amazonaws.com"
}

resource "aws_cloudwatch_log_subscription_filter" "access_logs" {
  count           = var.enable_access_logs_function ? 1 : 0
  name            = "${var.name}-access"
  log_group_name  = var.traefik_log_group_name
  filter_pattern  = "{ $.DownstreamStatus = * }"
  destination_arn = aws_lambda_function.this["access-logs"].arn
  depends_on      = [aws_lambda_permission.access_logs]
}
