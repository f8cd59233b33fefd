# The network, when vpc_id is empty: two public and two private subnets, ONE way out for the private
# subnets (a NAT instance by default, or a NAT gateway), the free S3 gateway endpoint (ECR serves image
# layers from S3, so image pulls on wake skip the NAT), and optionally the ECR interface endpoints.
# Prices and what each choice costs: docs/cost.md (`npm run bench -- cost`).
# With an existing VPC (vpc_id set) none of this is created; give private_route_table_ids to add the S3
# gateway endpoint to it.

locals {
  create_network          = var.vpc_id == ""
  vpc_id                  = local.create_network ? aws_vpc.this[0].id : var.vpc_id
  vpc_cidr                = local.create_network ? var.vpc_cidr : data.aws_vpc.existing[0].cidr_block
  public_subnet_ids       = local.create_network ? aws_subnet.public[*].id : var.public_subnet_ids
  private_subnet_ids      = local.create_network ? aws_subnet.private[*].id : var.private_subnet_ids
  private_route_table_ids = local.create_network ? [aws_route_table.private[0].id] : var.private_route_table_ids
  azs                     = slice(data.aws_availability_zones.available.names, 0, 2)
  nat_instance            = local.create_network && var.nat == "instance"
  nat_gateway             = local.create_network && var.nat == "gateway"
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_vpc" "existing" {
  count = local.create_network ? 0 : 1
  id    = var.vpc_id
}

resource "aws_vpc" "this" {
  #checkov:skip=CKV2_AWS_11:flow logs cost per GB ingested; turn them on if previews carry sensitive data
  count                = local.create_network ? 1 : 0
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # interface endpoints' private DNS names need it
  tags                 = merge(var.tags, { Name = var.name })
}

# The default security group admits nothing (every Thaw resource has its own group).
resource "aws_default_security_group" "this" {
  count  = local.create_network ? 1 : 0
  vpc_id = aws_vpc.this[0].id
  tags   = var.tags
}

resource "aws_internet_gateway" "this" {
  count  = local.create_network ? 1 : 0
  vpc_id = aws_vpc.this[0].id
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "public" {
  count             = local.create_network ? 2 : 0
  vpc_id            = aws_vpc.this[0].id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  tags              = merge(var.tags, { Name = "${var.name}-public-${local.azs[count.index]}" })
}

resource "aws_subnet" "private" {
  count             = local.create_network ? 2 : 0
  vpc_id            = aws_vpc.this[0].id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + 8)
  tags              = merge(var.tags, { Name = "${var.name}-private-${local.azs[count.index]}" })
}

resource "aws_route_table" "public" {
  count  = local.create_network ? 1 : 0
  vpc_id = aws_vpc.this[0].id
  tags   = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route" "public_internet" {
  count                  = local.create_network ? 1 : 0
  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count          = local.create_network ? 2 : 0
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

# One private route table: both private subnets leave through the same single NAT (see docs/cost.md:
# one NAT = one AZ to depend on; previews accept that).
resource "aws_route_table" "private" {
  count  = local.create_network ? 1 : 0
  vpc_id = aws_vpc.this[0].id
  tags   = merge(var.tags, { Name = "${var.name}-private" })
}

resource "aws_route_table_association" "private" {
  count          = local.create_network ? 2 : 0
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[0].id
}

# --- NAT gateway (nat = "gateway"): managed, scales, $0.045/h + $0.045/GB + its public IPv4 ---

resource "aws_eip" "nat" {
  #checkov:skip=CKV2_AWS_19:attached to the NAT gateway, not to an instance
  count  = local.nat_gateway ? 1 : 0
  domain = "vpc"
  tags   = merge(var.tags, { Name = "${var.name}-nat" })
}

resource "aws_nat_gateway" "this" {
  count         = local.nat_gateway ? 1 : 0
  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
  tags          = merge(var.tags, { Name = var.name })
  depends_on    = [aws_internet_gateway.this]
}

resource "aws_route" "private_nat_gateway" {
  count                  = local.nat_gateway ? 1 : 0
  route_table_id         = aws_route_table.private[0].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[0].id
}

# --- NAT instance (nat = "instance", the default): a t4g.nano on Amazon Linux 2023 that masquerades ---
# the private subnets. No per-GB charge; you own it: security updates are applied by dnf-automatic at
# boot and daily, kernel updates need a reboot (or `terraform apply -replace=aws_instance.nat[0]`).

# The newest Amazon Linux 2023 arm64 image from Amazon itself (owner "amazon"), not a community AMI.
data "aws_ami" "nat" {
  count       = local.nat_instance ? 1 : 0
  owners      = ["amazon"]
  most_recent = true
  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-kernel-*-arm64"]
  }
  filter {
    name   = "architecture"
    values = ["arm64"]
  }
}

