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
  description = "An existing VPC. Empty: a VPC is created (network.tf) with two public and two private subnets and the NAT chosen by nat."
  default     = ""
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "With an existing VPC: public subnets (two AZs) for the load balancer."
  default     = []
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "With an existing VPC: private subnets with a way out to the internet (a NAT: image registries and api.github.com are on the internet) for Traefik, the sidecar, the Lambdas, the database and the stacks."
  default     = []
}

variable "private_route_table_ids" {
  type        = list(string)
  description = "With an existing VPC: route tables of the private subnets, to add the free S3 gateway endpoint to (image layers from ECR skip the NAT). Empty: none added (leave empty if the VPC has one)."
  default     = []
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the created VPC (vpc_id empty)."
  default     = "10.42.0.0/16"
}

variable "nat" {
  type        = string
  description = "How the created VPC's private subnets reach the internet: \"instance\" (a NAT instance, about $7 a month with its IPv4 address; you patch it) or \"gateway\" (a NAT gateway, about $37 a month plus $0.045 per GB; managed). docs/cost.md."
  default     = "instance"
  validation {
    condition     = contains(["instance", "gateway"], var.nat)
    error_message = "nat must be \"instance\" or \"gateway\"."
  }
}

variable "nat_instance_type" {
  type        = string
  description = "Instance type of the NAT instance (arm64: the AMI is Amazon Linux 2023 arm64)."
  default     = "t4g.nano"
}

variable "ecr_interface_endpoints" {
  type        = bool
  description = "Interface endpoints for ecr.api and ecr.dkr in both private subnets: about $29 a month, more than the NAT data they save at preview scale (the free S3 gateway endpoint already takes image layers off the NAT). docs/cost.md."
  default     = false
}

variable "edge_tasks" {
  type        = number
  description = "Traefik + sidecar tasks: 1 (no high availability: a replacement takes a minute or two) or 2 (one per AZ)."
  default     = 1
}

variable "edge_architecture" {
  type        = string
  description = "CPU architecture of the Traefik + sidecar task: X86_64 or ARM64 (about 20% cheaper; the sidecar image must be built for linux/arm64)."
  default     = "X86_64"
  validation {
    condition     = contains(["X86_64", "ARM64"], var.edge_architecture)
    error_message = "edge_architecture must be X86_64 or ARM64."
  }
}

variable "stack_architecture" {
  type        = string
  description = "CPU architecture of the stacks: X86_64 or ARM64 (about 20% cheaper; every application image must be built for linux/arm64)."
  default     = "X86_64"
  validation {
    condition     = contains(["X86_64", "ARM64"], var.stack_architecture)
    error_message = "stack_architecture must be X86_64 or ARM64."
  }
}

variable "stack_spot" {
  type        = bool
  description = "Run stacks on Fargate Spot (about 70% cheaper; an interrupted preview wakes again on its next request)."
  default     = true
}

variable "stack_on_demand_base" {
  type        = number
  description = "Tasks of each stack service that run on on-demand Fargate before any goes to Spot (0: all on Spot)."
  default     = 0
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

variable "protection" {
  description = "Who may see and wake previews: any of basic, ip, forward-auth (empty: public; docs/security.md)."
  type        = list(string)
  default     = []
}

variable "basic_auth_users_arn" {
  description = "Secret or SSM SecureString ARN with htpasswd lines name:<bcrypt hash>, for protection basic."
  type        = string
  default     = ""
}

variable "ip_allowlist" {
  description = "CIDRs allowed with protection ip."
  type        = list(string)
  default     = []
}

variable "forward_auth_url" {
  description = "The OAuth2 proxy's auth endpoint, for protection forward-auth."
  type        = string
  default     = ""
}
