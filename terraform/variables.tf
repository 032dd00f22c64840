# Inputs of the tickflow deployment. Every value reaches the Nomad jobs through locals.tf; the job files
# themselves are deploy/nomad/*.nomad.hcl. terraform.tfvars.example shows a complete set.

# --- Nomad cluster -------------------------------------------------------------------------------

variable "nomad_address" {
  description = "HTTP address of a Nomad server (or of a client agent that forwards to one)."
  type        = string
  default     = "http://127.0.0.1:4646"

  validation {
    condition     = can(regex("^https?://[^\\s/]+(/.*)?$", var.nomad_address))
    error_message = "nomad_address must be an http:// or https:// URL such as http://nomad.internal:4646."
  }
}

variable "nomad_token" {
  description = "Nomad ACL token with submit-job and variables write in the namespace; null when ACLs are off (or use NOMAD_TOKEN)."
  type        = string
  default     = null
  sensitive   = true
}

variable "region" {
  description = "Nomad region the jobs run in."
  type        = string
  default     = "global"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,64}$", var.region))
    error_message = "region must be 1-64 letters, digits, '_', '.' or '-'."
  }
}

variable "namespace" {
  description = "Nomad namespace of the jobs and of their secrets (Nomad variables)."
  type        = string
  default     = "default"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,128}$", var.namespace))
    error_message = "namespace must be 1-128 letters, digits, '_' or '-'."
  }
}

variable "datacenters" {
  description = "Datacenters the jobs may be placed in; [\"*\"] means all."
  type        = list(string)
  default     = ["*"]

  validation {
    condition     = length(var.datacenters) > 0 && alltrue([for dc in var.datacenters : can(regex("^[A-Za-z0-9_.*-]{1,64}$", dc))])
    error_message = "datacenters must list at least one datacenter name (letters, digits, '_', '.', '-', or '*')."
  }
}

# --- What runs: the tickflow release and the binaries on the clients ------------------------------

variable "tickflow_artifact_url" {
  description = "URL of the tickflow release tarball (package.json, bin/, build/, node_modules/, deploy/ at its root) that Nomad clients download; any go-getter source (https://, s3::, gcs::)."
  type        = string

  validation {
    condition     = can(regex("^(https?://|s3::|gcs::|git::)\\S+$", var.tickflow_artifact_url))
    error_message = "tickflow_artifact_url must be an https://, http://, s3::, gcs:: or git:: source such as https://releases.example.com/tickflow-0.1.0-linux-x64.tar.gz."
  }
}

variable "tickflow_artifact_checksum" {
  description = "Checksum of the release tarball, as go-getter takes it: sha256:<64 hex digits> (sha256sum of the file)."
  type        = string

  validation {
    condition     = can(regex("^sha256:[0-9a-f]{64}$", var.tickflow_artifact_checksum))
    error_message = "tickflow_artifact_checksum must be sha256: followed by 64 lowercase hex digits (the output of sha256sum)."
  }
}

variable "node_path" {
  description = "Node.js 20 on the Nomad clients (inside the exec driver's chroot, which copies /usr)."
  type        = string
  default     = "/usr/bin/node"

  validation {
    condition     = startswith(var.node_path, "/")
    error_message = "node_path must be an absolute path such as /usr/bin/node."
  }
}

variable "nats_server_path" {
  description = "nats-server 2.9+ on the Nomad clients (Debian package nats-server installs /usr/sbin/nats-server)."
  type        = string
  default     = "/usr/sbin/nats-server"

  validation {
    condition     = startswith(var.nats_server_path, "/")
    error_message = "nats_server_path must be an absolute path such as /usr/sbin/nats-server."
  }
}

variable "java_path" {
  description = "java on the QuestDB client: Java 17 for QuestDB 9.3.x, Java 25 for 9.4 and later."
  type        = string
  default     = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"

  validation {
    condition     = startswith(var.java_path, "/")
    error_message = "java_path must be an absolute path such as /usr/lib/jvm/java-17-openjdk-amd64/bin/java."
  }
}

# --- QuestDB -------------------------------------------------------------------------------------

