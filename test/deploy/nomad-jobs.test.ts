/**
 * The Nomad jobs (deploy/nomad/*.nomad.hcl) are correct by construction: rendered through the same
 * templatefile() substitution Terraform does (and, when terraform is installed, by Terraform itself
 * from terraform/locals.tf), every job parses as HCL and has the structure Nomad needs: checks on
 * every service, resources on every task, only ports and volumes that exist. Their templates are then
 * rendered with a stand-in for Nomad's runtime (ports, service catalog, variables) and the results go
 * through the real loaders: the engine's config through engine/config, the gateway's environment
 * through gateway/options and its keys file through the keys-file reader, NATS's config through
 * `nats-server -t` and Prometheus's through `promtool check config` when those are installed.
 */

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseHcl } from '@cdktf/hcl2json';
import tap, { type Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { resolveEngineConfig } from '../../engine/config/index.js';
import { findNatsServer, QUESTDB_VERSION } from '../../engine/stack/index.js';
import { generateApiKey, hashApiKey, readKeysFile, resolveGatewayOptions } from '../../gateway/index.js';

const t = tap;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const JOBS_DIR = join(ROOT, 'deploy', 'nomad');
const TERRAFORM_DIR = join(ROOT, 'terraform');
const WORK = mkdtempSync(join(tmpdir(), 'tickflow-nomad-jobs-'));
t.teardown(() => rmSync(WORK, { recursive: true, force: true }));

const JOB_FILES = ['engine', 'gateway', 'monitoring', 'nats', 'questdb'] as const;
type JobName = (typeof JOB_FILES)[number];

type Obj = Record<string, unknown>;
type Scalar = string | number | boolean;

// --- Terraform's templatefile(), for the subset the job files use -----------------------------------

/**
 * `${name}` is replaced by `vars[name]`, `$${` and `%%{` are the escapes for a literal `${` and `%{`.
 * Anything else Terraform would evaluate (an expression, a `%{` directive) is refused, so this
 * substitution and Terraform's agree on every file it accepts.
 */
function renderTemplatefile(text: string, vars: Readonly<Record<string, Scalar>>, file: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      out += `${text[i]}{`;
      i += 3;
    } else if (text.startsWith('${', i)) {
      const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(text.slice(i, i + 80));
      if (m === null)
        throw new Error(`${file}:${lineAt(text, i)}: \${ starts an expression, not a placeholder`);
      const value = vars[m[1]!];
      if (value === undefined)
        throw new Error(`${file}:${lineAt(text, i)}: no value for placeholder ${m[1]}`);
      out += String(value);
      i += m[0].length;
    } else if (text.startsWith('%{', i)) {
      throw new Error(`${file}:${lineAt(text, i)}: template directives (%{) are not used in job files`);
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** The placeholder names a job file uses (the keys its templatefile() vars must have). */
function placeholders(text: string): Set<string> {
  const names = new Set<string>();
  const seen: Record<string, Scalar> = new Proxy(
    {},
    {
      get: (_target, key) => {
        names.add(String(key));
        return '0';
      },
    },
  );
  renderTemplatefile(text, seen, 'placeholders');
  return names;
}

// --- A stand-in for Nomad's runtime: Go templates (consul-template subset) and ${...} interpolation ---

interface ServiceInstance {
  Address: string;
  Port: number;
}

/** What a template may read at run time in one task. */
interface TaskRuntime {
  env: Record<string, string>;
  services: Readonly<Record<string, ServiceInstance[]>>;
  variables: Readonly<Record<string, Record<string, string>>>;
}

type GoNode =
  | { kind: 'text'; text: string }
  | { kind: 'print'; expr: string }
  | { kind: 'range' | 'with'; expr: string; body: GoNode[] };

/**
 * Parses the Go template subset the jobs use: `env "X"`, `nomadService "X"`, `nomadVar "P"`,
 * `.Field`, `index . N`, `range`, `with`, `end`, and `{{-`/`-}}` trimming. Anything else throws, so
 * a job that starts using more of the language has to teach this test first.
 */
function parseGoTemplate(src: string, left: string, right: string): GoNode[] {
  const root: GoNode[] = [];
  const stack: GoNode[][] = [root];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf(left, i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (open < 0) {
      stack[stack.length - 1]!.push({ kind: 'text', text });
      break;
    }
    const close = src.indexOf(right, open + left.length);
    if (close < 0) throw new Error(`unclosed ${left} at offset ${open}`);
    let inner = src.slice(open + left.length, close);
    if (inner.startsWith('- ')) {
      text = text.trimEnd();
      inner = inner.slice(2);
    }
    let trimNext = false;
    if (inner.endsWith(' -')) {
      trimNext = true;
      inner = inner.slice(0, -2);
    }
    stack[stack.length - 1]!.push({ kind: 'text', text });
    const action = inner.trim();
    const block = /^(range|with)\s+(.+)$/.exec(action);
    if (block !== null) {
      const node: GoNode = { kind: block[1] as 'range' | 'with', expr: block[2]!, body: [] };
      stack[stack.length - 1]!.push(node);
      stack.push(node.body);
    } else if (/^(if|else|define|template|block)\b/.test(action)) {
      throw new Error(`unsupported template action {{ ${action} }}`);
    } else if (action === 'end') {
      if (stack.length === 1) throw new Error(`{{ end }} without a block at offset ${open}`);
      stack.pop();
    } else {
      stack[stack.length - 1]!.push({ kind: 'print', expr: action });
    }
    i = close + right.length;
    if (trimNext) while (i < src.length && /\s/.test(src[i]!)) i++;
  }
  if (stack.length !== 1) throw new Error('a range or with block is not closed by {{ end }}');
  return root;
}

function evalGoExpr(expr: string, dot: unknown, rt: TaskRuntime): unknown {
  let m = /^env "([^"]+)"$/.exec(expr);
  if (m !== null) {
    const v = rt.env[m[1]!];
    if (v === undefined) throw new Error(`env "${m[1]}" is not set in the task`);
    return v;
  }
  m = /^nomadService "([^"]+)"$/.exec(expr);
  if (m !== null) {
    const v = rt.services[m[1]!];
    if (v === undefined) throw new Error(`nomadService "${m[1]}": no job registers that service`);
    return v;
  }
  m = /^nomadVar "([^"]+)"$/.exec(expr);
  if (m !== null) {
    const v = rt.variables[m[1]!];
    if (v === undefined) throw new Error(`nomadVar "${m[1]}": Terraform writes no such variable`);
    return v;
  }
  m = /^index \. ([0-9]+)$/.exec(expr);
  if (m !== null) return (dot as unknown[])[Number(m[1])];
  if (expr === '.') return dot;
  m = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
  if (m !== null) {
    if (typeof dot !== 'object' || dot === null || !Object.hasOwn(dot, m[1]!)) {
      throw new Error(`.${m[1]} does not exist here`);
    }
    return (dot as Obj)[m[1]!];
  }
  throw new Error(`unsupported template action {{ ${expr} }}`);
}

