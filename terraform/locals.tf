# The Nomad job specs, rendered from deploy/nomad/*.nomad.hcl (the one source of truth) with the
# values each placeholder takes. Every value passed is a string or a number; lists are passed as JSON,
# which is also an HCL list. No secret reaches a job spec: secrets go to the Nomad variables of
# main.tf, which the jobs read with nomadVar templates.
locals {
  jobs_dir = "${path.module}/../deploy/nomad"

  # Nomad gives a job read access to the variables under nomad/jobs/<job name>.
  gateway_secrets_path    = "nomad/jobs/tickflow-gateway"
  monitoring_secrets_path = "nomad/jobs/tickflow-monitoring"

  questdb_jar_url = (
    var.questdb_jar_url != ""
    ? var.questdb_jar_url
    : "https://repo1.maven.org/maven2/org/questdb/questdb/${var.questdb_version}/questdb-${var.questdb_version}.jar"
  )

  common_job_vars = {
    region      = var.region
    namespace   = var.namespace
    datacenters = jsonencode(var.datacenters)
  }

  release_vars = {
    tickflow_artifact_url      = var.tickflow_artifact_url
    tickflow_artifact_checksum = var.tickflow_artifact_checksum
  }

  nats_job_vars = merge(local.common_job_vars, {
    nats_count            = var.nats_count
    nats_config_file      = var.nats_count > 1 ? "nats-cluster.conf" : "nats.conf"
    nats_client_port      = var.ports.nats_client
    nats_monitor_port     = var.ports.nats_monitor
    nats_cluster_port     = var.ports.nats_cluster
    nats_host_volume      = var.nats_host_volume
    nats_server_path      = var.nats_server_path
    nats_max_memory_store = var.nats_max_memory_store
    nats_max_file_store   = var.nats_max_file_store
    partitions            = var.partitions
    nats_cpu              = var.resources.nats.cpu
    nats_memory           = var.resources.nats.memory
    nats_memory_max       = var.resources.nats.memory_max
  })

  questdb_job_vars = merge(local.common_job_vars, {
    questdb_http_port    = var.ports.questdb_http
    questdb_pg_port      = var.ports.questdb_pg
    questdb_ilp_port     = var.ports.questdb_ilp
    questdb_health_port  = var.ports.questdb_health
    questdb_host_volume  = var.questdb_host_volume
    questdb_jar_url      = local.questdb_jar_url
    questdb_jar_checksum = var.questdb_jar_checksum
    questdb_heap         = var.questdb_heap
    java_path            = var.java_path
    questdb_cpu          = var.resources.questdb.cpu
    questdb_memory       = var.resources.questdb.memory
    questdb_memory_max   = var.resources.questdb.memory_max
  })

  engine_job_vars = merge(local.common_job_vars, local.release_vars, {
    engine_count           = var.engine_count
    engine_shards          = var.engine_shards
    engine_kill_timeout    = var.engine_kill_timeout
    node_path              = var.node_path
    partitions             = var.partitions
    stream_max_age_ms      = var.stream_retention_hours * 3600000
    stream_max_bytes       = var.stream_max_bytes
    stream_max_ack_pending = var.stream_max_ack_pending
    # Streams and KV buckets replicated on a NATS cluster (R3), single copy on one server.
    stream_replicas   = var.nats_count >= 3 ? 3 : 1
    questdb_ttl_days  = var.questdb_ttl_days
    log_level         = var.log_level
    engine_cpu        = var.resources.engine.cpu
    engine_memory     = var.resources.engine.memory
    engine_memory_max = var.resources.engine.memory_max
  })

  gateway_job_vars = merge(local.common_job_vars, local.release_vars, {
    gateway_count           = var.gateway_count
    gateway_port            = var.ports.gateway
    gateway_service_tags    = jsonencode(var.gateway_service_tags)
    gateway_auth            = var.gateway_auth
    gateway_allowed_origins = join(",", var.gateway_allowed_origins)
    gateway_jwt_issuer      = var.gateway_jwt_issuer
    gateway_jwt_audience    = var.gateway_jwt_audience
    gateway_rate_per_second = var.gateway_rate_per_second
    gateway_burst           = var.gateway_burst
    gateway_max_connections = var.gateway_max_connections
    gateway_secrets_path    = local.gateway_secrets_path
    node_path               = var.node_path
    log_level               = var.log_level
    gateway_cpu             = var.resources.gateway.cpu
    gateway_memory          = var.resources.gateway.memory
    gateway_memory_max      = var.resources.gateway.memory_max
  })

  monitoring_job_vars = merge(local.common_job_vars, local.release_vars, {
    prometheus_port         = var.ports.prometheus
    prometheus_path         = var.prometheus_path
    prometheus_retention    = var.prometheus_retention
    grafana_port            = var.ports.grafana
    grafana_path            = var.grafana_path
    grafana_home            = var.grafana_home
    monitoring_secrets_path = local.monitoring_secrets_path
    prometheus_cpu          = var.resources.prometheus.cpu
    prometheus_memory       = var.resources.prometheus.memory
    grafana_cpu             = var.resources.grafana.cpu
    grafana_memory          = var.resources.grafana.memory
  })

  jobspecs = {
    nats       = templatefile("${local.jobs_dir}/nats.nomad.hcl", local.nats_job_vars)
    questdb    = templatefile("${local.jobs_dir}/questdb.nomad.hcl", local.questdb_job_vars)
    engine     = templatefile("${local.jobs_dir}/engine.nomad.hcl", local.engine_job_vars)
    gateway    = templatefile("${local.jobs_dir}/gateway.nomad.hcl", local.gateway_job_vars)
    monitoring = templatefile("${local.jobs_dir}/monitoring.nomad.hcl", local.monitoring_job_vars)
  }

  # The gateway's secrets: every item is always written (templates read them unconditionally); the
  # env item says which JWT verification, if any, the gateway uses.
  gateway_secret_items = {
    api_keys_json = var.gateway_api_keys_json
    jwks_json     = var.gateway_jwks_json != "" ? var.gateway_jwks_json : "{\"keys\":[]}"
    env = (
      var.gateway_jwt_secret != "" ? "TICKFLOW_GATEWAY_JWT_SECRET=${var.gateway_jwt_secret}\n"
      : var.gateway_jwks_json != "" ? "TICKFLOW_GATEWAY_JWKS_FILE=/secrets/jwks.json\n"
      : "# no JWT verification: API keys only\n"
    )
  }

  monitoring_secret_items = {
    grafana_admin_password = var.grafana_admin_password != "" ? var.grafana_admin_password : "unused-monitoring-disabled"
  }
}