variable "questdb_version" {
  description = "Version of the Maven Central jar org.questdb:questdb (engine/stack pins 9.3.4)."
  type        = string
  default     = "9.3.4"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.questdb_version))
    error_message = "questdb_version must be a release number such as 9.3.4."
  }
}

variable "questdb_jar_url" {
  description = "Where clients download the QuestDB jar; empty means Maven Central for questdb_version."
  type        = string
  default     = ""

  validation {
    condition     = var.questdb_jar_url == "" || can(regex("^(https?://|s3::|gcs::)\\S+$", var.questdb_jar_url))
    error_message = "questdb_jar_url must be empty (Maven Central) or an https://, http://, s3:: or gcs:: URL of the jar."
  }
}

variable "questdb_jar_checksum" {
  description = "Checksum of the QuestDB jar (go-getter form). The default is Maven Central's SHA-1 of questdb-9.3.4.jar: change it with questdb_version."
  type        = string
  default     = "sha1:4576dfb8e7f62a01a8e816d3bdf02ea4d39e3e7a"

  validation {
    condition     = can(regex("^(sha1:[0-9a-f]{40}|sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$", var.questdb_jar_checksum))
    error_message = "questdb_jar_checksum must be sha1:<40 hex>, sha256:<64 hex> or sha512:<128 hex>."
  }
}

variable "questdb_host_volume" {
  description = "Nomad host volume holding QuestDB's data; declare it on exactly one client, which pins QuestDB there."
  type        = string
  default     = "tickflow-questdb"
}

variable "questdb_ttl_days" {
  description = "Retention of QuestDB rows (table TTL) in days; 0 keeps them forever."
  type        = number
  default     = 30

  validation {
    condition     = var.questdb_ttl_days >= 0 && var.questdb_ttl_days <= 36500 && floor(var.questdb_ttl_days) == var.questdb_ttl_days
    error_message = "questdb_ttl_days must be an integer in [0, 36500]."
  }
}

variable "questdb_heap" {
  description = "JVM heap of QuestDB (-Xmx); QuestDB keeps its data off-heap, so the task's memory must be well above it."
  type        = string
  default     = "2g"

  validation {
    condition     = can(regex("^[0-9]+[mg]$", var.questdb_heap))
    error_message = "questdb_heap must be a JVM size such as 2g or 1536m."
  }
}

# --- NATS ----------------------------------------------------------------------------------------

variable "nats_count" {
  description = "NATS servers: 1 runs one server; 3 or 5 form a JetStream cluster (one per client node)."
  type        = number
  default     = 1

  validation {
    condition     = contains([1, 3, 5], var.nats_count)
    error_message = "nats_count must be 1, 3 or 5 (a JetStream cluster needs an odd number of servers)."
  }
}

variable "nats_host_volume" {
  description = "Nomad host volume holding each NATS server's JetStream store; declare it on every client that may run NATS."
  type        = string
  default     = "tickflow-nats"
}

variable "nats_max_file_store" {
  description = "JetStream file storage limit per server (a limit, not a reservation)."
  type        = string
  default     = "20GB"

  validation {
    condition     = can(regex("^[0-9]+(K|M|G|T)B$", var.nats_max_file_store))
    error_message = "nats_max_file_store must be a size such as 20GB or 500MB."
  }
}

variable "nats_max_memory_store" {
  description = "JetStream memory storage limit per server."
  type        = string
  default     = "1GB"

  validation {
    condition     = can(regex("^[0-9]+(K|M|G|T)B$", var.nats_max_memory_store))
    error_message = "nats_max_memory_store must be a size such as 1GB or 512MB."
  }
}

variable "nats_public_url" {
  description = "How feeds and trading algorithms outside Nomad reach NATS (shown in outputs), e.g. nats://nats.internal:4222; empty prints a hint."
  type        = string
  default     = ""
}

# --- Streams and the engine ----------------------------------------------------------------------

variable "partitions" {
  description = "Partition count P of the input streams; fixed once the streams exist (the engine refuses a mismatch)."
  type        = number
  default     = 8

  validation {
    condition     = var.partitions >= 1 && var.partitions <= 1024 && floor(var.partitions) == var.partitions
    error_message = "partitions must be an integer in [1, 1024]."
  }
}

