terraform {
  required_version = ">= 1.6"
  required_providers {
    # Validated against hashicorp/aws 6.25 (infra/schema/aws-6.25.json).
    aws     = { source = "hashicorp/aws", version = "~> 6.25" }
    archive = { source = "hashicorp/archive", version = ">= 2.4" }
    random  = { source = "hashicorp/random", version = ">= 3.6" }
  }
}
