output "cluster_arn" {
  description = "The ECS cluster (stacks and Traefik); the control plane's ecs_cluster_arn."
  value       = aws_ecs_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "stacks_security_group_id" {
  description = "Security group for stack tasks (only Traefik reaches them); the control plane's stack_security_group_ids."
  value       = aws_security_group.stacks.id
}

output "edge_security_group_id" {
  description = "Security group of Traefik and the sidecar (give it database access)."
  value       = aws_security_group.traefik.id
}

output "sidecar_repository_url" {
  description = "ECR repository to push the sidecar image to."
  value       = aws_ecr_repository.sidecar.repository_url
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer (*.<domain> points at it)."
  value       = aws_lb.this.dns_name
}

output "traefik_log_group_name" {
  description = "Log group of Traefik and the sidecar (for the optional access-logs subscription)."
  value       = aws_cloudwatch_log_group.edge.name
}

output "stack_capacity_provider_strategy" {
  description = "The stacks' capacity-provider strategy as provider:weight:base[,...] (the control plane's stack_capacity_provider_strategy)."
  value       = join(",", [for s in local.stack_strategy : "${s.provider}:${s.weight}:${s.base}"])
}