variable "stream_retention_hours" {
  description = "How long JetStream keeps input trades and quotes, in hours; 0 keeps them until stream_max_bytes evicts them."
  type        = number
  default     = 24

  validation {
    condition     = var.stream_retention_hours >= 0 && var.stream_retention_hours <= 8760 && floor(var.stream_retention_hours) == var.stream_retention_hours
    error_message = "stream_retention_hours must be an integer in [0, 8760] (a year)."
  }
}

variable "stream_max_bytes" {
  description = "Size cap of each input stream in bytes; -1 is unlimited."
  type        = number
  default     = -1

  validation {
    condition     = var.stream_max_bytes == -1 || (var.stream_max_bytes >= 1048576 && floor(var.stream_max_bytes) == var.stream_max_bytes)
    error_message = "stream_max_bytes must be -1 (unlimited) or an integer of at least 1048576."
  }
}

variable "stream_max_ack_pending" {
  description = "Unacknowledged messages per partition consumer before delivery stops: the end-to-end backpressure bound."
  type        = number
  default     = 10000

  validation {
    condition     = var.stream_max_ack_pending >= 256 && var.stream_max_ack_pending <= 1000000 && floor(var.stream_max_ack_pending) == var.stream_max_ack_pending
    error_message = "stream_max_ack_pending must be an integer in [256, 1000000] (at least the engine's fetch batch of 256)."
  }
}

variable "engine_count" {
  description = "Engine instances; they share the partitions through leases, so more than partitions leaves standbys."
  type        = number
  default     = 2

  validation {
    condition     = var.engine_count >= 1 && var.engine_count <= 1024 && floor(var.engine_count) == var.engine_count
    error_message = "engine_count must be an integer in [1, 1024]."
  }
}

variable "engine_shards" {
  description = "Worker threads per engine; size engine_cpu to match (about 1000 MHz per shard)."
  type        = number
  default     = 2

  validation {
    condition     = var.engine_shards >= 1 && var.engine_shards <= 256 && floor(var.engine_shards) == var.engine_shards
    error_message = "engine_shards must be an integer in [1, 256]."
  }
}

variable "engine_kill_timeout" {
  description = "Time a stopping engine gets to drain, flush, ack, snapshot and release its partitions; the clients' max_kill_timeout must be at least this."
  type        = string
  default     = "60s"

  validation {
    condition     = can(regex("^[0-9]+(s|m)$", var.engine_kill_timeout))
    error_message = "engine_kill_timeout must be a duration such as 60s or 2m."
  }
}

variable "log_level" {
  description = "Log level of the engines and gateways."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.log_level)
    error_message = "log_level must be one of fatal, error, warn, info, debug, trace, silent."
  }
}

# --- Gateway -------------------------------------------------------------------------------------

variable "gateway_count" {
  description = "Gateway instances (stateless, one per client node because the port is static)."
  type        = number
  default     = 2

  validation {
    condition     = var.gateway_count >= 1 && var.gateway_count <= 1000 && floor(var.gateway_count) == var.gateway_count
    error_message = "gateway_count must be an integer in [1, 1000]."
  }
}

variable "gateway_public_url" {
  description = "URL of the load balancer in front of the gateways (shown in outputs), e.g. https://md.example.com; empty prints a hint."
  type        = string
  default     = ""

  validation {
    condition     = var.gateway_public_url == "" || can(regex("^https?://[^\\s/]+$", var.gateway_public_url))
    error_message = "gateway_public_url must be empty or scheme://host[:port] without a path."
  }
}

variable "gateway_service_tags" {
  description = "Tags on the tickflow-gateway Nomad service, for a load balancer that reads the catalog (e.g. Traefik's traefik.* tags)."
  type        = list(string)
  default     = []
}

variable "gateway_auth" {
  description = "Require an API key or a JWT on WebSocket and REST (never on /health, /ready, /metrics)."
  type        = bool
  default     = true
}

