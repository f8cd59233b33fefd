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
  description = "Private subnets with a NAT gateway (image registries and api.github.com are on the internet) for Traefik, the sidecar, the Lambdas, the database and the stacks."
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

variable "ecr_repositories" {
  type        = list(string)
  description = "ECR repositories (<name>/<entry>) for the application's images; the GitHub Actions role may push to them."
  default     = ["app"]
}

variable "ecr_keep_images" {
  type        = number
  description = "Images kept per application repository (older ones expire)."
  default     = 200
}

variable "ecr_force_delete" {
  type        = bool
  description = "Let `terraform destroy` delete application repositories that still hold images."
  default     = false
}

variable "registry_credentials_secret_arn" {
  type        = string
  description = "Secrets Manager secret ({\"username\",\"password\"}) for a private registry other than ECR (repositoryCredentials). Empty: none."
  default     = ""
}

variable "registry_credentials_kms_key_arn" {
  type        = string
  description = "Customer-managed KMS key of that secret, if any (the AWS-managed key needs no grant)."
  default     = ""
}

variable "deletion_protection" {
  type        = bool
  description = "RDS deletion protection (set false, apply, then destroy)."
  default     = true
}

variable "skip_final_snapshot" {
  type        = bool
  description = "Destroy the database without a final snapshot."
  default     = false
}

variable "secret_recovery_window_in_days" {
  type        = number
  description = "Recovery window of the database-URL secret (0: deleted at once)."
  default     = 7
}
