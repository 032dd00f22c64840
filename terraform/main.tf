# tickflow on Nomad: NATS with JetStream, QuestDB, the engines, the gateways and (optionally)
# Prometheus + Grafana. The job specs are deploy/nomad/*.nomad.hcl rendered in locals.tf.
# How to run it: README.md beside this file.

provider "nomad" {
  address   = var.nomad_address
  region    = var.region
  secret_id = var.nomad_token
}

# Secrets the gateway reads with nomadVar templates (API keys file, JWT secret or JWKS). They live in
# Nomad's encrypted variable store and in this Terraform state: keep the state in an encrypted backend.
resource "nomad_variable" "gateway" {
  path      = local.gateway_secrets_path
  namespace = var.namespace
  items     = local.gateway_secret_items
}

resource "nomad_variable" "monitoring" {
  count = var.monitoring_enabled ? 1 : 0

  path      = local.monitoring_secrets_path
  namespace = var.namespace
  items     = local.monitoring_secret_items
}

# detach = false: apply waits for each deployment to become healthy, so the engines start after NATS
# and QuestDB answer, and a failed rollout fails the apply (and Nomad reverts it: auto_revert).
resource "nomad_job" "nats" {
  jobspec          = local.jobspecs.nats
  detach           = false
  purge_on_destroy = false
}

resource "nomad_job" "questdb" {
  jobspec          = local.jobspecs.questdb
  detach           = false
  purge_on_destroy = false
}

resource "nomad_job" "engine" {
  jobspec          = local.jobspecs.engine
  detach           = false
  purge_on_destroy = false

  depends_on = [nomad_job.nats, nomad_job.questdb]
}

resource "nomad_job" "gateway" {
  jobspec          = local.jobspecs.gateway
  detach           = false
  purge_on_destroy = false

  depends_on = [nomad_job.nats, nomad_job.questdb, nomad_variable.gateway]
}

resource "nomad_job" "monitoring" {
  count = var.monitoring_enabled ? 1 : 0

  jobspec          = local.jobspecs.monitoring
  detach           = false
  purge_on_destroy = false

  depends_on = [nomad_job.engine, nomad_job.gateway, nomad_variable.monitoring]
}