variable "gateway_allowed_origins" {
  description = "Browser origins allowed to open WebSockets (scheme://host[:port], or \"*\"); non-browser clients always pass."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.gateway_allowed_origins : o == "*" || can(regex("^https?://[^\\s/,\"]+$", o))])
    error_message = "gateway_allowed_origins entries must be * or scheme://host[:port] without a path."
  }
}

variable "gateway_jwt_issuer" {
  description = "Required iss claim of bearer JWTs; empty accepts any."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[^\"\\\\$%]*$", var.gateway_jwt_issuer))
    error_message = "gateway_jwt_issuer must not contain quotes, backslashes, '$' or '%'."
  }
}

variable "gateway_jwt_audience" {
  description = "Required aud claim of bearer JWTs; empty accepts any."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[^\"\\\\$%]*$", var.gateway_jwt_audience))
    error_message = "gateway_jwt_audience must not contain quotes, backslashes, '$' or '%'."
  }
}

variable "gateway_rate_per_second" {
  description = "Client messages per second for principals without their own limit."
  type        = number
  default     = 20

  validation {
    condition     = var.gateway_rate_per_second >= 1 && var.gateway_rate_per_second <= 100000 && floor(var.gateway_rate_per_second) == var.gateway_rate_per_second
    error_message = "gateway_rate_per_second must be an integer in [1, 100000]."
  }
}

variable "gateway_burst" {
  description = "Client message burst for principals without their own limit."
  type        = number
  default     = 40

  validation {
    condition     = var.gateway_burst >= 1 && var.gateway_burst <= 100000 && floor(var.gateway_burst) == var.gateway_burst
    error_message = "gateway_burst must be an integer in [1, 100000]."
  }
}

variable "gateway_max_connections" {
  description = "Connections per principal without their own max_conn."
  type        = number
  default     = 100

  validation {
    condition     = var.gateway_max_connections >= 1 && var.gateway_max_connections <= 100000 && floor(var.gateway_max_connections) == var.gateway_max_connections
    error_message = "gateway_max_connections must be an integer in [1, 100000]."
  }
}

# Secrets: written to the Nomad variable nomad/jobs/tickflow-gateway, never into a job file.

variable "gateway_api_keys_json" {
  description = "The gateway's keys file ({\"version\":1,\"keys\":[...]}, hashes only) as made by `tickflow gateway keys add --keys-file keys.json`; pass it with TF_VAR_gateway_api_keys_json=\"$(cat keys.json)\"."
  type        = string
  default     = "{\"version\":1,\"keys\":[]}"
  sensitive   = true

  validation {
    condition     = can(jsondecode(var.gateway_api_keys_json).keys) && try(jsondecode(var.gateway_api_keys_json).version == 1, false)
    error_message = "gateway_api_keys_json must be a keys file: JSON {\"version\":1,\"keys\":[...]}."
  }
}

variable "gateway_jwt_secret" {
  description = "HS256 secret for bearer JWTs (at least 32 bytes); empty turns HS256 JWTs off. Exclusive with gateway_jwks_json."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.gateway_jwt_secret == "" || can(regex("^[A-Za-z0-9+/=._~-]{32,}$", var.gateway_jwt_secret))
    error_message = "gateway_jwt_secret must be empty or at least 32 characters of A-Z a-z 0-9 + / = . _ ~ - (e.g. openssl rand -base64 48)."
  }

  validation {
    condition     = var.gateway_jwt_secret == "" || var.gateway_jwks_json == ""
    error_message = "gateway_jwt_secret and gateway_jwks_json are exclusive: give one."
  }
}

variable "gateway_jwks_json" {
  description = "JWKS document ({\"keys\":[...]}) whose public keys verify bearer JWTs; empty turns JWKS off."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = var.gateway_jwks_json == "" || can(jsondecode(var.gateway_jwks_json).keys)
    error_message = "gateway_jwks_json must be empty or a JWKS JSON document with a keys array."
  }
}

# --- Ports ---------------------------------------------------------------------------------------

