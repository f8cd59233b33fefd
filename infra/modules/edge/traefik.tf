data "aws_region" "current" {}

resource "aws_ecr_repository" "sidecar" {
  #checkov:skip=CKV_AWS_136:AES256 (AWS-managed) encryption is enough for preview images
  #checkov:skip=CKV_AWS_51:preview and :latest tags are moved on every push by design
  name                 = "${var.name}-sidecar"
  image_tag_mutability = "MUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "edge" {
  #checkov:skip=CKV_AWS_158:AWS-owned encryption is enough for these logs; a CMK adds cost and key policy to every deploy
  #checkov:skip=CKV_AWS_338:preview and control-plane logs are short-lived; 14-30 days keeps cost down
  name              = "/thaw/${var.name}/edge"
  retention_in_days = 30
  tags              = var.tags
}

data "aws_vpc" "this" {
  id = var.vpc_id
}

locals {
  access_log     = "/var/log/traefik/access.log"
  domain_pattern = replace(var.domain, ".", "\\.")
  sidecar_port   = 8090
  ping_port      = 8082
  # The catch-all router to the launcher, from Traefik's file provider: the sidecar in the SAME task
  # (127.0.0.1), never another edge task's sidecar (the security group admits only the web and ping
  # ports), and it stays when the ECS provider drops every route after a failed DescribeTasks.
  # Priority 1, so any router of an awake stack (priority = its rule's length) wins.
  # https://doc.traefik.io/traefik/reference/install-configuration/providers/others/file
  basic_auth_file = "/etc/traefik/basic-auth-users"
  # Middleware option names (Traefik v3): basicAuth.usersFile/removeHeader, ipAllowList.sourceRange,
  # forwardAuth.address/trustForwardHeader/authResponseHeaders, chain.middlewares:
  # https://doc.traefik.io/reference/routing-configuration/http/middlewares/basicauth
  # https://doc.traefik.io/traefik/middlewares/http/ipallowlist/
  # https://doc.traefik.io/traefik/v3.3/reference/routing-configuration/http/middlewares/forwardauth
  # Same names and order as core/protection.ts. An object for-expression keeps differing shapes.
  # ipStrategy.depth 1: the client is the address the ALB appended to X-Forwarded-For (RemoteAddr is
  # the ALB's own).
  protection_candidates = {
    "thaw-ip-allowlist" = { on = length(var.ip_allowlist) > 0, config = { ipAllowList = { sourceRange = var.ip_allowlist, ipStrategy = { depth = 1 } } } }
    "thaw-basic-auth"   = { on = var.basic_auth_users_arn != "", config = { basicAuth = { usersFile = local.basic_auth_file, removeHeader = true } } }
    "thaw-forward-auth" = { on = var.forward_auth_url != "", config = { forwardAuth = { address = var.forward_auth_url, trustForwardHeader = false, authResponseHeaders = ["X-Auth-Request-User", "X-Auth-Request-Email"] } } }
  }
  protection_chain = [for pair in [["ip", "thaw-ip-allowlist"], ["basic", "thaw-basic-auth"], ["forward-auth", "thaw-forward-auth"]] : pair[1] if contains(var.protection, pair[0])]
  protection_middlewares = merge(
    { for name, m in local.protection_candidates : name => m.config if m.on },
    { for name in ["thaw-protect"] : name => { chain = { middlewares = local.protection_chain } } if length(local.protection_chain) > 0 },
  )
  launcher_dynamic_config = yamlencode({
    http = {
      middlewares = local.protection_middlewares
      routers = {
        thaw-launcher = {
          rule        = "HostRegexp(`^.+\\.${local.domain_pattern}$`)"
          priority    = 1
          entryPoints = ["web"]
          service     = "thaw-launcher"
        }
      }
      services = {
        thaw-launcher = {
          loadBalancer = { servers = [{ url = "http://127.0.0.1:${local.sidecar_port}" }], passHostHeader = true }
        }
      }
    }
  })
  launcher_config_file = "/etc/traefik/dynamic/thaw-launcher.yml"
  # Static configuration (CLI). Option names: https://doc.traefik.io/traefik/reference/install-configuration/
  # entrypoints (forwardedHeaders.trustedIPs) and .../observability/healthcheck/ping (ping.entryPoint).
  traefik_api_port = 8081
  traefik_args = [
    "--entryPoints.web.address=:80",
    # The ALB sets X-Forwarded-For/-Proto; trust them from inside the VPC only (apps see https).
    "--entryPoints.web.forwardedHeaders.trustedIPs=${data.aws_vpc.this.cidr_block}",
    # /ping on its own entrypoint, for the ALB health check, not on every stack host.
    "--entryPoints.ping.address=:${local.ping_port}",
    "--ping=true",
    "--ping.entryPoint=ping",
    # The API, read-only and on loopback: the sidecar in the same task (awsvpc: one network namespace)
    # reads each stack's backend addresses from GET /api/http/services to see open connections
    # (docs/sidecar.md). No port mapping, no security-group rule: nothing outside the task reaches it.
    # https://doc.traefik.io/traefik/reference/install-configuration/api-dashboard
    "--api=true",
    "--api.insecure=true",
    "--api.dashboard=false",
    "--entryPoints.traefik.address=127.0.0.1:${local.traefik_api_port}",
    "--providers.file.filename=${local.launcher_config_file}",
    "--providers.file.watch=false",
    "--providers.ecs.clusters=${aws_ecs_cluster.this.name}",
    "--providers.ecs.autoDiscoverClusters=false",
    "--providers.ecs.exposedByDefault=false",
    "--providers.ecs.constraints=Label(`thaw.managed`,`true`)",
    "--providers.ecs.refreshSeconds=${var.traefik_refresh_seconds}",
    "--providers.ecs.region=${data.aws_region.current.region}",
    "--accesslog=true",
    "--accesslog.format=json",
    "--accesslog.filePath=${local.access_log}",
    "--log.format=json",
    "--global.checkNewVersion=false",
    "--global.sendAnonymousUsage=false",
  ]
  # The deployment's guard on the web entry point (not on ping, which the ALB health check uses).
  traefik_command = concat(local.traefik_args, length(local.protection_chain) > 0 ? ["--entryPoints.web.http.middlewares=thaw-protect@file"] : [])
  # The htpasswd lines come from Secrets Manager / SSM as an environment variable; the entry point
  # writes them to the usersFile, so no hash is in the task definition or the Terraform state.
  basic_auth_secret = var.basic_auth_users_arn != "" ? [{ name = "THAW_BASIC_AUTH_USERS", valueFrom = var.basic_auth_users_arn }] : []
  log_options = {
    "awslogs-group"  = aws_cloudwatch_log_group.edge.name
    "awslogs-region" = data.aws_region.current.region
  }
}