function renderGoNodes(nodes: readonly GoNode[], dot: unknown, rt: TaskRuntime): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'print') out += String(evalGoExpr(n.expr, dot, rt));
    else {
      const v = evalGoExpr(n.expr, dot, rt);
      if (n.kind === 'range') {
        for (const item of v as unknown[]) out += renderGoNodes(n.body, item, rt);
      } else if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) {
        out += renderGoNodes(n.body, v, rt);
      }
    }
  }
  return out;
}

function renderGoTemplate(src: string, rt: TaskRuntime, left = '{{', right = '}}'): string {
  return renderGoNodes(parseGoTemplate(src, left, right), undefined, rt);
}

/** Nomad's `${...}` runtime interpolation in job strings (args, env values). */
function interpolate(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{([^}]+)\}/g, (_all, name: string) => {
    const v = env[name];
    if (v === undefined) throw new Error(`\${${name}} is not a runtime variable of this task`);
    return v;
  });
}

/** `KEY=value` lines of an env template, as Nomad reads them; blank lines and comments skipped. */
function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`env template line is not KEY=value: ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

// --- Navigating hcl2json's output --------------------------------------------------------------

/** Unlabeled blocks (`network { }`, `service { }` …) are arrays of bodies. */
function blocks(o: Obj, key: string): Obj[] {
  const v = o[key];
  return Array.isArray(v) ? (v as Obj[]) : [];
}

/** Labeled blocks (`group "x" { }`, `port "http" { }` …) are objects of label → [body]. */
function labeled(o: Obj, key: string): [string, Obj][] {
  const v = o[key];
  if (v === undefined) return [];
  return Object.entries(v as Record<string, Obj[]>).map(([label, bodies]) => [label, bodies[0]!]);
}

function str(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`${key} is ${JSON.stringify(v)}, not a string`);
  return v;
}

function num(o: Obj, key: string): number {
  const v = o[key];
  if (typeof v !== 'number') throw new Error(`${key} is ${JSON.stringify(v)}, not a number`);
  return v;
}

function one(list: Obj[], what: string): Obj {
  if (list.length !== 1) throw new Error(`expected one ${what}, found ${list.length}`);
  return list[0]!;
}

function seconds(duration: string): number {
  const m = /^([0-9]+)(s|m)$/.exec(duration);
  if (m === null) throw new Error(`duration ${duration} is not <n>s or <n>m`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
}

// --- The values Terraform passes -------------------------------------------------------------------

const JWT_SECRET = 'k7Jd9Qw2Zp4Xr8Tn6Vb3Lm5Hc1Gf0Sa9Ye2Ui4Oo7Pq3Wr8Et';
const API_KEY = generateApiKey();

/** The keys file `tickflow gateway keys add` writes, as Terraform stores it. */
const KEYS_JSON = JSON.stringify({
  version: 1,
  keys: [
    {
      name: 'ui',
      hash: hashApiKey(API_KEY),
      channels: ['candles', 'indicators', 'alerts', 'trades'],
      maxConnections: 100,
      ratePerSecond: 20,
      burst: 40,
      createdAt: '2026-01-01T00:00:00.000Z',
    },
  ],
});

/** Values like terraform/locals.tf computes from variables.tf's defaults (one NATS server). */
const SAMPLE_VARS: Readonly<Record<string, Scalar>> = {
  region: 'global',
  namespace: 'default',
  datacenters: '["dc1"]',
  tickflow_artifact_url: 'https://releases.example.com/tickflow/tickflow-0.1.0-linux-x64.tar.gz',
  tickflow_artifact_checksum: `sha256:${'ab'.repeat(32)}`,
  node_path: '/usr/bin/node',
  log_level: 'info',
  partitions: 8,
  nats_count: 1,
  nats_config_file: 'nats.conf',
  nats_client_port: 4222,
  nats_monitor_port: 8222,
  nats_cluster_port: 6222,
  nats_host_volume: 'tickflow-nats',
  nats_server_path: '/usr/sbin/nats-server',
  nats_max_memory_store: '1GB',
  nats_max_file_store: '20GB',
  nats_cpu: 1000,
  nats_memory: 1024,
  nats_memory_max: 2048,
  questdb_http_port: 9000,
  questdb_pg_port: 8812,
  questdb_ilp_port: 9009,
  questdb_health_port: 9003,
  questdb_host_volume: 'tickflow-questdb',
  questdb_jar_url: `https://repo1.maven.org/maven2/org/questdb/questdb/${QUESTDB_VERSION}/questdb-${QUESTDB_VERSION}.jar`,
  questdb_jar_checksum: 'sha1:4576dfb8e7f62a01a8e816d3bdf02ea4d39e3e7a',
  questdb_heap: '2g',
  java_path: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java',
  questdb_cpu: 2000,
  questdb_memory: 4096,
  questdb_memory_max: 8192,
  questdb_ttl_days: 30,
  engine_count: 2,
  engine_shards: 2,
  stream_replicas: 1,
  engine_kill_timeout: '60s',
  stream_max_age_ms: 86_400_000,
  stream_max_bytes: -1,
  stream_max_ack_pending: 10_000,
  engine_cpu: 2000,
  engine_memory: 768,
  engine_memory_max: 1536,
  gateway_count: 2,
  gateway_port: 8080,
  gateway_service_tags: '[]',
  gateway_auth: true,
  gateway_allowed_origins: '',
  gateway_jwt_issuer: '',
  gateway_jwt_audience: '',
  gateway_rate_per_second: 20,
  gateway_burst: 40,
  gateway_max_connections: 100,
  gateway_secrets_path: 'nomad/jobs/tickflow-gateway',
  gateway_cpu: 1000,
  gateway_memory: 512,
  gateway_memory_max: 1024,
  monitoring_secrets_path: 'nomad/jobs/tickflow-monitoring',
  prometheus_port: 9090,
  prometheus_path: '/usr/bin/prometheus',
  prometheus_retention: '15d',
  prometheus_cpu: 500,
  prometheus_memory: 1024,
  grafana_port: 3000,
  grafana_path: '/usr/share/grafana/bin/grafana',
  grafana_home: '/usr/share/grafana',
  grafana_cpu: 250,
  grafana_memory: 256,
};