variable "ports" {
  description = "Static ports on the clients. The engines' ops ports are dynamic (found through the service catalog)."
  type = object({
    nats_client  = optional(number, 4222)
    nats_monitor = optional(number, 8222)
    nats_cluster = optional(number, 6222)
    questdb_http = optional(number, 9000)
    questdb_pg   = optional(number, 8812)
    questdb_ilp  = optional(number, 9009)
    # QuestDB's minimal HTTP server: /status and /metrics.
    questdb_health = optional(number, 9003)
    gateway        = optional(number, 8080)
    prometheus     = optional(number, 9090)
    grafana        = optional(number, 3000)
  })
  default = {}

  validation {
    condition     = alltrue([for p in values(var.ports) : p >= 1 && p <= 65535 && floor(p) == p])
    error_message = "every port must be an integer in [1, 65535]."
  }

  validation {
    condition     = length(distinct(values(var.ports))) == length(values(var.ports))
    error_message = "ports must all differ: two jobs may share a client node."
  }
}

# --- Resources (MHz of CPU, MiB of memory) -------------------------------------------------------

variable "resources" {
  description = "CPU (MHz) and memory (MiB) per task; memory_max needs memory oversubscription on the cluster (ignored otherwise)."
  type = object({
    nats = optional(object({
      cpu        = optional(number, 1000)
      memory     = optional(number, 1024)
      memory_max = optional(number, 2048)
    }), {})
    questdb = optional(object({
      cpu        = optional(number, 2000)
      memory     = optional(number, 4096)
      memory_max = optional(number, 8192)
    }), {})
    # bench/engine: about 600 MiB peak RSS with 2 shards under full load; 768 leaves headroom.
    engine = optional(object({
      cpu        = optional(number, 2000)
      memory     = optional(number, 768)
      memory_max = optional(number, 1536)
    }), {})
    gateway = optional(object({
      cpu        = optional(number, 1000)
      memory     = optional(number, 512)
      memory_max = optional(number, 1024)
    }), {})
    prometheus = optional(object({
      cpu    = optional(number, 500)
      memory = optional(number, 1024)
    }), {})
    grafana = optional(object({
      cpu    = optional(number, 250)
      memory = optional(number, 256)
    }), {})
  })
  default = {}

  validation {
    condition = alltrue([
      for r in [var.resources.nats, var.resources.questdb, var.resources.engine, var.resources.gateway] :
      r.cpu >= 100 && r.memory >= 64 && r.memory_max >= r.memory
    ])
    error_message = "each task needs cpu >= 100 MHz, memory >= 64 MiB and memory_max >= memory."
  }
}

# --- Monitoring ----------------------------------------------------------------------------------

variable "monitoring_enabled" {
  description = "Run the tickflow-monitoring job: Prometheus with the alert rules and Grafana with the dashboards."
  type        = bool
  default     = false
}

variable "prometheus_path" {
  description = "prometheus 2.37+ on the clients (Debian package prometheus installs /usr/bin/prometheus)."
  type        = string
  default     = "/usr/bin/prometheus"
}

variable "prometheus_retention" {
  description = "How long Prometheus keeps metrics."
  type        = string
  default     = "15d"

  validation {
    condition     = can(regex("^[0-9]+(h|d|w|y)$", var.prometheus_retention))
    error_message = "prometheus_retention must be a duration such as 15d or 720h."
  }
}

variable "grafana_path" {
  description = "The grafana binary on the clients (Grafana's package installs /usr/share/grafana/bin/grafana)."
  type        = string
  default     = "/usr/share/grafana/bin/grafana"
}

variable "grafana_home" {
  description = "Grafana's home path (its static files)."
  type        = string
  default     = "/usr/share/grafana"
}

variable "grafana_admin_password" {
  description = "Password of Grafana's admin user; required when monitoring_enabled."
  type        = string
  default     = ""
  sensitive   = true

  validation {
    condition     = !var.monitoring_enabled || length(var.grafana_admin_password) >= 12
    error_message = "grafana_admin_password must be at least 12 characters when monitoring_enabled is true."
  }

  validation {
    condition     = can(regex("^[^\\s\"\\\\]*$", var.grafana_admin_password))
    error_message = "grafana_admin_password must not contain whitespace, quotes or backslashes."
  }
}
