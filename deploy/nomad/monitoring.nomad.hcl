# Optional monitoring for tickflow (monitoring_enabled = true): Prometheus scraping the engines, the
# gateways and QuestDB found through Nomad's service catalog, with the alert rules of
# deploy/prometheus/, and Grafana provisioned with the dashboards of deploy/grafana/. Both files come
# from the same release tarball as the engine, so the rules and dashboards match the running code.
#
# A Terraform template: terraform/locals.tf renders it with templatefile(), filling in the deployment
# values; Nomad's runtime variables (NOMAD_TASK_DIR, NOMAD_PORT_<label>) are escaped so they reach Nomad
# unchanged. Job files: deploy/nomad/README.md.
#
# Prometheus (Debian package `prometheus`) and Grafana
# (Grafana's own package) are binaries on the client. Their data live in sticky ephemeral disks:
# metrics history survives restarts and job updates, not the loss of the node.
job "tickflow-monitoring" {
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

  group "prometheus" {
    count = 1

    network {
      port "http" {
        static = ${prometheus_port}
      }
    }

    ephemeral_disk {
      size    = 4096
      sticky  = true
      migrate = true
    }

    service {
      name     = "tickflow-prometheus"
      provider = "nomad"
      port     = "http"

      check {
        name     = "prometheus-healthy"
        type     = "http"
        path     = "/-/healthy"
        interval = "10s"
        timeout  = "3s"
      }
    }

    task "prometheus" {
      driver = "exec"

      artifact {
        source      = "${tickflow_artifact_url}"
        destination = "local/tickflow"

        options {
          checksum = "${tickflow_artifact_checksum}"
        }
      }

      config {
        command = "${prometheus_path}"
        args = [
          "--config.file=$${NOMAD_TASK_DIR}/prometheus.yml",
          "--storage.tsdb.path=$${NOMAD_ALLOC_DIR}/data/prometheus",
          "--storage.tsdb.retention.time=${prometheus_retention}",
          "--web.listen-address=0.0.0.0:$${NOMAD_PORT_http}",
        ]
      }

      # Targets come from Nomad's service catalog through file-based discovery: the templates below
      # rewrite the target files as instances come and go, and Prometheus watches them (no reload, no
      # Nomad API token, and it works with Prometheus builds that leave out nomad_sd_configs).
      template {
        destination   = "local/prometheus.yml"
        change_mode   = "signal"
        change_signal = "SIGHUP"
        data          = <<-EOT
          global:
            scrape_interval: 15s
            evaluation_interval: 15s

          rule_files:
            - "{{ env "NOMAD_TASK_DIR" }}/tickflow/deploy/prometheus/tickflow-alerts.yml"

          scrape_configs:
            - job_name: tickflow-engine
              file_sd_configs:
                - files: ["{{ env "NOMAD_TASK_DIR" }}/targets/tickflow-engine.yml"]
            - job_name: tickflow-gateway
              file_sd_configs:
                - files: ["{{ env "NOMAD_TASK_DIR" }}/targets/tickflow-gateway.yml"]
            - job_name: questdb
              file_sd_configs:
                - files: ["{{ env "NOMAD_TASK_DIR" }}/targets/tickflow-questdb-health.yml"]
          EOT
      }

      template {
        destination = "local/targets/tickflow-engine.yml"
        change_mode = "noop"
        data        = <<-EOT
          - targets: [{{ range nomadService "tickflow-engine" }}"{{ .Address }}:{{ .Port }}",{{ end }}]
          EOT
      }

      template {
        destination = "local/targets/tickflow-gateway.yml"
        change_mode = "noop"
        data        = <<-EOT
          - targets: [{{ range nomadService "tickflow-gateway" }}"{{ .Address }}:{{ .Port }}",{{ end }}]
          EOT
      }

      template {
        destination = "local/targets/tickflow-questdb-health.yml"
        change_mode = "noop"
        data        = <<-EOT
          - targets: [{{ range nomadService "tickflow-questdb-health" }}"{{ .Address }}:{{ .Port }}",{{ end }}]
          EOT
      }

      kill_signal  = "SIGTERM"
      kill_timeout = "30s"

      resources {
        cpu    = ${prometheus_cpu}
        memory = ${prometheus_memory}
      }
    }
  }

  group "grafana" {
    count = 1

    network {
      port "http" {
        static = ${grafana_port}
      }
    }

    ephemeral_disk {
      size    = 1024
      sticky  = true
      migrate = true
    }

    service {
      name     = "tickflow-grafana"
      provider = "nomad"
      port     = "http"

      check {
        name     = "grafana-health"
        type     = "http"
        path     = "/api/health"
        interval = "10s"
        timeout  = "3s"
      }
    }

    task "grafana" {
      driver = "exec"

      artifact {
        source      = "${tickflow_artifact_url}"
        destination = "local/tickflow"

        options {
          checksum = "${tickflow_artifact_checksum}"
        }
      }

      config {
        command = "${grafana_path}"
        args    = ["server", "--homepath", "${grafana_home}", "--config", "$${NOMAD_TASK_DIR}/grafana.ini"]
      }

      template {
        destination = "local/grafana.ini"
        data        = <<-EOT
          [server]
          http_addr = 0.0.0.0
          http_port = {{ env "NOMAD_PORT_http" }}

          [paths]
          data = {{ env "NOMAD_ALLOC_DIR" }}/data/grafana
          logs = {{ env "NOMAD_ALLOC_DIR" }}/logs
          provisioning = {{ env "NOMAD_TASK_DIR" }}/provisioning

          [analytics]
          reporting_enabled = false
          check_for_updates = false

          [security]
          admin_user = admin
          EOT
      }

      # The admin password comes from the Nomad variable Terraform writes (nomad_variable.monitoring).
      template {
        destination = "secrets/grafana.env"
        env         = true
        perms       = "0600"
        data        = <<-EOT
          {{ with nomadVar "${monitoring_secrets_path}" }}GF_SECURITY_ADMIN_PASSWORD={{ .grafana_admin_password }}{{ end }}
          EOT
      }

      # uid "prometheus": the dashboards' datasource variable picks it as the only Prometheus source.
      template {
        destination = "local/provisioning/datasources/tickflow.yml"
        data        = <<-EOT
          apiVersion: 1
          datasources:
            - name: Prometheus
              uid: prometheus
              type: prometheus
              access: proxy
              isDefault: true
              url: {{ range nomadService "tickflow-prometheus" }}http://{{ .Address }}:{{ .Port }}{{ end }}
          EOT
      }

      template {
        destination = "local/provisioning/dashboards/tickflow.yml"
        data        = <<-EOT
          apiVersion: 1
          providers:
            - name: tickflow
              folder: tickflow
              type: file
              disableDeletion: true
              options:
                path: {{ env "NOMAD_TASK_DIR" }}/tickflow/deploy/grafana
          EOT
      }

      kill_signal  = "SIGTERM"
      kill_timeout = "20s"

      resources {
        cpu    = ${grafana_cpu}
        memory = ${grafana_memory}
      }
    }
  }
}