/** The items Terraform writes to the jobs' Nomad variables (terraform/locals.tf). */
const SAMPLE_SECRETS: Readonly<Record<string, Record<string, string>>> = {
  'nomad/jobs/tickflow-gateway': {
    api_keys_json: KEYS_JSON,
    jwks_json: '{"keys":[]}',
    env: `TICKFLOW_GATEWAY_JWT_SECRET=${JWT_SECRET}\n`,
  },
  'nomad/jobs/tickflow-monitoring': { grafana_admin_password: 'correct-horse-battery' },
};

/** One way of rendering every job: its name, the job specs, and the Nomad variables Terraform writes. */
interface Rendering {
  name: string;
  vars: Readonly<Record<string, Scalar>>;
  jobspecs: Record<JobName, string>;
  secrets: Readonly<Record<string, Record<string, string>>>;
}

const sources = Object.fromEntries(
  JOB_FILES.map((job) => [job, readFileSync(join(JOBS_DIR, `${job}.nomad.hcl`), 'utf8')]),
) as Record<JobName, string>;

function sampleRendering(name: string, vars: Readonly<Record<string, Scalar>>): Rendering {
  const jobspecs = {} as Record<JobName, string>;
  for (const job of JOB_FILES) jobspecs[job] = renderTemplatefile(sources[job], vars, `${job}.nomad.hcl`);
  return { name, vars, jobspecs, secrets: SAMPLE_SECRETS };
}

// --- Terraform's own rendering, when terraform is installed --------------------------------------

function terraformBinary(): string | undefined {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? 'terraform' : undefined;
}

const TERRAFORM = terraformBinary();

/**
 * Evaluates expressions with `terraform console` over a copy of variables.tf and locals.tf (the
 * provider-free part of the configuration, so no `terraform init` and no download is needed).
 */
function terraformEval(expressions: readonly string[], args: readonly string[]): unknown[] {
  const dir = mkdtempSync(join(WORK, 'tf-'));
  mkdirSync(join(dir, 'terraform'));
  symlinkSync(join(ROOT, 'deploy'), join(dir, 'deploy'));
  for (const f of ['variables.tf', 'locals.tf']) {
    writeFileSync(join(dir, 'terraform', f), readFileSync(join(TERRAFORM_DIR, f)));
  }
  writeFileSync(join(dir, 'empty.tfrc'), '');
  // The console prints the value of the last line only: one expression for everything. The secrets
  // make it sensitive, which the console would print as (sensitive value).
  const input = `base64encode(nonsensitive(jsonencode([${expressions.join(', ')}])))`;
  const r = spawnSync(TERRAFORM!, ['console', '-no-color', ...args], {
    cwd: join(dir, 'terraform'),
    input: `${input}\n`,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: join(dir, 'empty.tfrc'),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
    },
  });
  if (r.status !== 0) throw new Error(`terraform console failed:\n${r.stderr}${r.stdout}`);
  const line = r.stdout.split('\n').find((l) => /^"[A-Za-z0-9+/=]+"$/.test(l.trim()));
  if (line === undefined) throw new Error(`terraform console printed:\n${r.stdout}`);
  const values = JSON.parse(
    Buffer.from(JSON.parse(line.trim()) as string, 'base64').toString('utf8'),
  ) as unknown[];
  if (values.length !== expressions.length) throw new Error(`terraform console gave ${values.length} values`);
  return values;
}

function terraformRendering(name: string, args: readonly string[]): Rendering {
  const [jobspecs, gateway, monitoring, vars] = terraformEval(
    [
      'local.jobspecs',
      'local.gateway_secret_items',
      'local.monitoring_secret_items',
      'merge(local.nats_job_vars, local.questdb_job_vars, local.engine_job_vars, local.gateway_job_vars, local.monitoring_job_vars)',
    ],
    args,
  );
  return {
    name,
    vars: vars as Record<string, Scalar>,
    jobspecs: jobspecs as Record<JobName, string>,
    secrets: {
      'nomad/jobs/tickflow-gateway': gateway as Record<string, string>,
      'nomad/jobs/tickflow-monitoring': monitoring as Record<string, string>,
    },
  };
}

const RELEASE_ARGS = [
  '-var',
  `tickflow_artifact_url=${SAMPLE_VARS['tickflow_artifact_url']}`,
  '-var',
  `tickflow_artifact_checksum=${SAMPLE_VARS['tickflow_artifact_checksum']}`,
];

// --- The checks every rendering goes through -------------------------------------------------------

interface ParsedJob {
  name: string;
  body: Obj;
}

async function parseJob(text: string, file: string): Promise<ParsedJob> {
  const doc = (await parseHcl(file, text)) as Obj;
  const jobs = labeled(doc, 'job');
  if (jobs.length !== 1) throw new Error(`${file} must hold exactly one job, found ${jobs.length}`);
  return { name: jobs[0]![0], body: jobs[0]![1] };
}

