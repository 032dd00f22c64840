# NATS with JetStream for tickflow: the input streams, the engine's leases and snapshots (KV), and the
# outputs for trading algorithms.
#
# A Terraform template: terraform/locals.tf renders it with templatefile(), filling in the deployment
# values; Nomad's runtime variables (NOMAD_TASK_DIR, NOMAD_PORT_<label>) are escaped so they reach Nomad
# unchanged. Job files: deploy/nomad/README.md.
#
# One server per Nomad client (static ports, each server owns its node's host volume). With
# nats_count = 1 the server runs alone (nats.conf); with 3 or 5 it runs nats-cluster.conf, which adds a
# JetStream cluster whose routes are this server plus every peer registered as the Nomad service
# "tickflow-nats-cluster" (re-rendered and reloaded with SIGHUP as peers come and go).
job "tickflow-nats" {
  region      = "${region}"
  namespace   = "${namespace}"
  datacenters = ${datacenters}
  type        = "service"

  constraint {
    operator = "distinct_hosts"
    value    = "true"
  }

  # One server at a time, so a 3-node cluster never loses its JetStream quorum during an upgrade.
  update {
    max_parallel      = 1
    health_check      = "checks"
    min_healthy_time  = "20s"
    healthy_deadline  = "5m"
    progress_deadline = "10m"
    auto_revert       = true
  }

  group "nats" {
    count = ${nats_count}

    network {
      port "client" {
        static = ${nats_client_port}
      }
      port "monitor" {
        static = ${nats_monitor_port}
      }
      port "cluster" {
        static = ${nats_cluster_port}
      }
    }

    # Declared in the client's agent config: host_volume "tickflow-nats" { path = "/srv/tickflow/nats" }.
    volume "data" {
      type      = "host"
      source    = "${nats_host_volume}"
      read_only = false
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "15s"
      mode     = "delay"
    }

    service {
      name     = "tickflow-nats"
      provider = "nomad"
      port     = "client"

      check {
        name     = "nats-client-port"
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    # /healthz is 200 only when JetStream is up and, in a cluster, in contact with a meta leader.
    service {
      name     = "tickflow-nats-monitor"
      provider = "nomad"
      port     = "monitor"

      check {
        name     = "nats-healthz"
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "3s"
      }
    }

    service {
      name     = "tickflow-nats-cluster"
      provider = "nomad"
      port     = "cluster"

      check {
        name     = "nats-cluster-port"
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "nats-server" {
      driver = "exec"

      config {
        command = "${nats_server_path}"
        args    = ["--config", "$${NOMAD_TASK_DIR}/${nats_config_file}"]
      }

      volume_mount {
        volume      = "data"
        destination = "/data"
        read_only   = false
      }

      # Lame duck mode: clients are moved to the other servers gradually before this one stops.
      kill_signal  = "SIGUSR2"
      kill_timeout = "90s"

      # [[ ]] delimiters: the subject mappings below use NATS's own {{ }} functions.
      template {
        destination     = "local/nats.conf"
        change_mode     = "signal"
        change_signal   = "SIGHUP"
        left_delimiter  = "[["
        right_delimiter = "]]"
        data            = <<-EOT
          # Rendered by Nomad for tickflow (deploy/nomad/nats.nomad.hcl).
          server_name: "tickflow-nats-[[ env "node.unique.name" ]]"
          listen: "0.0.0.0:[[ env "NOMAD_PORT_client" ]]"
          client_advertise: "[[ env "NOMAD_ADDR_client" ]]"
          http: "0.0.0.0:[[ env "NOMAD_PORT_monitor" ]]"
          # A frame of many trades for one symbol is one message.
          max_payload: 8MB
          lame_duck_duration: "60s"
          lame_duck_grace_period: "10s"

          jetstream {
            store_dir: "/data"
            max_memory_store: ${nats_max_memory_store}
            max_file_store: ${nats_max_file_store}
          }

          # Third-party producers may publish md.trade.<venue>.<symbol> without the partition token: the
          # server adds it with the FNV-32a function the engine uses, for the engine's P = ${partitions}.
          mappings = {
            "md.trade.*.*": "md.trade.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(${partitions},1,2)}}"
            "md.quote.*.*": "md.quote.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(${partitions},1,2)}}"
          }
          EOT
      }

      template {
        destination     = "local/nats-cluster.conf"
        change_mode     = "signal"
        change_signal   = "SIGHUP"
        left_delimiter  = "[["
        right_delimiter = "]]"
        data            = <<-EOT
          include "nats.conf"

          # The route to this server itself (over loopback, so it never repeats a catalog entry) is
          # ignored by NATS but keeps the list non-empty, which a JetStream cluster requires, while the
          # first server waits for its peers to register.
          cluster {
            name: "tickflow"
            listen: "0.0.0.0:[[ env "NOMAD_PORT_cluster" ]]"
            advertise: "[[ env "NOMAD_ADDR_cluster" ]]"
            routes: [
              "nats-route://127.0.0.1:[[ env "NOMAD_PORT_cluster" ]]"
          [[ range nomadService "tickflow-nats-cluster" ]]    "nats-route://[[ .Address ]]:[[ .Port ]]"
          [[ end ]]  ]
          }
          EOT
      }

      resources {
        cpu        = ${nats_cpu}
        memory     = ${nats_memory}
        memory_max = ${nats_memory_max}
      }
    }
  }
}
