data "aws_region" "current" {}

resource "aws_ecr_repository" "sidecar" {
  name                 = "${var.name}-sidecar"
  image_tag_mutability = "MUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  tags = var.tags
}

resource "aws_cloudwatch_log_group" "edge" {
  name              = "/thaw/${var.name}/edge"
  retention_in_days = 30
  tags              = var.tags
}

locals {
  access_log     = "/var/log/traefik/access.log"
  domain_pattern = replace(var.domain, ".", "\\.")
  # The catch-all router: priority 1, so any router of an awake stack (priority = its rule's length) wins.
  launcher_labels = {
    "traefik.enable"                                               = "true"
    "thaw.managed"                                                 = "true"
    "traefik.http.routers.thaw-launcher.rule"                      = "HostRegexp(`^.+\\.${local.domain_pattern}$`)"
    "traefik.http.routers.thaw-launcher.priority"                  = "1"
    "traefik.http.routers.thaw-launcher.entrypoints"               = "web"
    "traefik.http.routers.thaw-launcher.service"                   = "thaw-launcher"
    "traefik.http.services.thaw-launcher.loadbalancer.server.port" = "8090"
  }
  log_options = {
    "awslogs-group"  = aws_cloudwatch_log_group.edge.name
    "awslogs-region" = data.aws_region.current.name
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
  volume {
    name = "access-log" # shared: Traefik writes its JSON access log, the sidecar tails it
  }
  container_definitions = jsonencode([
    {
      name      = "traefik"
      image     = var.traefik_image
      essential = true
      command = [
        "--entryPoints.web.address=:80",
        "--ping=true",
        "--ping.entryPoint=web",
        "--providers.ecs.clusters=${aws_ecs_cluster.this.name}",
        "--providers.ecs.autoDiscoverClusters=false",
        "--providers.ecs.exposedByDefault=false",
        "--providers.ecs.constraints=Label(`thaw.managed`,`true`)",
        "--providers.ecs.refreshSeconds=${var.traefik_refresh_seconds}",
        "--providers.ecs.region=${data.aws_region.current.name}",
        "--accesslog=true",
        "--accesslog.format=json",
        "--accesslog.filePath=${local.access_log}",
        "--log.format=json",
        "--global.checkNewVersion=false",
        "--global.sendAnonymousUsage=false",
      ]
      portMappings     = [{ containerPort = 80, protocol = "tcp" }]
      mountPoints      = [{ sourceVolume = "access-log", containerPath = "/var/log/traefik" }]
      logConfiguration = { logDriver = "awslogs", options = merge(local.log_options, { "awslogs-stream-prefix" = "traefik" }) }
    },
    {
      name         = "sidecar"
      image        = var.sidecar_image != "" ? var.sidecar_image : "${aws_ecr_repository.sidecar.repository_url}:latest"
      essential    = true
      portMappings = [{ containerPort = 8090, protocol = "tcp" }]
      dockerLabels = local.launcher_labels
      environment = [for key, value in merge({
        THAW_DOMAIN      = var.domain
        PORT             = "8090"
        EVENTS_QUEUE_URL = var.events_queue_url
        ACCESS_LOG       = local.access_log
        TRAEFIK_URL      = "http://127.0.0.1:80"
        LAUNCHER_ROUTER  = "thaw-launcher"
      }, var.sidecar_environment) : { name = key, value = value }]
      secrets          = [{ name = "DATABASE_URL", valueFrom = var.database_url_secret_arn }]
      mountPoints      = [{ sourceVolume = "access-log", containerPath = "/var/log/traefik", readOnly = true }]
      healthCheck      = { command = ["CMD", "node", "-e", "fetch('http://127.0.0.1:8090/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"], interval = 15, timeout = 5, retries = 3 }
      logConfiguration = { logDriver = "awslogs", options = merge(local.log_options, { "awslogs-stream-prefix" = "sidecar" }) }
    },
  ])
  tags = var.tags
}

resource "aws_ecs_service" "edge" {
  name            = "${var.name}-edge"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.edge.arn
  desired_count   = var.desired_count
  launch_type     = "FARGATE"
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
