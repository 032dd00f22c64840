# The tickflow engine: JetStream partitions -> worker-thread shards -> candles, indicators and alerts
# into QuestDB and back onto NATS.
#
# A Terraform template: terraform/locals.tf renders it with templatefile(), filling in the deployment
# values; Nomad's runtime variables (NOMAD_TASK_DIR, NOMAD_PORT_<label>) are escaped so they reach Nomad
# unchanged. Job files: deploy/nomad/README.md.
#
# Any number of instances share the partitions: each claims a fair share with leases in NATS KV and
# rebalances when one joins, leaves or dies. A stopping engine drains, flushes, acks, snapshots and
# releases its leases; kill_timeout gives it the time to (the client's max_kill_timeout must allow it).
job "tickflow-engine" {
  region      = "${region}"
  namespace   = "${namespace}"
  datacenters = ${datacenters}
  type        = "service"

  # One engine at a time: its partitions move to the others before the next one stops.
  update {
    max_parallel      = 1
    health_check      = "checks"
    min_healthy_time  = "30s"
    healthy_deadline  = "5m"
    progress_deadline = "10m"
    auto_revert       = true
  }

  group "engine" {
    count = ${engine_count}

    network {
      port "ops" {}
    }

    restart {
      attempts = 5
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    # /metrics, /health (the event loop answers) and /ready (NATS connected, QuestDB reachable, at least
    # one partition owned). /ready does not gate deployments: an engine beyond the partition count owns
    # nothing and is still healthy, a standby.
    service {
      name     = "tickflow-engine"
      provider = "nomad"
      port     = "ops"
      tags     = ["metrics"]

      check {
        name     = "engine-health"
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "3s"

        check_restart {
          limit = 3
          grace = "60s"
        }
      }

      check {
        name      = "engine-ready"
        type      = "http"
        path      = "/ready"
        interval  = "15s"
        timeout   = "5s"
        on_update = "ignore"
      }
    }

    task "engine" {
      driver = "exec"

      # The release tarball: package.json, bin/, build/, node_modules/ (production) and deploy/.
      artifact {
        source      = "${tickflow_artifact_url}"
        destination = "local/tickflow"

        options {
          checksum = "${tickflow_artifact_checksum}"
        }
      }

      config {
        command = "${node_path}"
        args    = ["$${NOMAD_TASK_DIR}/tickflow/bin/tickflow.js", "engine", "--config", "$${NOMAD_TASK_DIR}/engine.json"]
      }

      env {
        NODE_ENV = "production"
      }

      # The engine's config file (same shape as `tickflow engine --help` lists; loaded by
      # engine/config/load-engine-config.ts). Values found at run time come from engine.env below.
      template {
        destination = "local/engine.json"
        change_mode = "restart"
        data        = <<-EOT
          {
            "nats": {
              "name": "tickflow-engine"
            },
            "streams": {
              "partitions": ${partitions},
              "maxAgeMs": ${stream_max_age_ms},
              "maxBytes": ${stream_max_bytes},
              "maxAckPending": ${stream_max_ack_pending},
              "replicas": ${stream_replicas}
            },
            "engine": {
              "shards": ${engine_shards}
            },
            "questdb": {
              "ttlDays": ${questdb_ttl_days}
            },
            "outputs": {
              "publish": true
            },
            "http": {
              "host": "0.0.0.0"
            },
            "log": {
              "level": "${log_level}"
            }
          }
          EOT
      }

      # TICKFLOW_<SECTION>_<KEY> variables override the file. The seed servers are read at start only
      # (the client learns the rest of the cluster), so a NATS rolling upgrade does not restart engines.
      template {
        destination = "local/engine.env"
        env         = true
        change_mode = "noop"
        data        = <<-EOT
          TICKFLOW_ENGINE_ID=engine-{{ env "NOMAD_ALLOC_ID" }}
          TICKFLOW_HTTP_PORT={{ env "NOMAD_PORT_ops" }}
          TICKFLOW_NATS_SERVERS={{ range nomadService "tickflow-nats" }}nats://{{ .Address }}:{{ .Port }},{{ end }}
          TICKFLOW_QUESTDB_ILP_URL={{ range nomadService "tickflow-questdb-http" }}http://{{ .Address }}:{{ .Port }}{{ end }}
          TICKFLOW_QUESTDB_HTTP_URL={{ range nomadService "tickflow-questdb-http" }}http://{{ .Address }}:{{ .Port }}{{ end }}
          EOT
      }

      kill_signal  = "SIGTERM"
      kill_timeout = "${engine_kill_timeout}"

      resources {
        cpu        = ${engine_cpu}
        memory     = ${engine_memory}
        memory_max = ${engine_memory_max}
      }
    }
  }
}
