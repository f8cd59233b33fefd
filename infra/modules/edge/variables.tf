variable "name" {
  type        = string
  description = "Prefix for every resource name."
  default     = "thaw"
}

variable "vpc_id" {
  type        = string
  description = "VPC for the load balancer, Traefik and the stacks."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets for the load balancer (two AZs at least)."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Private subnets for Traefik, the sidecar and the stacks."
}

variable "domain" {
  type        = string
  description = "Stacks answer on <host>.<domain> (e.g. qa.example.com); a wildcard record and certificate are made for it."
}

variable "route53_zone_id" {
  type        = string
  description = "Hosted zone in which the wildcard record (and the certificate's validation records) are created."
}

variable "certificate_arn" {
  type        = string
  description = "An existing ACM certificate for *.<domain>; empty: one is requested and validated through Route 53."
  default     = ""
}

variable "traefik_image" {
  type        = string
  description = "Traefik image (v3.6), from ECR Public: no Docker Hub anonymous pull limits. It must have /bin/sh (the official image does)."
  default     = "public.ecr.aws/docker/library/traefik:v3.6"
}

variable "sidecar_image" {
  type        = string
  description = "The Thaw sidecar image (build with `docker build -f sidecar/Dockerfile .`, push to the sidecar_repository_url output). Empty: <repository>:latest."
  default     = ""
}

variable "traefik_refresh_seconds" {
  type        = number
  description = "How often Traefik's ECS provider lists tasks; lower wakes faster, costs more ECS API calls."
  default     = 5
}

variable "desired_count" {
  type        = number
  description = "Traefik + sidecar tasks: 1 (no high availability: while ECS replaces a failed task, a minute or two, previews do not answer) or 2 for availability. docs/cost.md."
  default     = 1
}

variable "cpu" {
  type        = number
  description = "CPU units of the Traefik + sidecar task (256 = 0.25 vCPU; the ALB terminates TLS)."
  default     = 256
}

variable "architecture" {
  type        = string
  description = "CPU architecture of the Traefik + sidecar task: X86_64, or ARM64 (about 20% cheaper; the sidecar image must be built for linux/arm64, Traefik's is multi-arch)."
  default     = "X86_64"
  validation {
    condition     = contains(["X86_64", "ARM64"], var.architecture)
    error_message = "architecture must be X86_64 or ARM64."
  }
}

variable "stack_spot" {
  type        = bool
  description = "Stacks on Fargate Spot (about 70% cheaper; interrupted with two minutes' warning, a preview then wakes again). false: on-demand Fargate only."
  default     = true
}

variable "stack_on_demand_base" {
  type        = number
  description = "With stack_spot: tasks of each stack service placed on on-demand Fargate before any on Spot (0: all on Spot)."
  default     = 0
}

variable "memory" {
  type        = number
  description = "Memory (MiB) of the Traefik + sidecar task."
  default     = 1024
}

variable "events_queue_url" {
  type        = string
  description = "The control plane's events queue (control-plane module output)."
}

variable "events_queue_arn" {
  type        = string
  description = "ARN of the events queue, for the sidecar's permission to send RESUME and ACCESS."
}

variable "database_url_secret_arn" {
  type        = string
  description = "Secrets Manager secret with the control plane's database URL (control-plane module output)."
}

variable "sidecar_environment" {
  type        = map(string)
  description = "Extra sidecar settings (docs/sidecar.md), e.g. DEFAULT_WAKE_SECONDS or WAKES_PER_MINUTE."
  default     = {}
}

variable "tags" {
  type        = map(string)
  description = "Tags for every resource."
  default     = {}
}

variable "stack_client_security_group_ids" {
  description = "Security groups that may reach stack tasks besides Traefik: the control plane's, so the tasks function can ask each service's health path (readiness)."
  type        = list(string)
  default     = []
}

# Protected previews (docs/security.md): guards on Traefik's web entry point, so every router — each
# stack's and the launcher catch-all — runs them first: a stranger can neither see nor wake a stack.
variable "protection" {
  description = "Who may see and wake previews: any of basic, ip, forward-auth (empty: public). basic needs basic_auth_users_arn, ip needs ip_allowlist, forward-auth needs forward_auth_url."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for mode in var.protection : contains(["basic", "ip", "forward-auth"], mode)])
    error_message = "protection: expected a list of basic, ip, forward-auth."
  }
}

variable "basic_auth_users_arn" {
  description = "A Secrets Manager secret or SSM SecureString parameter ARN holding htpasswd lines name:<bcrypt hash>, one per line (htpasswd -nbB name password). Used by protection basic and by specs with protection.basicAuth."
  type        = string
  default     = ""
}

variable "ip_allowlist" {
  description = "CIDRs allowed with protection ip (client addresses as the ALB forwards them)."
  type        = list(string)
  default     = []
}

variable "forward_auth_url" {
  description = "The OAuth2 proxy's auth endpoint for protection forward-auth, e.g. oauth2-proxy's http://oauth2-proxy.internal:4180/oauth2/auth (GitHub organisation login)."
  type        = string
  default     = ""
}
