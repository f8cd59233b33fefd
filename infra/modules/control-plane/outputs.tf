output "events_queue_url" {
  description = "The events queue: the Action's queue-url input, and the sidecar's EVENTS_QUEUE_URL."
  value       = aws_sqs_queue.events.url
}

output "events_queue_arn" {
  description = "ARN of the events queue (for the sidecar's and the Action's IAM policies)."
  value       = aws_sqs_queue.events.arn
}

output "tasks_queue_url" {
  description = "The tasks queue."
  value       = aws_sqs_queue.tasks.url
}

output "dead_letter_queue_urls" {
  description = "The two DLQs (events, tasks); an alarm fires when either is not empty."
  value       = { events = aws_sqs_queue.events_dlq.url, tasks = aws_sqs_queue.tasks_dlq.url }
}

output "function_names" {
  description = "Lambda function names by role."
  value       = { for key, fn in aws_lambda_function.this : key => fn.function_name }
}

output "database_url_secret_arn" {
  description = "Secrets Manager secret holding the database URL (the sidecar reads it as DATABASE_URL)."
  value       = aws_secretsmanager_secret.database_url.arn
}

output "control_plane_security_group_id" {
  description = "Security group of the functions."
  value       = aws_security_group.lambda.id
}

output "publisher_policy_json" {
  description = "IAM policy for whoever publishes LAUNCH/DESTROY (the GitHub Actions OIDC role)."
  value       = data.aws_iam_policy_document.publisher.json
}

output "stack_secrets_arn" {
  description = "ARN pattern of the per-stack DATABASE_URL secrets (<name>/stacks/*): the stack execution role needs secretsmanager:GetSecretValue on it."
  value       = local.stack_secrets_arn
}

output "operator_role_arns" {
  description = "Roles for thaw --deployment (docs/operate.md): read (ls, status, cost, dlq ls/show, doctor) and operator (also launch/wake/freeze/destroy, dlq redrive/purge); null without operator_principal_arns."
  value       = local.operator_roles == 1 ? { read = aws_iam_role.operator_read[0].arn, operator = aws_iam_role.operator[0].arn } : null
}