/** Every service name any job registers → instances on made-up addresses (three per NATS cluster). */
function serviceCatalog(jobs: Record<JobName, ParsedJob>): Record<string, ServiceInstance[]> {
  const out: Record<string, ServiceInstance[]> = {};
  let dynamic = 24_000;
  for (const job of JOB_FILES) {
    for (const [, group] of labeled(jobs[job].body, 'group')) {
      const ports = groupPorts(group);
      const count = num(group, 'count');
      for (const service of blocks(group, 'service')) {
        const instances: ServiceInstance[] = [];
        for (let i = 0; i < count; i++) {
          instances.push({ Address: `10.0.1.${10 + i}`, Port: ports.get(str(service, 'port')) ?? dynamic++ });
        }
        out[str(service, 'name')] = instances;
      }
    }
  }
  return out;
}

/** Port label → static port, or undefined for a dynamic one. */
function groupPorts(group: Obj): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const network of blocks(group, 'network')) {
    for (const [label, port] of labeled(network, 'port')) {
      out.set(label, typeof port['static'] === 'number' ? port['static'] : undefined);
    }
  }
  return out;
}

/** A task's runtime: its directories on disk, its ports and Nomad's variables for it. */
interface TaskDirs {
  taskDir: string;
  secretsDir: string;
  allocDir: string;
}

function taskRuntime(
  group: Obj,
  dirs: TaskDirs,
  services: Readonly<Record<string, ServiceInstance[]>>,
  secrets: Readonly<Record<string, Record<string, string>>>,
): TaskRuntime {
  const ip = '10.0.1.10';
  const allocId = '8d3f1c2e-5b7a-4e9d-a1c0-3f2e1d0c9b8a';
  const env: Record<string, string> = {
    NOMAD_TASK_DIR: dirs.taskDir,
    NOMAD_SECRETS_DIR: dirs.secretsDir,
    NOMAD_ALLOC_DIR: dirs.allocDir,
    NOMAD_ALLOC_ID: allocId,
    NOMAD_SHORT_ALLOC_ID: allocId.slice(0, 8),
    NOMAD_ALLOC_INDEX: '0',
    'node.unique.name': 'nomad-client-1',
    'attr.unique.network.ip-address': ip,
  };
  let dynamic = 25_000;
  for (const [label, port] of groupPorts(group)) {
    const p = String(port ?? dynamic++);
    env[`NOMAD_PORT_${label}`] = p;
    env[`NOMAD_HOST_PORT_${label}`] = p;
    env[`NOMAD_IP_${label}`] = ip;
    env[`NOMAD_ADDR_${label}`] = `${ip}:${p}`;
  }
  return { env, services, variables: secrets };
}

/** `local/x` → `<task dir>/x`: where a template or artifact destination lands. */
function resolveDestination(destination: string, dirs: TaskDirs): string {
  const [head, ...rest] = destination.split('/');
  const base =
    head === 'local'
      ? dirs.taskDir
      : head === 'secrets'
        ? dirs.secretsDir
        : head === 'alloc'
          ? dirs.allocDir
          : undefined;
  if (base === undefined)
    throw new Error(`destination ${destination} is outside local/, secrets/ and alloc/`);
  return join(base, ...rest);
}

/** What running a task would see: its env, its args, and the files its templates wrote. */
interface RenderedTask {
  name: string;
  body: Obj;
  args: string[];
  command: string;
  env: Record<string, string>;
  /** Nomad's runtime variables for the task (NOMAD_PORT_<label>, NOMAD_TASK_DIR …). */
  runtime: Readonly<Record<string, string>>;
  dirs: TaskDirs;
  files: Map<string, string>;
}

