resource "aws_security_group" "lambda" {
  name        = "${var.name}-control-plane"
  description = "Thaw control-plane functions"
  vpc_id      = var.vpc_id
  egress {
    description = "AWS APIs and the database"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = var.tags
}

resource "aws_security_group" "database" {
  count       = var.create_database ? 1 : 0
  name        = "${var.name}-database"
  description = "Thaw database: reachable from the control plane, the sidecar and stacks only"
  vpc_id      = var.vpc_id
  ingress {
    description     = "PostgreSQL"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = concat([aws_security_group.lambda.id], var.database_client_security_group_ids)
  }
  tags = var.tags
}

resource "aws_db_subnet_group" "this" {
  count      = var.create_database ? 1 : 0
  name       = "${var.name}-database"
  subnet_ids = var.private_subnet_ids
  tags       = var.tags
}

resource "random_password" "database" {
  count   = var.create_database ? 1 : 0
  length  = 32
  special = false
}

resource "aws_db_instance" "this" {
  count                        = var.create_database ? 1 : 0
  identifier                   = var.name
  engine                       = "postgres"
  engine_version               = "16"
  instance_class               = var.db_instance_class
  allocated_storage            = var.db_allocated_storage_gb
  storage_encrypted            = true
  db_name                      = "thaw"
  username                     = "thaw"
  password                     = random_password.database[0].result
  db_subnet_group_name         = aws_db_subnet_group.this[0].name
  vpc_security_group_ids       = [aws_security_group.database[0].id]
  backup_retention_period      = 7
  deletion_protection          = true
  skip_final_snapshot          = false
  final_snapshot_identifier    = "${var.name}-final"
  performance_insights_enabled = false
  tags                         = var.tags
}

locals {
  database_url = var.create_database ? "postgres://thaw:${random_password.database[0].result}@${aws_db_instance.this[0].address}:5432/thaw" : var.existing_database_url
}

# The connection string, for the sidecar (ECS secret) and for operators.
resource "aws_secretsmanager_secret" "database_url" {
  name        = "${var.name}/database-url"
  description = "postgres:// URL of Thaw's control-plane database"
  tags        = var.tags
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id     = aws_secretsmanager_secret.database_url.id
  secret_string = local.database_url
}
