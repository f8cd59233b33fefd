resource "aws_ecs_cluster" "this" {
  #checkov:skip=CKV_AWS_65:Container Insights cost per task; off for QA stacks
  name = var.name
  setting {
    name  = "containerInsights"
    value = "disabled"
  }
  tags = var.tags
}

locals {
  # Where stack tasks run: Spot (weight 1) after stack_on_demand_base on-demand tasks per service, or
  # on-demand only. The same strategy is the cluster default and is handed to the tasks function
  # (stack_capacity_provider_strategy output → STACK_CAPACITY_PROVIDER_STRATEGY), as provider:weight:base.
  stack_strategy = var.stack_spot ? concat(
    var.stack_on_demand_base > 0 ? [{ provider = "FARGATE", weight = 0, base = var.stack_on_demand_base }] : [],
    [{ provider = "FARGATE_SPOT", weight = 1, base = 0 }],
  ) : [{ provider = "FARGATE", weight = 1, base = 0 }]
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]
  dynamic "default_capacity_provider_strategy" {
    for_each = local.stack_strategy
    content {
      capacity_provider = default_capacity_provider_strategy.value.provider
      weight            = default_capacity_provider_strategy.value.weight
      base              = default_capacity_provider_strategy.value.base
    }
  }
}

resource "aws_security_group" "alb" {
  #checkov:skip=CKV_AWS_260:port 80 only redirects to HTTPS
  name        = "${var.name}-alb"
  description = "Thaw load balancer: HTTP and HTTPS from anywhere"
  vpc_id      = var.vpc_id
  ingress {
    description = "HTTP (redirected to HTTPS)"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    description     = "to Traefik only"
    from_port       = 80
    to_port         = 80
    protocol        = "tcp"
    security_groups = [aws_security_group.traefik.id]
  }
  egress {
    description     = "health checks to Traefik's ping entrypoint"
    from_port       = 8082
    to_port         = 8082
    protocol        = "tcp"
    security_groups = [aws_security_group.traefik.id]
  }
  tags = var.tags
}

resource "aws_security_group" "traefik" {
  #checkov:skip=CKV_AWS_382:needs AWS APIs, registries and GitHub through NAT; no fixed destination list
  name        = "${var.name}-traefik"
  description = "Traefik and the sidecar: only the load balancer reaches them"
  vpc_id      = var.vpc_id
  egress {
    description = "stacks, AWS APIs, the database"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = var.tags
}

resource "aws_security_group_rule" "alb_to_traefik" {
  type                     = "ingress"
  description              = "HTTP from the load balancer"
  security_group_id        = aws_security_group.traefik.id
  from_port                = 80
  to_port                  = 80
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.alb.id
}

resource "aws_security_group_rule" "alb_to_traefik_ping" {
  type                     = "ingress"
  description              = "health checks from the load balancer to Traefik's ping entrypoint"
  security_group_id        = aws_security_group.traefik.id
  from_port                = 8082
  to_port                  = 8082
  protocol                 = "tcp"
  source_security_group_id = aws_security_group.alb.id
}

resource "aws_security_group" "stacks" {
  #checkov:skip=CKV_AWS_382:needs AWS APIs, registries and GitHub through NAT; no fixed destination list
  #checkov:skip=CKV2_AWS_5:attached by the caller (stack tasks, the database) outside this module
  name        = "${var.name}-stacks"
  description = "Stack tasks: only Traefik and the readiness check reach them"
  vpc_id      = var.vpc_id
  ingress {
    description = "any port from Traefik and the tasks function's health check (stacks choose their ports)"
    from_port   = 0
    to_port     = 65535
    protocol    = "tcp"
    # Inline, not aws_security_group_rule: mixing both on one group makes them overwrite each other.
    security_groups = concat([aws_security_group.traefik.id], var.stack_client_security_group_ids)
  }
  egress {
    description = "image pulls, the stack database, outbound calls"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = var.tags
}

resource "aws_acm_certificate" "wildcard" {
  count             = var.certificate_arn == "" ? 1 : 0
  domain_name       = "*.${var.domain}"
  validation_method = "DNS"
  tags              = var.tags
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = var.certificate_arn == "" ? { for o in aws_acm_certificate.wildcard[0].domain_validation_options : o.domain_name => o } : {}
  zone_id  = var.route53_zone_id
  name     = each.value.resource_record_name
  type     = each.value.resource_record_type
  records  = [each.value.resource_record_value]
  ttl      = 300
}

resource "aws_acm_certificate_validation" "wildcard" {
  count                   = var.certificate_arn == "" ? 1 : 0
  certificate_arn         = aws_acm_certificate.wildcard[0].arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

locals {
  certificate_arn = var.certificate_arn != "" ? var.certificate_arn : aws_acm_certificate_validation.wildcard[0].certificate_arn
}

resource "aws_lb" "this" {
  #checkov:skip=CKV_AWS_150:the ALB is recreated with the platform; protection would block destroy
  #checkov:skip=CKV_AWS_91:ALB access logs need a bucket; Traefik logs every request already
  #checkov:skip=CKV2_AWS_28:no WAF for QA previews (cost); add one in front if previews are sensitive
  name               = var.name
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids
  security_groups    = [aws_security_group.alb.id]
  idle_timeout       = 65 # Prefer: wait holds requests up to 30 s
  # Requests with invalid header names are dropped, not passed to Traefik and the stacks.
  drop_invalid_header_fields = true
  tags                       = var.tags
}

resource "aws_lb_target_group" "traefik" {
  name        = "${var.name}-traefik"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id
  health_check {
    path    = "/ping"
    port    = "8082" # Traefik's ping entrypoint (local.ping_port in traefik.tf)
    matcher = "200"
  }
  deregistration_delay = 15
  tags                 = var.tags
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = local.certificate_arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.traefik.arn
  }
}

resource "aws_route53_record" "wildcard" {
  zone_id = var.route53_zone_id
  name    = "*.${var.domain}"
  type    = "A"
  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = false
  }
}
