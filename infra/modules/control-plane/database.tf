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

# A fixed final-snapshot name makes the second destroy of a recreated database fail (the snapshot exists).
resource "random_id" "final_snapshot" {
  count       = var.create_database ? 1 : 0
  byte_length = 4
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
  deletion_protection          = var.deletion_protection
  skip_final_snapshot          = var.skip_final_snapshot
  final_snapshot_identifier    = var.skip_final_snapshot ? null : "${var.name}-final-${random_id.final_snapshot[0].hex}"
  performance_insights_enabled = false
  tags                         = var.tags
}

locals {
  # RDS for PostgreSQL 15+ sets rds.force_ssl=1: a client without TLS is refused. sslmode=require (TLS,
  # no certificate check: the Lambdas and the sidecar image do not ship the RDS CA bundle).
  database_url = var.create_database ? "postgres://thaw:${random_password.database[0].result}@${aws_db_instance.this[0].address}:5432/thaw?sslmode=require" : var.existing_database_url
}

# The connection string, for the sidecar (ECS secret) and for operators.
resource "aws_secretsmanager_secret" "database_url" {
  name                    = "${var.name}/database-url"
  description             = "postgres:// URL of Thaw's control-plane database"
  recovery_window_in_days = var.secret_recovery_window_in_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id     = aws_secretsmanager_secret.database_url.id
  secret_string = local.database_url
}