resource "aws_security_group" "nat" {
  #checkov:skip=CKV_AWS_382:a NAT forwards the private subnets' traffic to any destination by definition
  count       = local.nat_instance ? 1 : 0
  name        = "${var.name}-nat"
  description = "Thaw NAT instance: forwards traffic from the VPC only"
  vpc_id      = aws_vpc.this[0].id
  ingress {
    description = "anything from inside the VPC (to be forwarded)"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = [var.vpc_cidr]
  }
  egress {
    description = "to the internet"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = var.tags
}

resource "aws_instance" "nat" {
  #checkov:skip=CKV_AWS_88:a NAT instance needs a public IPv4 address to reach the internet
  #checkov:skip=CKV_AWS_126:detailed monitoring costs per metric; the basic 5-minute metrics are enough for a NAT
  #checkov:skip=CKV2_AWS_41:no IAM role on purpose: the NAT calls no AWS API (least privilege)
  count                       = local.nat_instance ? 1 : 0
  ami                         = data.aws_ami.nat[0].id
  instance_type               = var.nat_instance_type
  subnet_id                   = aws_subnet.public[0].id
  vpc_security_group_ids      = [aws_security_group.nat[0].id]
  associate_public_ip_address = true
  source_dest_check           = false # it forwards packets that are not addressed to it
  ebs_optimized               = true
  monitoring                  = false
  user_data_replace_on_change = true
  user_data                   = templatefile("${path.module}/nat-instance.sh", { vpc_cidr = var.vpc_cidr })
  metadata_options {
    http_tokens   = "required" # IMDSv2 only
    http_endpoint = "enabled"
  }
  root_block_device {
    encrypted   = true
    volume_type = "gp3"
    volume_size = 8
  }
  maintenance_options {
    auto_recovery = "default" # EC2 restarts it on a host failure
  }
  # A newer AMI is not a reason to replace the NAT on every apply; replace it deliberately to patch.
  lifecycle {
    ignore_changes = [ami]
  }
  tags = merge(var.tags, { Name = "${var.name}-nat" })
}

resource "aws_route" "private_nat_instance" {
  count                  = local.nat_instance ? 1 : 0
  route_table_id         = aws_route_table.private[0].id
  destination_cidr_block = "0.0.0.0/0"
  network_interface_id   = aws_instance.nat[0].primary_network_interface_id
}

# --- Endpoints: image pulls on wake without the NAT ---

# Free. ECR stores image layers in S3: with this route, layer downloads (almost all the bytes of a pull)
# go straight to S3 instead of through the NAT; only the small ECR API and manifest calls use the NAT.
resource "aws_vpc_endpoint" "s3" {
  count             = length(local.private_route_table_ids) > 0 ? 1 : 0
  vpc_id            = local.vpc_id
  service_name      = "com.amazonaws.${var.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.private_route_table_ids
  tags              = merge(var.tags, { Name = "${var.name}-s3" })
}

# Not free: $0.01 per hour per AZ each, so ecr.api + ecr.dkr in two AZs is about $29 a month, far more
# than the NAT data they save at preview scale (docs/cost.md). Turn them on to pull from ECR with no
# route to the internet at all for the API calls.
resource "aws_security_group" "endpoints" {
  count       = var.ecr_interface_endpoints ? 1 : 0
  name        = "${var.name}-endpoints"
  description = "ECR interface endpoints: HTTPS from inside the VPC"
  vpc_id      = local.vpc_id
  ingress {
    description = "HTTPS from the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [local.vpc_cidr]
  }
  tags = var.tags
}

resource "aws_vpc_endpoint" "ecr" {
  for_each            = var.ecr_interface_endpoints ? toset(["ecr.api", "ecr.dkr"]) : toset([])
  vpc_id              = local.vpc_id
  service_name        = "com.amazonaws.${var.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.private_subnet_ids
  security_group_ids  = [aws_security_group.endpoints[0].id]
  tags                = merge(var.tags, { Name = "${var.name}-${each.key}" })
}
