output "events_queue_url" {
  description = "For the Action's queue-url input (a repository variable THAW_EVENTS_QUEUE_URL)."
  value       = module.control_plane.events_queue_url
}

output "github_actions_role_arn" {
  description = "For aws-actions/configure-aws-credentials role-to-assume (THAW_GITHUB_ROLE_ARN)."
  value       = aws_iam_role.github_actions.arn
}

output "sidecar_repository_url" {
  description = "Push the sidecar image here."
  value       = module.edge.sidecar_repository_url
}

output "load_balancer_dns_name" {
  description = "Where *.<domain> points."
  value       = module.edge.load_balancer_dns_name
}

output "dead_letter_queue_urls" {
  description = "Look here when an alarm fires."
  value       = module.control_plane.dead_letter_queue_urls
}

output "ecr_repository_urls" {
  description = "Push the application's images here (by entry of ecr_repositories)."
  value       = { for key, repository in aws_ecr_repository.app : key => repository.repository_url }
}