resource "aws_ecs_task_definition" "edge" {
  family                   = "${var.name}-edge"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.edge.arn
  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.architecture
  }
  volume {
    name = "access-log" # shared: Traefik writes its JSON access log, the sidecar tails it
  }
  container_definitions = jsonencode([
    {
      name      = "traefik"
      image     = var.traefik_image
      essential = true
      # The image's shell writes the file provider's configuration (from the environment), then runs
      # Traefik with the arguments: entryPoint + command, as Docker joins ENTRYPOINT and CMD.
      entryPoint       = ["/bin/sh", "-c", "mkdir -p \"$(dirname \"$THAW_LAUNCHER_CONFIG\")\" && printf '%s\\n' \"$THAW_LAUNCHER_YAML\" > \"$THAW_LAUNCHER_CONFIG\" && if [ -n \"$THAW_BASIC_AUTH_USERS\" ]; then printf '%s\\n' \"$THAW_BASIC_AUTH_USERS\" > \"$THAW_BASIC_AUTH_FILE\"; fi && exec traefik \"$@\"", "traefik"]
      command          = local.traefik_command
      environment      = [{ name = "THAW_LAUNCHER_CONFIG", value = local.launcher_config_file }, { name = "THAW_LAUNCHER_YAML", value = local.launcher_dynamic_config }, { name = "THAW_BASIC_AUTH_FILE", value = local.basic_auth_file }]
      secrets          = local.basic_auth_secret
      portMappings     = [{ containerPort = 80, protocol = "tcp" }, { containerPort = local.ping_port, protocol = "tcp" }]
      mountPoints      = [{ sourceVolume = "access-log", containerPath = "/var/log/traefik" }]
      logConfiguration = { logDriver = "awslogs", options = merge(local.log_options, { "awslogs-stream-prefix" = "traefik" }) }
    },
    {
      name         = "sidecar"
      image        = var.sidecar_image != "" ? var.sidecar_image : "${aws_ecr_repository.sidecar.repository_url}:latest"
      essential    = true
      portMappings = [{ containerPort = local.sidecar_port, protocol = "tcp" }]
      environment = [for key, value in merge({
        STACK_DOMAIN     = var.domain
        PORT             = tostring(local.sidecar_port)
        EVENTS_QUEUE_URL = var.events_queue_url
        ACCESS_LOG       = local.access_log
        TRAEFIK_URL      = "http://127.0.0.1:80"
        TRAEFIK_API_URL  = "http://127.0.0.1:${local.traefik_api_port}"
        LAUNCHER_ROUTER  = "thaw-launcher"
      }, var.sidecar_environment) : { name = key, value = value }]
      secrets          = [{ name = "DATABASE_URL", valueFrom = var.database_url_secret_arn }]
      mountPoints      = [{ sourceVolume = "access-log", containerPath = "/var/log/traefik", readOnly = true }]
      healthCheck      = { command = ["CMD", "node", "-e", "fetch('http://127.0.0.1:8090/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"], interval = 15, timeout = 5, retries = 3 }
      logConfiguration = { logDriver = "awslogs", options = merge(local.log_options, { "awslogs-stream-prefix" = "sidecar" }) }
    },
  ])
  tags = var.tags
  lifecycle {
    precondition {
      condition     = (!contains(var.protection, "basic") || var.basic_auth_users_arn != "") && (!contains(var.protection, "ip") || length(var.ip_allowlist) > 0) && (!contains(var.protection, "forward-auth") || var.forward_auth_url != "")
      error_message = "protection: basic needs basic_auth_users_arn, ip needs ip_allowlist, forward-auth needs forward_auth_url."
    }
  }
}

