# The tickflow gateway: WebSocket pub/sub, REST history, the dashboard page, /metrics.
#
# A Terraform template: terraform/locals.tf renders it with templatefile(), filling in the deployment
# values; Nomad's runtime variables (NOMAD_TASK_DIR, NOMAD_PORT_<label>) are escaped so they reach Nomad
# unchanged. Job files: deploy/nomad/README.md.
#
# Stateless: run as many as needed behind a load balancer that probes /ready. The port is static (one
# gateway per client node) so a plain L4 load balancer can target the nodes; the instances are also the
# Nomad service "tickflow-gateway" for a load balancer that reads Nomad's service catalog.
# Secrets (API keys file, JWT secret or JWKS) come from the Nomad variable ${gateway_secrets_path},
# which Terraform writes (nomad_variable.gateway); they are never in this file.
job "tickflow-gateway" {
  region      = "${region}"
  namespace   = "${namespace}"
  datacenters = ${datacenters}
  type        = "service"

  constraint {
    operator = "distinct_hosts"
    value    = "true"
  }

  update {
    max_parallel      = 1
    health_check      = "checks"
    min_healthy_time  = "10s"
    healthy_deadline  = "3m"
    progress_deadline = "10m"
    auto_revert       = true
  }

  group "gateway" {
    count = ${gateway_count}

    network {
      port "http" {
        static = ${gateway_port}
      }
    }

    # Deregister first, then stop: the load balancer stops routing here before connections close.
    shutdown_delay = "5s"

    restart {
      attempts = 5
      interval = "5m"
      delay    = "5s"
      mode     = "delay"
    }

    service {
      name     = "tickflow-gateway"
      provider = "nomad"
      port     = "http"
      tags     = ${gateway_service_tags}

      check {
        name     = "gateway-health"
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "3s"

        check_restart {
          limit = 3
          grace = "30s"
        }
      }

      # NATS connected and QuestDB reachable: what a load balancer should route on. It does not gate
      # deployments, so a QuestDB outage does not roll back a gateway upgrade.
      check {
        name      = "gateway-ready"
        type      = "http"
        path      = "/ready"
        interval  = "5s"
        timeout   = "3s"
        on_update = "ignore"
      }
    }

    task "gateway" {
      driver = "exec"

      artifact {
        source      = "${tickflow_artifact_url}"
        destination = "local/tickflow"

        options {
          checksum = "${tickflow_artifact_checksum}"
        }
      }

      config {
        command = "${node_path}"
        args    = ["$${NOMAD_TASK_DIR}/tickflow/bin/tickflow.js", "gateway"]
      }

      # gateway/options.ts: TICKFLOW_GATEWAY_<NAME>; an empty value counts as unset.
      env {
        NODE_ENV                         = "production"
        TICKFLOW_GATEWAY_HOST            = "0.0.0.0"
        TICKFLOW_GATEWAY_PORT            = "$${NOMAD_PORT_http}"
        TICKFLOW_GATEWAY_AUTH            = "${gateway_auth}"
        TICKFLOW_GATEWAY_KEYS_FILE       = "$${NOMAD_SECRETS_DIR}/tickflow-keys.json"
        TICKFLOW_GATEWAY_JWT_ISSUER      = "${gateway_jwt_issuer}"
        TICKFLOW_GATEWAY_JWT_AUDIENCE    = "${gateway_jwt_audience}"
        TICKFLOW_GATEWAY_ALLOWED_ORIGINS = "${gateway_allowed_origins}"
        TICKFLOW_GATEWAY_RATE            = "${gateway_rate_per_second}"
        TICKFLOW_GATEWAY_BURST           = "${gateway_burst}"
        TICKFLOW_GATEWAY_MAX_CONNECTIONS = "${gateway_max_connections}"
        TICKFLOW_GATEWAY_LOG_LEVEL       = "${log_level}"
      }

      # The gateway takes one NATS seed and learns the rest of the cluster from it; read at start only.
      template {
        destination = "local/gateway.env"
        env         = true
        change_mode = "noop"
        data        = <<-EOT
          TICKFLOW_GATEWAY_NATS_URL={{ with nomadService "tickflow-nats" }}{{ with index . 0 }}nats://{{ .Address }}:{{ .Port }}{{ end }}{{ end }}
          TICKFLOW_GATEWAY_QUESTDB_URL={{ range nomadService "tickflow-questdb-http" }}http://{{ .Address }}:{{ .Port }}{{ end }}
          EOT
      }

      # The keys file holds SHA-256 hashes of the API keys (tickflow gateway keys add), read at start;
      # a change restarts the gateways one by one over the splay, not all at once.
      template {
        destination = "secrets/tickflow-keys.json"
        perms       = "0600"
        change_mode = "restart"
        splay       = "60s"
        data        = <<-EOT
          {{ with nomadVar "${gateway_secrets_path}" }}{{ .api_keys_json }}{{ end }}
          EOT
      }

      template {
        destination = "secrets/jwks.json"
        perms       = "0600"
        change_mode = "restart"
        splay       = "60s"
        data        = <<-EOT
          {{ with nomadVar "${gateway_secrets_path}" }}{{ .jwks_json }}{{ end }}
          EOT
      }

      # TICKFLOW_GATEWAY_JWT_SECRET or TICKFLOW_GATEWAY_JWKS_FILE (or neither), as Terraform wrote them.
      template {
        destination = "secrets/gateway-secrets.env"
        env         = true
        perms       = "0600"
        change_mode = "restart"
        splay       = "60s"
        data        = <<-EOT
          {{ with nomadVar "${gateway_secrets_path}" }}{{ .env }}{{ end }}
          EOT
      }

      kill_signal  = "SIGTERM"
      kill_timeout = "20s"

      resources {
        cpu        = ${gateway_cpu}
        memory     = ${gateway_memory}
        memory_max = ${gateway_memory_max}
      }
    }
  }
}
