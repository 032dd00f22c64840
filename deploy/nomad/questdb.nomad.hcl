# QuestDB for tickflow: trades, candles, indicators and alerts (WAL tables with DEDUP UPSERT KEYS).
#
# A Terraform template: terraform/locals.tf renders it with templatefile(), filling in the deployment
# values; Nomad's runtime variables (NOMAD_TASK_DIR, NOMAD_PORT_<label>) are escaped so they reach Nomad
# unchanged. Job files: deploy/nomad/README.md.
#
# The server is the Maven Central jar org.questdb:questdb started the way engine/stack/questdb.ts starts
# it (java --add-exports ... -p questdb.jar -m io.questdb/io.questdb.ServerMain -d <root>), ports set by
# QDB_* variables. QuestDB 9.3.x runs on Java 17; 9.4 and later need Java 25.
job "tickflow-questdb" {
  region      = "${region}"
  namespace   = "${namespace}"
  datacenters = ${datacenters}
  type        = "service"

  update {
    max_parallel      = 1
    health_check      = "checks"
    min_healthy_time  = "10s"
    healthy_deadline  = "5m"
    progress_deadline = "10m"
    auto_revert       = true
  }

  # One server: its data lives on the one client that declares the host volume, which pins it there.
  group "questdb" {
    count = 1

    network {
      port "http" {
        static = ${questdb_http_port}
      }
      port "pg" {
        static = ${questdb_pg_port}
      }
      port "ilp" {
        static = ${questdb_ilp_port}
      }
      port "health" {
        static = ${questdb_health_port}
      }
    }

    volume "data" {
      type      = "host"
      source    = "${questdb_host_volume}"
      read_only = false
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "15s"
      mode     = "delay"
    }

    # REST (/exec), the web console and ILP over HTTP, which the engine writes to. /ping answers 204.
    service {
      name     = "tickflow-questdb-http"
      provider = "nomad"
      port     = "http"

      check {
        name     = "questdb-http-ping"
        type     = "http"
        path     = "/ping"
        interval = "10s"
        timeout  = "3s"
      }
    }

    service {
      name     = "tickflow-questdb-pg"
      provider = "nomad"
      port     = "pg"

      check {
        name     = "questdb-pg-port"
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    # The minimal HTTP server: /status for health, /metrics for Prometheus.
    service {
      name     = "tickflow-questdb-health"
      provider = "nomad"
      port     = "health"
      tags     = ["metrics"]

      check {
        name     = "questdb-status"
        type     = "http"
        path     = "/status"
        interval = "10s"
        timeout  = "3s"
      }
    }

    task "questdb" {
      driver = "exec"

      artifact {
        source      = "${questdb_jar_url}"
        destination = "local/questdb.jar"
        mode        = "file"

        options {
          checksum = "${questdb_jar_checksum}"
        }
      }

      config {
        command = "${java_path}"
        args = [
          "-Xmx${questdb_heap}",
          "--add-exports",
          "java.base/jdk.internal.math=io.questdb",
          "-p",
          "$${NOMAD_TASK_DIR}/questdb.jar",
          "-m",
          "io.questdb/io.questdb.ServerMain",
          "-d",
          "/data",
        ]
      }

      volume_mount {
        volume      = "data"
        destination = "/data"
        read_only   = false
      }

      env {
        QDB_HTTP_BIND_TO         = "0.0.0.0:$${NOMAD_PORT_http}"
        QDB_HTTP_MIN_ENABLED     = "true"
        QDB_HTTP_MIN_NET_BIND_TO = "0.0.0.0:$${NOMAD_PORT_health}"
        QDB_PG_NET_BIND_TO       = "0.0.0.0:$${NOMAD_PORT_pg}"
        QDB_LINE_TCP_NET_BIND_TO = "0.0.0.0:$${NOMAD_PORT_ilp}"
        QDB_LINE_UDP_ENABLED     = "false"
        QDB_METRICS_ENABLED      = "true"
        QDB_TELEMETRY_ENABLED    = "false"
        # QuestDB's worker polling is left at its defaults: this task has its CPU to itself. On a
        # node shared with the engine or the gateway, add the idle settings `make up` uses
        # (QUESTDB_WORKER_IDLE_ENV in engine/stack/questdb.ts), e.g. QDB_SHARED_WORKER_SLEEP_THRESHOLD.
      }

      # SIGTERM lets QuestDB finish its WAL apply and close tables cleanly.
      kill_signal  = "SIGTERM"
      kill_timeout = "60s"

      resources {
        cpu        = ${questdb_cpu}
        memory     = ${questdb_memory}
        memory_max = ${questdb_memory_max}
      }
    }
  }
}