function runTask(
  t: Test,
  name: string,
  task: Obj,
  group: Obj,
  services: Readonly<Record<string, ServiceInstance[]>>,
  secrets: Readonly<Record<string, Record<string, string>>>,
): RenderedTask {
  const base = mkdtempSync(join(WORK, `${name}-`));
  const dirs: TaskDirs = {
    taskDir: join(base, 'local'),
    secretsDir: join(base, 'secrets'),
    allocDir: join(base, 'alloc'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d);
  const rt = taskRuntime(group, dirs, services, secrets);
  const env: Record<string, string> = {};
  for (const block of blocks(task, 'env')) {
    for (const [k, v] of Object.entries(block)) env[k] = interpolate(String(v), rt.env);
  }
  const files = new Map<string, string>();
  for (const tpl of blocks(task, 'template')) {
    const destination = str(tpl, 'destination');
    const left = typeof tpl['left_delimiter'] === 'string' ? tpl['left_delimiter'] : '{{';
    const right = typeof tpl['right_delimiter'] === 'string' ? tpl['right_delimiter'] : '}}';
    const data = str(tpl, 'data');
    t.notOk(data.includes('${'), `${name}: template ${destination} leaves no \${ for HCL to interpolate`);
    const text = renderGoTemplate(data, rt, left, right);
    const path = resolveDestination(destination, dirs);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    files.set(destination, text);
    if (tpl['env'] === true) Object.assign(env, parseEnvFile(text));
    if (destination.startsWith('secrets/'))
      t.equal(tpl['perms'], '0600', `${name}: ${destination} is readable by the task only`);
  }
  const config = one(blocks(task, 'config'), `${name} config`);
  const args = ((config['args'] as string[] | undefined) ?? []).map((a) => interpolate(a, rt.env));
  return { name, body: task, args, command: str(config, 'command'), env, runtime: rt.env, dirs, files };
}

/** Structure every job must have; returns its tasks rendered. */
function checkJob(
  t: Test,
  job: ParsedJob,
  file: JobName,
  rendering: Rendering,
  services: Readonly<Record<string, ServiceInstance[]>>,
): Map<string, RenderedTask> {
  const body = job.body;
  t.equal(job.name, `tickflow-${file}`, `${file}.nomad.hcl defines job tickflow-${file}`);
  t.equal(body['type'], 'service', 'a service job');
  t.equal(body['region'], rendering.vars['region'], 'region from Terraform');
  t.equal(body['namespace'], rendering.vars['namespace'], 'namespace from Terraform');
  const dcs = body['datacenters'];
  t.ok(
    Array.isArray(dcs) && dcs.length > 0 && dcs.every((d) => typeof d === 'string'),
    'datacenters is a list',
  );
  const update = one(blocks(body, 'update'), 'update');
  t.equal(update['max_parallel'], 1, 'rolling updates one allocation at a time');
  t.equal(update['auto_revert'], true, 'a failed rollout reverts');
  t.equal(update['health_check'], 'checks', 'rollouts wait for the service checks');

  const tasks = new Map<string, RenderedTask>();
  const groups = labeled(body, 'group');
  t.ok(groups.length > 0, 'has groups');
  for (const [groupName, group] of groups) {
    const where = `${file}/${groupName}`;
    t.ok(
      Number.isInteger(group['count']) && num(group, 'count') >= 1,
      `${where}: count is a positive integer`,
    );
    const ports = groupPorts(group);
    const volumes = new Map(labeled(group, 'volume'));
    for (const [label, v] of volumes) {
      t.equal(v['type'], 'host', `${where}: volume ${label} is a host volume`);
      t.ok(
        typeof v['source'] === 'string' && v['source'] !== '',
        `${where}: volume ${label} names its host volume`,
      );
    }
    const groupServices = blocks(group, 'service');
    t.ok(groupServices.length > 0, `${where}: registers a service`);
    for (const service of groupServices) {
      const sname = str(service, 'name');
      t.equal(service['provider'], 'nomad', `${where}: ${sname} uses Nomad's service discovery`);
      t.ok(ports.has(str(service, 'port')), `${where}: ${sname} port ${service['port']} is a declared port`);
      const checks = blocks(service, 'check');
      t.ok(checks.length > 0, `${where}: ${sname} has checks`);
      for (const check of checks) {
        const cname = `${where}: check ${check['name']}`;
        t.ok(['http', 'tcp'].includes(str(check, 'type')), `${cname} is http or tcp`);
        t.ok(
          seconds(str(check, 'interval')) > 0 && seconds(str(check, 'timeout')) > 0,
          `${cname} has interval and timeout`,
        );
        t.ok(
          seconds(str(check, 'timeout')) < seconds(str(check, 'interval')),
          `${cname} times out before the next run`,
        );
        if (check['type'] === 'http') {
          // Nomad builds the URL with url.URL{Path: path}: a '?' would be escaped into the path.
          t.match(str(check, 'path'), /^\/[^?#\s]*$/, `${cname} path is a plain path`);
        }
        if (check['on_update'] !== undefined) t.equal(check['on_update'], 'ignore', `${cname} on_update`);
        if (check['port'] !== undefined) t.ok(ports.has(str(check, 'port')), `${cname} port is declared`);
      }
    }
    for (const [taskName, task] of labeled(group, 'task')) {
      const tw = `${where}/${taskName}`;
      t.equal(task['driver'], 'exec', `${tw}: exec driver (isolation, host volumes, binaries from the host)`);
      const res = one(blocks(task, 'resources'), `${tw} resources`);
      t.ok(num(res, 'cpu') >= 100, `${tw}: cpu reserved`);
      t.ok(num(res, 'memory') >= 64, `${tw}: memory reserved`);
      if (res['memory_max'] !== undefined)
        t.ok(num(res, 'memory_max') >= num(res, 'memory'), `${tw}: memory_max >= memory`);
      t.ok(seconds(str(task, 'kill_timeout')) >= 10, `${tw}: kill_timeout gives a graceful stop time`);
      t.ok(typeof task['kill_signal'] === 'string', `${tw}: kill_signal chosen`);
      for (const mount of blocks(task, 'volume_mount')) {
        t.ok(volumes.has(str(mount, 'volume')), `${tw}: volume_mount ${mount['volume']} is a group volume`);
      }
      const config = one(blocks(task, 'config'), `${tw} config`);
      t.match(str(config, 'command'), /^\//, `${tw}: command is an absolute path on the client`);
      for (const a of blocks(task, 'artifact')) {
        const opts = one(blocks(a, 'options'), `${tw} artifact options`);
        t.match(
          str(opts, 'checksum'),
          /^(sha1|sha256|sha512):[0-9a-f]+$/,
          `${tw}: artifact ${a['source']} is checksummed`,
        );
        t.match(str(a, 'destination'), /^local\//, `${tw}: artifact lands in local/`);
      }
      // Every port a task names at run time exists in its group.
      const text = JSON.stringify(task);
      for (const m of text.matchAll(/NOMAD_(?:PORT|ADDR|IP|HOST_PORT)_([A-Za-z0-9_-]+)/g)) {
        t.ok(ports.has(m[1]!), `${tw}: port ${m[1]} it refers to is declared`);
      }
      tasks.set(taskName, runTask(t, `${file}-${taskName}`, task, group, services, rendering.secrets));
    }
  }
  return tasks;
}

function only(tasks: Map<string, RenderedTask>, name: string): RenderedTask {
  const task = tasks.get(name);
  if (task === undefined) throw new Error(`no task ${name}`);
  return task;
}

function checkEngine(
  t: Test,
  tasks: Map<string, RenderedTask>,
  r: Rendering,
  services: Record<string, ServiceInstance[]>,
): void {
  const engine = only(tasks, 'engine');
  t.equal(engine.command, r.vars['node_path'], 'node from the host');
  const artifact = one(blocks(engine.body, 'artifact'), 'engine artifact');
  t.equal(artifact['source'], r.vars['tickflow_artifact_url'], 'the release tarball');
  t.equal(
    engine.args[0],
    join(resolveDestination(str(artifact, 'destination'), engine.dirs), 'bin', 'tickflow.js'),
    'runs bin/tickflow.js from the tarball',
  );
  t.same(engine.args.slice(1, 3), ['engine', '--config'], 'tickflow engine --config <file>');
  t.ok(seconds(str(engine.body, 'kill_timeout')) >= 30, 'kill_timeout leaves time to release partitions');
  t.equal(engine.body['kill_signal'], 'SIGTERM', 'SIGTERM starts the graceful release');

  // The real loader, with nothing but what the task would see: the file and the task's environment.
  const resolved = resolveEngineConfig(engine.args.slice(2), engine.env, {
    host: { hostname: 'client', pid: 1, cores: 2 },
  });
  const c = resolved.config;
  t.same(
    c.nats.servers,
    services['tickflow-nats']!.map((s) => `nats://${s.Address}:${s.Port}`),
    'every NATS server from the catalog',
  );
  const qdb = services['tickflow-questdb-http']![0]!;
  t.equal(c.questdb.ilpUrl, `http://${qdb.Address}:${qdb.Port}`, 'ILP over HTTP to QuestDB from the catalog');
  t.equal(c.questdb.httpUrl, `http://${qdb.Address}:${qdb.Port}`, 'QuestDB REST from the catalog');
  t.equal(c.http.port, Number(engine.env['TICKFLOW_HTTP_PORT']), 'ops server on the allocated port');
  t.equal(c.http.host, '0.0.0.0', 'ops server reachable by checks and Prometheus');
  t.match(
    c.engine.id,
    /^engine-[0-9a-f-]{36}$/,
    'a unique engine id per allocation (the pid is 1 in every exec chroot)',
  );
  t.equal(c.engine.shards, r.vars['engine_shards'], 'shards from Terraform');
  t.equal(c.streams.replicas, Number(r.vars['stream_replicas']), 'stream and bucket replicas from Terraform');
  t.equal(c.streams.partitions, Number(r.vars['partitions']), 'partitions from Terraform');
  t.equal(
    resolved.sources['streams.partitions'],
    `file ${engine.args[3]}`,
    'partitions come from the rendered file',
  );
  t.equal(
    resolved.sources['nats.servers'],
    'env TICKFLOW_NATS_SERVERS',
    'servers come from the rendered env',
  );
}

function checkGateway(
  t: Test,
  tasks: Map<string, RenderedTask>,
  r: Rendering,
  services: Record<string, ServiceInstance[]>,
): void {
  const gw = only(tasks, 'gateway');
  t.same(gw.args.slice(1), ['gateway'], 'tickflow gateway');
  const { options, positionals } = resolveGatewayOptions([], gw.env);
  t.same(positionals, [], 'no stray arguments');
  const nats = services['tickflow-nats']![0]!;
  t.equal(options.natsUrl, `nats://${nats.Address}:${nats.Port}`, 'a NATS seed from the catalog');
  const qdb = services['tickflow-questdb-http']![0]!;
  t.equal(options.questdbUrl, `http://${qdb.Address}:${qdb.Port}`, 'QuestDB from the catalog');
  t.equal(options.port, Number(gw.env['TICKFLOW_GATEWAY_PORT']), 'listens on the allocated port');
  t.equal(options.auth, true, 'auth on');
  t.equal(options.keysFile, join(gw.dirs.secretsDir, 'tickflow-keys.json'), 'keys file in the secrets dir');
  const keys = readKeysFile(options.keysFile);
  const expected = JSON.parse(r.secrets['nomad/jobs/tickflow-gateway']!['api_keys_json']!) as {
    keys: { name: string }[];
  };
  t.same(
    keys.keys.map((k) => k.name),
    expected.keys.map((k) => k.name),
    'the keys file Terraform stored reads back',
  );
  const secretEnv = r.secrets['nomad/jobs/tickflow-gateway']!['env']!;
  if (secretEnv.startsWith('TICKFLOW_GATEWAY_JWT_SECRET=')) {
    t.equal(
      options.jwtSecret,
      secretEnv.trim().slice('TICKFLOW_GATEWAY_JWT_SECRET='.length),
      'JWT secret from the Nomad variable',
    );
  }
  const spec = JSON.stringify(gw.body);
  t.notOk(spec.includes(JWT_SECRET), 'the JWT secret is not in the job spec');
}

function checkNats(t: Test, tasks: Map<string, RenderedTask>, r: Rendering, nats: string | undefined): void {
  const task = only(tasks, 'nats-server');
  t.equal(task.args[0], '--config');
  const configFile = task.args[1]!;
  const expected = Number(r.vars['nats_count']) > 1 ? 'nats-cluster.conf' : 'nats.conf';
  t.equal(
    configFile,
    join(task.dirs.taskDir, expected),
    `runs ${expected} for nats_count ${r.vars['nats_count']}`,
  );
  const base = task.files.get('local/nats.conf')!;
  t.match(base, /store_dir: "\/data"/, 'JetStream stores on the volume mount');
  t.match(
    base,
    new RegExp(`partition\\(${r.vars['partitions']},1,2\\)`),
    'subject mapping uses the engine partition count',
  );
  t.equal(one(blocks(task.body, 'volume_mount'), 'nats volume_mount')['destination'], '/data');
  const cluster = task.files.get('local/nats-cluster.conf')!;
  t.match(
    cluster,
    /routes: \[\n\s+"nats-route:\/\/127\.0\.0\.1:6222"\n(\s+"nats-route:\/\/10\.0\.1\.1[0-9]:6222"\n)+\s+\]/,
    'routes: this server over loopback, then every peer in the catalog',
  );
  if (nats === undefined) {
    t.comment('nats-server is not installed: the NATS configs are not checked with nats-server -t');
    return;
  }
  for (const file of ['nats.conf', 'nats-cluster.conf']) {
    const check: SpawnSyncReturns<string> = spawnSync(nats, ['-t', '-c', join(task.dirs.taskDir, file)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    t.equal(check.status, 0, `nats-server -t accepts ${file}: ${check.stderr}${check.stdout}`.trim());
  }
}

function checkQuestDb(t: Test, tasks: Map<string, RenderedTask>, r: Rendering): void {
  const task = only(tasks, 'questdb');
  const artifact = one(blocks(task.body, 'artifact'), 'questdb artifact');
  t.equal(artifact['mode'], 'file', 'the jar is downloaded as a file');
  const jar = resolveDestination(str(artifact, 'destination'), task.dirs);
  const a = task.args;
  t.equal(a[a.indexOf('-p') + 1], jar, 'module path is the downloaded jar');
  t.equal(
    a[a.indexOf('-m') + 1],
    'io.questdb/io.questdb.ServerMain',
    'starts ServerMain as engine/stack does',
  );
  t.ok(a.includes('java.base/jdk.internal.math=io.questdb'), 'with the add-exports of QuestDB launcher');
  t.equal(
    a[a.indexOf('-d') + 1],
    one(blocks(task.body, 'volume_mount'), 'questdb mount')['destination'],
    'root on the host volume',
  );
  t.match(a[0]!, /^-Xmx[0-9]+[mg]$/, 'heap set');
  t.equal(artifact['source'], r.vars['questdb_jar_url'], 'the jar URL from Terraform');
  for (const [key, port] of [
    ['QDB_HTTP_BIND_TO', 'http'],
    ['QDB_PG_NET_BIND_TO', 'pg'],
    ['QDB_LINE_TCP_NET_BIND_TO', 'ilp'],
    ['QDB_HTTP_MIN_NET_BIND_TO', 'health'],
  ] as const) {
    t.equal(task.env[key], `0.0.0.0:${task.runtime[`NOMAD_PORT_${port}`]}`, `${key} on port ${port}`);
  }
  t.equal(task.env['QDB_METRICS_ENABLED'], 'true', 'QuestDB metrics on the health server for Prometheus');
}

function checkMonitoring(
  t: Test,
  tasks: Map<string, RenderedTask>,
  services: Record<string, ServiceInstance[]>,
): void {
  const prom = only(tasks, 'prometheus');
  const grafana = only(tasks, 'grafana');
  // The artifact is the release tarball; the repository stands in for it.
  for (const task of [prom, grafana]) symlinkSync(ROOT, join(task.dirs.taskDir, 'tickflow'));
  const configFile = join(prom.dirs.taskDir, 'prometheus.yml');
  t.same(prom.args.slice(0, 1), [`--config.file=${configFile}`], 'Prometheus reads the rendered config');
  const promConfig = parseYaml(prom.files.get('local/prometheus.yml')!) as {
    rule_files: string[];
    scrape_configs: { job_name: string; file_sd_configs: { files: string[] }[] }[];
  };
  for (const rule of promConfig.rule_files) t.ok(existsSync(rule), `rule file ${rule} is in the release`);
  const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (promtool.status !== 0) {
    t.comment('promtool is not installed: prometheus.yml and its targets are not checked with promtool');
    return;
  }
  const check: SpawnSyncReturns<string> = spawnSync('promtool', ['check', 'config', configFile], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(check.status, 0, `promtool check config: ${check.stdout}${check.stderr}`.trim());
  // Prometheus's own discovery reads the target files the templates wrote from the catalog.
  const expected: Record<string, string> = {
    'tickflow-engine': 'tickflow-engine',
    'tickflow-gateway': 'tickflow-gateway',
    questdb: 'tickflow-questdb-health',
  };
  t.same(
    promConfig.scrape_configs.map((c) => c.job_name).sort(),
    Object.keys(expected).sort(),
    'scrape jobs',
  );
  for (const sc of promConfig.scrape_configs) {
    const sd = spawnSync(
      'promtool',
      ['check', 'service-discovery', '--timeout=1s', configFile, sc.job_name],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    t.equal(sd.status, 0, `promtool check service-discovery ${sc.job_name}: ${sd.stderr}`.trim());
    const targets = (JSON.parse(sd.stdout) as { labels: Record<string, string> }[]).map(
      (x) => x.labels['instance'],
    );
    const service = services[expected[sc.job_name]!] ?? [];
    t.same(
      targets,
      service.map((i) => `${i.Address}:${i.Port}`),
      `${sc.job_name} scrapes every instance of the service`,
    );
  }
}

function checkGrafana(
  t: Test,
  tasks: Map<string, RenderedTask>,
  services: Record<string, ServiceInstance[]>,
): void {
  const grafana = only(tasks, 'grafana');
  const dashboards = parseYaml(grafana.files.get('local/provisioning/dashboards/tickflow.yml')!) as {
    providers: { options: { path: string } }[];
  };
  const path = dashboards.providers[0]!.options.path;
  t.same(
    readdirSync(path)
      .filter((f) => f.endsWith('.json'))
      .sort(),
    ['tickflow-engine.json', 'tickflow-gateway.json'],
    'dashboards provisioned from the release',
  );
  const ds = parseYaml(grafana.files.get('local/provisioning/datasources/tickflow.yml')!) as {
    datasources: { type: string; url: string }[];
  };
  const p = services['tickflow-prometheus']![0]!;
  t.same(
    ds.datasources.map((d) => [d.type, d.url]),
    [['prometheus', `http://${p.Address}:${p.Port}`]],
    'Grafana reads the Prometheus of the catalog',
  );
  t.match(
    grafana.env['GF_SECURITY_ADMIN_PASSWORD'] ?? '',
    /.{12,}/,
    'Grafana admin password from the Nomad variable',
  );
}

async function checkRendering(t: Test, r: Rendering): Promise<void> {
  const jobs = {} as Record<JobName, ParsedJob>;
  for (const job of JOB_FILES) {
    const text = r.jobspecs[job];
    // Left for Nomad: only its own runtime variables (NOMAD_*, node and attr values).
    for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
      t.match(
        m[1]!,
        /^(NOMAD_[A-Z_]+[A-Za-z0-9_]*|node\.[a-z.]+|attr\.[a-z.-]+)$/,
        `${job}: \${${m[1]}} is a Nomad runtime variable`,
      );
    }
    jobs[job] = await parseJob(text, `${job}.nomad.hcl`);
  }
  const services = serviceCatalog(jobs);
  const nats = findNatsServer();
  for (const job of JOB_FILES) {
    await t.test(`${job} job`, async (t) => {
      const tasks = checkJob(t, jobs[job], job, r, services);
      if (job === 'engine') checkEngine(t, tasks, r, services);
      if (job === 'gateway') checkGateway(t, tasks, r, services);
      if (job === 'nats') checkNats(t, tasks, r, nats);
      if (job === 'questdb') checkQuestDb(t, tasks, r);
      if (job === 'monitoring') {
        checkMonitoring(t, tasks, services);
        checkGrafana(t, tasks, services);
      }
    });
  }
}

// --- The tests -------------------------------------------------------------------------------------

// The strings below are HCL and Go templates, whose ${...} is not JavaScript's.
/* biome-ignore-start lint/suspicious/noTemplateCurlyInString: HCL placeholders, not JavaScript */
t.test('the substitution and template stand-ins behave like Terraform and Nomad', async (t) => {
  t.equal(renderTemplatefile('a ${x} $${NOMAD_TASK_DIR} %%{ b', { x: 1 }, 'f'), 'a 1 ${NOMAD_TASK_DIR} %{ b');
  t.throws(() => renderTemplatefile('${x + 1}', { x: 1 }, 'f'), /starts an expression/);
  t.throws(() => renderTemplatefile('${y}', { x: 1 }, 'f'), /no value for placeholder y/);
  t.throws(() => renderTemplatefile('%{ if true }x%{ endif }', {}, 'f'), /directives/);
  t.same([...placeholders('${a} $${b} ${c}')], ['a', 'c']);
  const rt: TaskRuntime = {
    env: { NOMAD_PORT_http: '8080' },
    services: {
      s: [
        { Address: '10.0.0.1', Port: 1 },
        { Address: '10.0.0.2', Port: 2 },
      ],
      empty: [],
    },
    variables: { 'nomad/jobs/x': { k: 'v' } },
  };
  t.equal(
    renderGoTemplate('{{ range nomadService "s" }}{{ .Address }}:{{ .Port }},{{ end }}', rt),
    '10.0.0.1:1,10.0.0.2:2,',
  );
  t.equal(
    renderGoTemplate('{{ with nomadService "s" }}{{ with index . 0 }}{{ .Port }}{{ end }}{{ end }}', rt),
    '1',
  );
  t.equal(renderGoTemplate('a{{ with nomadService "empty" }}x{{ end }}b', rt), 'ab');
  t.equal(
    renderGoTemplate(
      '{{ with nomadVar "nomad/jobs/x" }}{{ .k }}{{ end }} {{- " " -}}',
      { ...rt, env: {} },
      '[[',
      ']]',
    ),
    '{{ with nomadVar "nomad/jobs/x" }}{{ .k }}{{ end }} {{- " " -}}',
  );
  t.equal(renderGoTemplate('a \n [[- env "NOMAD_PORT_http" -]] \n b', rt, '[[', ']]'), 'a8080b');
  t.throws(() => renderGoTemplate('{{ env "NOMAD_PORT_htp" }}', rt), /not set in the task/);
  t.throws(() => renderGoTemplate('{{ range nomadService "nope" }}{{ end }}', rt), /no job registers/);
  t.throws(
    () => renderGoTemplate('{{ with nomadVar "nomad/jobs/x" }}{{ .missing }}{{ end }}', rt),
    /does not exist/,
  );
  t.throws(() => renderGoTemplate('{{ if .x }}{{ end }}', rt), /unsupported/);
  t.equal(interpolate('${NOMAD_PORT_http}/x', rt.env), '8080/x');
  t.throws(() => interpolate('${NOMAD_PORT_nope}', rt.env), /not a runtime variable/);
});
/* biome-ignore-end lint/suspicious/noTemplateCurlyInString: HCL placeholders, not JavaScript */

t.test('deploy/nomad holds one file per job', async (t) => {
  const files = readdirSync(JOBS_DIR).filter((f) => f.endsWith('.nomad.hcl'));
  t.same(
    files.sort(),
    JOB_FILES.map((j) => `${j}.nomad.hcl`),
    'the jobs the tests know',
  );
  for (const job of JOB_FILES) {
    const names = placeholders(sources[job]);
    const missing = [...names].filter((n) => SAMPLE_VARS[n] === undefined);
    t.same(missing, [], `${job}: every placeholder has a sample value`);
  }
});

t.test('jobs rendered with sample values, one NATS server', async (t) => {
  await checkRendering(t, sampleRendering('sample', SAMPLE_VARS));
});

t.test('jobs rendered with sample values, a 3-node NATS cluster', async (t) => {
  await checkRendering(
    t,
    sampleRendering('sample-cluster', {
      ...SAMPLE_VARS,
      nats_count: 3,
      nats_config_file: 'nats-cluster.conf',
    }),
  );
});

t.test('jobs rendered by Terraform from terraform/locals.tf', async (t) => {
  if (TERRAFORM === undefined) {
    t.comment('terraform is not on PATH: skipping the rendering by Terraform itself');
    return;
  }
  const defaults = terraformRendering('terraform defaults', RELEASE_ARGS);
  t.equal(defaults.vars['nats_config_file'], 'nats.conf', 'one NATS server by default');
  for (const job of JOB_FILES) {
    t.equal(
      defaults.jobspecs[job],
      renderTemplatefile(sources[job], { ...SAMPLE_VARS, datacenters: '["*"]' }, `${job}.nomad.hcl`),
      `Terraform's templatefile() and this test's substitution agree on ${job}.nomad.hcl (defaults)`,
    );
  }
  await t.test('defaults', (t) => checkRendering(t, defaults));
  const example = terraformRendering('terraform example', [
    `-var-file=${join(TERRAFORM_DIR, 'terraform.tfvars.example')}`,
  ]);
  t.equal(example.vars['nats_config_file'], 'nats-cluster.conf', 'the example runs a NATS cluster');
  await t.test('terraform.tfvars.example', (t) => checkRendering(t, example));
});