resource "aws_ecs_service" "edge" {
  name            = "${var.name}-edge"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.edge.arn
  desired_count   = var.desired_count
  launch_type     = "FARGATE" # on-demand: the front door of every preview is not interrupted by Spot
  network_configuration {
    subnets         = var.private_subnet_ids
    security_groups = [aws_security_group.traefik.id]
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.traefik.arn
    container_name   = "traefik"
    container_port   = 80
  }
  depends_on = [aws_lb_listener.https]
  tags       = var.tags
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-edge-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "execution" {
  #checkov:skip=CKV_AWS_356:only actions without resource-level permissions use "*" (ECR token, ENIs, ECS task definitions/listing)
  statement {
    sid       = "PullSidecarImage"
    actions   = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = ["*"]
  }
  statement {
    sid       = "WriteLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.edge.arn}:*"]
  }
  statement {
    sid       = "ReadDatabaseUrl"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.database_url_secret_arn]
  }
  dynamic "statement" {
    for_each = var.basic_auth_users_arn != "" ? [var.basic_auth_users_arn] : []
    content {
      sid       = "ReadBasicAuthUsers"
      actions   = can(regex("^arn:[^:]+:ssm:", statement.value)) ? ["ssm:GetParameters"] : ["secretsmanager:GetSecretValue"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "edge-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "edge" {
  name               = "${var.name}-edge"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

# Traefik's ECS provider reads tasks and task definitions; the sidecar sends RESUME and ACCESS.
data "aws_iam_policy_document" "edge" {
  #checkov:skip=CKV_AWS_356:only actions without resource-level permissions use "*" (ECR token, ENIs, ECS task definitions/listing)
  statement {
    sid       = "TraefikEcsProvider"
    actions   = ["ecs:ListClusters", "ecs:DescribeClusters", "ecs:ListTasks", "ecs:DescribeTasks", "ecs:DescribeContainerInstances", "ecs:DescribeTaskDefinition", "ec2:DescribeInstances"]
    resources = ["*"]
  }
  statement {
    sid       = "SidecarSendsEvents"
    actions   = ["sqs:SendMessage"]
    resources = [var.events_queue_arn]
  }
}

resource "aws_iam_role_policy" "edge" {
  name   = "edge"
  role   = aws_iam_role.edge.id
  policy = data.aws_iam_policy_document.edge.json
}
