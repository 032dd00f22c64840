locals {
  gateway_url = (
    var.gateway_public_url != ""
    ? var.gateway_public_url
    : "http://<load balancer, or any client running tickflow-gateway>:${var.ports.gateway}"
  )
}

output "gateway_url" {
  description = "REST and WebSocket endpoint of the gateways (WebSocket at /ws, REST under /api/v1)."
  value       = local.gateway_url
}

output "websocket_url" {
  description = "WebSocket endpoint; clients add ?token=<API key or JWT>."
  value       = "${replace(replace(local.gateway_url, "https://", "wss://"), "http://", "ws://")}/ws"
}

output "dashboard_url" {
  description = "The gateway's dashboard page (open with ?key=<API key> when auth is on)."
  value       = "${local.gateway_url}/"
}

output "nats_url" {
  description = "NATS for feeds and trading algorithms (candles on md.candle.<interval>.<venue>.<symbol>)."
  value       = var.nats_public_url != "" ? var.nats_public_url : "nats://<any client running tickflow-nats>:${var.ports.nats_client}"
}

output "questdb_console_url" {
  description = "QuestDB's web console and REST API."
  value       = "http://<the client holding host volume ${var.questdb_host_volume}>:${var.ports.questdb_http}"
}

output "grafana_url" {
  description = "Grafana with the tickflow dashboards (user admin), when monitoring_enabled."
  value       = var.monitoring_enabled ? "http://<client running tickflow-monitoring>:${var.ports.grafana}" : null
}

output "nomad_services" {
  description = "Nomad services the jobs register (nomad service list / nomad service info <name>)."
  value = {
    nats    = "tickflow-nats"
    questdb = "tickflow-questdb-http"
    engine  = "tickflow-engine"
    gateway = "tickflow-gateway"
  }
}

output "job_ids" {
  description = "The Nomad jobs Terraform manages."
  value = concat(
    [nomad_job.nats.id, nomad_job.questdb.id, nomad_job.engine.id, nomad_job.gateway.id],
    [for j in nomad_job.monitoring : j.id],
  )
}
