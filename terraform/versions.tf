terraform {
  # 1.9+: variable validations that refer to other variables.
  required_version = ">= 1.9.0"

  required_providers {
    nomad = {
      source  = "hashicorp/nomad"
      version = "~> 2.5"
    }
  }
}
