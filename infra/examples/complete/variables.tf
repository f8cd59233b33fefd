variable "region" {
  type        = string
  description = "AWS region."
  default     = "us-east-1"
}

variable "name" {
  type        = string
  description = "Prefix for every resource name."
  default     = "thaw"
}

variable "vpc_id" {
  type        = string
  description = "An existing VPC."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets (two AZs) for the load balancer."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets with a NAT gateway (or VPC endpoints) for Traefik, the sidecar, the Lambdas, the database and the stacks."
}

variable "domain" {
  type        = string
  description = "Stack domain, e.g. qa.example.com: previews answer at https://pr-42.qa.example.com."
}

variable "route53_zone_id" {
  type        = string
  description = "Hosted zone that holds the domain."
}

variable "lambda_bundle_dir" {
  type        = string
  description = "Path to dist/lambdas after `npm run build` in a Thaw checkout."
}

variable "sidecar_image" {
  type        = string
  description = "The sidecar image (empty: <sidecar_repository_url>:latest)."
  default     = ""
}

variable "github_repository" {
  type        = string
  description = "owner/name of the repository whose workflow sends LAUNCH/DESTROY."
}

variable "github_oidc_provider_arn" {
  type        = string
  description = "ARN of the account's IAM OIDC provider for token.actions.githubusercontent.com."
}

variable "github_token" {
  type        = string
  description = "Token with pull-requests write for the PR comment (empty: no comment updates from the control plane)."
  default     = ""
  sensitive   = true
}

variable "alarm_topic_arns" {
  type        = list(string)
  description = "SNS topics for the dead-letter-queue alarms."
  default     = []
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = { app = "thaw" }
}
