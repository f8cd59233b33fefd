variable "name" {
  type        = string
  description = "Prefix for every resource name (queues, functions, database)."
  default     = "thaw"
}

variable "vpc_id" {
  type        = string
  description = "VPC of the control plane (the Lambdas run in it to reach the database)."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets for the Lambdas and the database (at least two AZs), with a NAT gateway (GitHub's API and image registries are on the internet)."
}

variable "lambda_bundle_dir" {
  type        = string
  description = "Directory holding the esbuild bundles from `npm run build` (dist/lambdas), one folder per function."
}

variable "lambda_timeout_seconds" {
  type        = number
  description = "Timeout of the events and tasks functions. The queues' visibility timeout is six times this."
  default     = 30
}

variable "lambda_memory_mb" {
  type        = number
  description = "Memory of each function."
  default     = 512
}

variable "max_receive_count" {
  type        = number
  description = "Deliveries of a message before SQS moves it to its dead-letter queue (also the tasks function's TASK_MAX_RECEIVES)."
  default     = 5
  validation {
    condition     = var.max_receive_count >= 5
    error_message = "max_receive_count must be at least 5: partial batch failures and throttling need room to retry."
  }
}

variable "events_max_concurrency" {
  type        = number
  description = "Most concurrent events function instances the SQS trigger starts (at least 2). Per-stack FIFO groups keep each stack's events in order."
  default     = 10
  validation {
    condition     = var.events_max_concurrency >= 2
    error_message = "The SQS event source mapping's maximum concurrency is at least 2."
  }
}

variable "freezer_schedule" {
  type        = string
  description = "EventBridge Scheduler expression for the freezer."
  default     = "rate(1 minute)"
}

variable "stack_domain" {
  type        = string
  description = "Stacks answer on <host>.<stack_domain>, e.g. qa.example.com."
}

variable "ecs_cluster_arn" {
  type        = string
  description = "ARN of the ECS cluster the stacks run in (edge module output)."
}

variable "stack_subnet_ids" {
  type        = list(string)
  description = "Private subnets for stack tasks."
}

variable "stack_security_group_ids" {
  type        = list(string)
  description = "Security groups of stack tasks (reachable from Traefik only; edge module output)."
}

variable "stack_execution_role_arn" {
  type        = string
  description = "Role ECS uses to pull stack images and write their logs."
}

variable "stack_task_role_arn" {
  type        = string
  description = "Role stack containers run as. The tasks function may pass only this role and the execution role."
}

variable "stack_log_group" {
  type        = string
  description = "CloudWatch Logs group for stack containers."
  default     = "/thaw/stacks"
}

variable "traefik_entrypoint" {
  type        = string
  description = "Traefik entry point the stack routers attach to."
  default     = "web"
}

variable "stack_architecture" {
  type        = string
  description = "X86_64 or ARM64 for stack tasks."
  default     = "X86_64"
}

variable "stack_capacity_provider_strategy" {
  type        = string
  description = "Capacity-provider strategy for stack services as provider:weight:base[,...], e.g. FARGATE_SPOT:1:0 (the edge module's stack_capacity_provider_strategy output). Empty: launch type FARGATE (on-demand)."
  default     = ""
}

variable "create_database" {
  type        = bool
  description = "Create an RDS PostgreSQL instance for the control plane and the per-stack databases. Set false to use existing_database_url."
  default     = true
}

variable "existing_database_url" {
  type        = string
  description = "postgres:// URL of an existing PostgreSQL (when create_database is false), with an explicit sslmode (RDS refuses connections without TLS: sslmode=require). Stored in Secrets Manager."
  default     = ""
  sensitive   = true
  validation {
    condition     = var.existing_database_url == "" || can(regex("[?&]sslmode=", var.existing_database_url))
    error_message = "existing_database_url must name its sslmode (e.g. ?sslmode=require; RDS for PostgreSQL 15+ refuses connections without TLS)."
  }
}

variable "db_instance_class" {
  type        = string
  description = "RDS instance class."
  default     = "db.t4g.micro"
}

variable "db_allocated_storage_gb" {
  type        = number
  description = "RDS storage in GB."
  default     = 20
}

variable "database_client_security_group_ids" {
  type        = list(string)
  description = "Security groups that may reach the database besides the Lambdas (the sidecar, stack tasks)."
  default     = []
}

variable "github_token" {
  type        = string
  description = "A long-lived token (fine-grained or a bot account's) with pull-requests write, for the PR comment. Empty: the notifier only logs."
  default     = ""
  sensitive   = true
}

variable "fargate_vcpu_hour" {
  type        = number
  description = "Fargate price per vCPU-hour for the cost on the PR (us-east-1 Linux/x86 by default)."
  default     = 0.04048
}

variable "fargate_gb_hour" {
  type        = number
  description = "Fargate price per GB-hour for the cost on the PR."
  default     = 0.004445
}

variable "enable_access_logs_function" {
  type        = bool
  description = "Also deploy the access-logs function (CloudWatch Logs subscription on Traefik's log group), the seed's path for activity. Only for a Traefik that logs its JSON access lines to that log group (stdout); Thaw's edge writes them to a file the sidecar tails, so leave it off with it (docs/sidecar.md)."
  default     = false
}

variable "traefik_log_group_name" {
  type        = string
  description = "Traefik's log group, for the access-logs subscription (when enabled)."
  default     = ""
}

variable "alarm_topic_arns" {
  type        = list(string)
  description = "SNS topics notified when a dead-letter queue is not empty."
  default     = []
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = {}
}

variable "lambda_runtime" {
  type        = string
  description = "Runtime of every function. nodejs20.x is deprecated (creating functions on it is blocked since 2026-08-31)."
  default     = "nodejs22.x"
  validation {
    condition     = contains(["nodejs22.x", "nodejs24.x"], var.lambda_runtime)
    error_message = "lambda_runtime must be nodejs22.x or nodejs24.x (the bundles target Node 22)."
  }
}

variable "tasks_max_concurrency" {
  type        = number
  description = "Most concurrent tasks function instances the SQS trigger starts (at least 2). Each holds DATABASE_POOL_SIZE connections: see the connection budget in docs/deploy.md."
  default     = 5
  validation {
    condition     = var.tasks_max_concurrency >= 2
    error_message = "The SQS event source mapping's maximum concurrency is at least 2."
  }
}

variable "registry_credentials_secret_arn" {
  type        = string
  description = "Secrets Manager secret ({\"username\",\"password\"}) for images in a private registry other than ECR; the tasks function sets it as repositoryCredentials (REGISTRY_CREDENTIALS_ARN). The stack execution role must be allowed to read it. Empty: none."
  default     = ""
}

variable "deletion_protection" {
  type        = bool
  description = "RDS deletion protection. Set false before `terraform destroy`."
  default     = true
}

variable "skip_final_snapshot" {
  type        = bool
  description = "Destroy the database without a final snapshot. false: a snapshot named <name>-final-<random> is taken."
  default     = false
}

variable "secret_recovery_window_in_days" {
  type        = number
  description = "Days a deleted database-URL secret can be restored (0 deletes at once, so destroy-and-recreate with the same name works; 7-30 otherwise)."
  default     = 7
  validation {
    condition     = var.secret_recovery_window_in_days == 0 || (var.secret_recovery_window_in_days >= 7 && var.secret_recovery_window_in_days <= 30)
    error_message = "secret_recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "default_schedule" {
  description = "Warm windows for every stack whose spec has no schedule, e.g. \"Europe/Berlin mon-fri 08:30-18:00 wakeBefore=5m onlyIfUsedWithin=7d\" (docs/spec.md). Empty: none."
  type        = string
  default     = ""
}

variable "stack_ttl_days" {
  description = "A stack with no request for this many days is destroyed (a spec's ttl wins); 0: never."
  type        = number
  default     = 14
  validation {
    condition     = var.stack_ttl_days >= 0 && var.stack_ttl_days <= 3650 && floor(var.stack_ttl_days) == var.stack_ttl_days
    error_message = "stack_ttl_days must be a whole number of days from 0 to 3650."
  }
}
