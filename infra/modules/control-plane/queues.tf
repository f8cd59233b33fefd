locals {
  # SQS → Lambda: the visibility timeout must be at least six times the function timeout.
  queue_visibility_seconds = 6 * var.lambda_timeout_seconds
}

resource "aws_sqs_queue" "events_dlq" {
  name                      = "${var.name}-events-dlq.fifo"
  fifo_queue                = true
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

# The state machine's input. FIFO with one message group per stack: order per stack, parallelism across
# stacks. Thaw sets deterministic deduplication ids itself, so content-based deduplication is off.
resource "aws_sqs_queue" "events" {
  name                        = "${var.name}-events.fifo"
  fifo_queue                  = true
  content_based_deduplication = false
  deduplication_scope         = "messageGroup"
  fifo_throughput_limit       = "perMessageGroupId"
  visibility_timeout_seconds  = local.queue_visibility_seconds
  message_retention_seconds   = 345600
  sqs_managed_sse_enabled     = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.events_dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

resource "aws_sqs_queue" "tasks_dlq" {
  name                      = "${var.name}-tasks-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "tasks" {
  name                       = "${var.name}-tasks"
  visibility_timeout_seconds = local.queue_visibility_seconds
  message_retention_seconds  = 345600
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.tasks_dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dlq_not_empty" {
  for_each = {
    events = aws_sqs_queue.events_dlq.name
    tasks  = aws_sqs_queue.tasks_dlq.name
  }
  alarm_name          = "${var.name}-${each.key}-dlq-not-empty"
  alarm_description   = "Messages in ${each.value}: a Thaw event or task failed every retry. Its reason is in the function's logs (search for the message id)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_topic_arns
  ok_actions          = var.alarm_topic_arns
  tags                = var.tags
}
