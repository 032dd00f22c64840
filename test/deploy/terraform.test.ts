/**
 * terraform/ is consistent without `terraform init` (no provider can be downloaded here): every file
 * parses, the provider is pinned, every variable used is declared and every declared one is used, the
 * templatefile() calls pass exactly the placeholders each job file has, the Nomad variables Terraform
 * writes hold exactly the items the jobs' nomadVar templates read, secrets are sensitive, and
 * `terraform fmt -check` passes. When terraform is installed, `terraform console` (which needs no
 * provider) also checks that bad inputs are refused with the sentences variables.tf promises.
 */

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseHcl } from '@cdktf/hcl2json';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TF = join(ROOT, 'terraform');
const JOBS_DIR = join(ROOT, 'deploy', 'nomad');
const WORK = mkdtempSync(join(tmpdir(), 'tickflow-terraform-'));
t.teardown(() => rmSync(WORK, { recursive: true, force: true }));

type Obj = Record<string, unknown>;

/** How hcl2json writes a Terraform expression: `${expr}`. */
const tf = (expr: string): string => `\${${expr}}`;

const tfFiles = readdirSync(TF)
  .filter((f) => f.endsWith('.tf'))
  .sort();
const parsed: Record<string, Obj> = {};
for (const f of tfFiles) parsed[f] = (await parseHcl(f, readFileSync(join(TF, f), 'utf8'))) as Obj;

/** Every string in a parsed document (expressions appear as `${...}` strings). */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) strings(x, out);
  return out;
}

function first(v: unknown): Obj {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`expected a block, got ${JSON.stringify(v)}`);
  return v[0] as Obj;
}

/** Placeholders of a job file as templatefile() sees them: `${name}`, not the `$${` escape. */
function placeholders(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/(\$?)\$\{([^}]*)\}/g)) {
    if (m[1] === '$') continue;
    names.add(m[2]!);
  }
  return names;
}

const variables = parsed['variables.tf']!['variable'] as Record<string, Obj[]>;
const locals: Obj = Object.assign({}, ...(parsed['locals.tf']!['locals'] as Obj[]));

t.same(tfFiles, ['locals.tf', 'main.tf', 'outputs.tf', 'variables.tf', 'versions.tf'], 'the Terraform files');

t.test('the nomad provider and Terraform are pinned', async (t) => {
  const settings = first(parsed['versions.tf']!['terraform']);
  t.match(String(settings['required_version']), /^>= 1\.\d+/, 'a minimum Terraform version');
  const nomad = first(settings['required_providers'])['nomad'] as Obj;
  t.equal(nomad['source'], 'hashicorp/nomad');
  t.match(String(nomad['version']), /^~> \d+\.\d+$/, 'a pessimistic version constraint');
  const provider = first((parsed['main.tf']!['provider'] as Obj)['nomad']);
  t.equal(provider['address'], tf('var.nomad_address'), 'the address is a variable');
  t.equal(provider['secret_id'], tf('var.nomad_token'), 'the token is a variable');
});

t.test('every variable used is declared, described and typed; every declared one is used', async (t) => {
  const declared = new Set(Object.keys(variables));
  const used = new Set<string>();
  for (const f of tfFiles) {
    if (f === 'variables.tf') continue;
    for (const s of strings(parsed[f]))
      for (const m of s.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(m[1]!);
  }
  // Validations may refer to other variables (Terraform 1.9+).
  for (const s of strings(variables))
    for (const m of s.matchAll(/\bvar\.([A-Za-z_][A-Za-z0-9_]*)/g))
      t.ok(declared.has(m[1]!), `var.${m[1]} in a validation is declared`);
  for (const name of [...used].sort()) t.ok(declared.has(name), `var.${name} is declared in variables.tf`);
  for (const name of [...declared].sort()) {
    t.ok(used.has(name), `variable ${name} is used`);
    const v = first(variables[name]);
    t.ok(
      typeof v['description'] === 'string' && (v['description'] as string).length > 10,
      `${name} is described`,
    );
    t.ok(typeof v['type'] === 'string', `${name} has a type`);
    for (const rule of (v['validation'] as Obj[] | undefined) ?? []) {
      t.match(
        String(rule['error_message']),
        /^[a-z_]+ .*\.$|^every port|^ports must|^each task/,
        `${name}: the error names the variable and ends as a sentence`,
      );
    }
  }
});

t.test('secrets are sensitive and go to Nomad variables, not job specs', async (t) => {
  const secrets = [
    'nomad_token',
    'gateway_api_keys_json',
    'gateway_jwt_secret',
    'gateway_jwks_json',
    'grafana_admin_password',
  ];
  for (const name of secrets) t.equal(first(variables[name])['sensitive'], true, `${name} is sensitive`);
  const jobVarMaps = Object.keys(locals).filter((k) => k.endsWith('_job_vars'));
  for (const k of jobVarMaps) {
    for (const s of strings(locals[k])) {
      for (const secret of secrets)
        t.notOk(s.includes(`var.${secret}`), `${k} does not pass ${secret} into a job spec`);
    }
  }
});

/** The keys of a `*_job_vars` local: its own object, or the objects a merge(...) combines. */
function jobVarKeys(name: string): Set<string> {
  const v = locals[name];
  if (typeof v === 'object' && v !== null) return new Set(Object.keys(v));
  const expr = String(v);
  const m = /^\$\{merge\(([\s\S]*)\)\}$/.exec(expr);
  if (m === null) throw new Error(`local.${name} is neither an object nor a merge(): ${expr.slice(0, 80)}`);
  const keys = new Set<string>();
  const open = m[1]!.indexOf('{');
  const merged = open < 0 ? m[1]! : m[1]!.slice(0, open);
  for (const ref of merged.matchAll(/local\.([a-z_]+)/g)) for (const k of jobVarKeys(ref[1]!)) keys.add(k);
  const inline = open < 0 ? '' : m[1]!.slice(open);
  for (const line of inline.matchAll(/^\s*([a-z_][a-z0-9_]*)\s*=/gm)) keys.add(line[1]!);
  return keys;
}

t.test('templatefile() passes exactly the placeholders of each job file', async (t) => {
  const jobspecs = locals['jobspecs'] as Record<string, string>;
  const files = readdirSync(JOBS_DIR).filter((f) => f.endsWith('.nomad.hcl'));
  t.same(
    Object.keys(jobspecs).sort(),
    files.map((f) => f.replace('.nomad.hcl', '')).sort(),
    'one rendered job spec per job file',
  );
  for (const [job, expr] of Object.entries(jobspecs)) {
    const m = /^\$\{templatefile\("\$\{local\.jobs_dir\}\/([a-z]+)\.nomad\.hcl", local\.([a-z_]+)\)\}$/.exec(
      expr,
    );
    t.ok(m !== null, `${job}: templatefile over deploy/nomad with a local vars map`);
    if (m === null) continue;
    t.equal(m[1], job, `${job}: renders ${job}.nomad.hcl`);
    const wanted = placeholders(readFileSync(join(JOBS_DIR, `${m[1]}.nomad.hcl`), 'utf8'));
    const passed = jobVarKeys(m[2]!);
    t.same([...wanted].filter((k) => !passed.has(k)).sort(), [], `${job}: every placeholder is passed`);
    t.same([...passed].filter((k) => !wanted.has(k)).sort(), [], `${job}: nothing unused is passed`);
  }
  t.equal(
    locals['jobs_dir'],
    `${tf('path.module')}/../deploy/nomad`,
    'the job files are the ones in deploy/nomad',
  );
});

t.test('each job file is submitted by one nomad_job, after what it needs', async (t) => {
  const jobs = (parsed['main.tf']!['resource'] as Obj)['nomad_job'] as Record<string, Obj[]>;
  const jobspecs = Object.keys(locals['jobspecs'] as Obj);
  t.same(Object.keys(jobs).sort(), jobspecs.sort(), 'a nomad_job per job spec');
  for (const [name, [job]] of Object.entries(jobs) as [string, Obj[]][]) {
    t.equal(
      job!['jobspec'],
      `\${local.jobspecs.${name}}`,
      `nomad_job.${name} submits local.jobspecs.${name}`,
    );
    t.equal(job!['detach'], false, `nomad_job.${name} waits for its deployment`);
  }
  const deps = (name: string) => ((jobs[name]![0]!['depends_on'] as string[] | undefined) ?? []).join(' ');
  t.match(deps('engine'), /nomad_job\.nats.*nomad_job\.questdb/, 'engines start after NATS and QuestDB');
  t.match(deps('gateway'), /nomad_variable\.gateway/, 'gateways start after their secrets exist');
  t.equal(jobs['monitoring']![0]!['count'], tf('var.monitoring_enabled ? 1 : 0'), 'monitoring is optional');
});

t.test('the Nomad variables hold exactly what the jobs read, where the jobs may read it', async (t) => {
  const resources = (parsed['main.tf']!['resource'] as Obj)['nomad_variable'] as Record<string, Obj[]>;
  for (const [name, job] of [
    ['gateway', 'gateway'],
    ['monitoring', 'monitoring'],
  ] as const) {
    const v = resources[name]![0]!;
    t.equal(v['path'], `\${local.${name}_secrets_path}`, `nomad_variable.${name} path`);
    t.equal(v['namespace'], tf('var.namespace'), `nomad_variable.${name} is in the jobs' namespace`);
    t.equal(v['items'], `\${local.${name}_secret_items}`, `nomad_variable.${name} items`);
    const text = readFileSync(join(JOBS_DIR, `${job}.nomad.hcl`), 'utf8');
    const jobName = /^job "([^"]+)"/m.exec(text)![1]!;
    // Nomad lets a job read nomad/jobs/<job> without an ACL policy.
    t.equal(
      locals[`${name}_secrets_path`],
      `nomad/jobs/${jobName}`,
      `the ${name} secrets are under nomad/jobs/${jobName}`,
    );
    const read = new Set<string>();
    for (const block of text.matchAll(/\{\{ with nomadVar "[^"]+" \}\}([\s\S]*?)\{\{ end \}\}/g)) {
      for (const m of block[1]!.matchAll(/\{\{ \.([A-Za-z_][A-Za-z0-9_]*) \}\}/g)) read.add(m[1]!);
    }
    const written = new Set(Object.keys(locals[`${name}_secret_items`] as Obj));
    t.same(
      [...written].sort(),
      [...read].sort(),
      `${name}: every item read is written, every item written is read`,
    );
  }
});

t.test('outputs tell operators where things are', async (t) => {
  const outputs = parsed['outputs.tf']!['output'] as Record<string, Obj[]>;
  for (const name of ['gateway_url', 'websocket_url', 'dashboard_url', 'nats_url', 'grafana_url']) {
    t.ok(outputs[name] !== undefined, `output ${name}`);
    t.ok(typeof outputs[name]?.[0]?.['description'] === 'string', `output ${name} is described`);
  }
});

t.test('terraform.tfvars.example sets only declared variables', async (t) => {
  const example = (await parseHcl(
    'example.tfvars',
    readFileSync(join(TF, 'terraform.tfvars.example'), 'utf8'),
  )) as Obj;
  for (const k of Object.keys(example)) t.ok(variables[k] !== undefined, `${k} is a declared variable`);
  for (const required of ['tickflow_artifact_url', 'tickflow_artifact_checksum'])
    t.ok(required in example, `sets ${required}`);
});

function terraform(): string | undefined {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? 'terraform' : undefined;
}

const TERRAFORM = terraform();
const TF_ENV = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
  TF_CLI_CONFIG_FILE: join(WORK, 'empty.tfrc'),
};
writeFileSync(join(WORK, 'empty.tfrc'), '');

t.test('terraform fmt -check -recursive terraform', async (t) => {
  if (TERRAFORM === undefined) {
    t.comment('terraform is not on PATH: skipping terraform fmt -check');
    return;
  }
  const r = spawnSync(TERRAFORM, ['fmt', '-check', '-recursive', '-diff', 'terraform'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: TF_ENV,
  });
  t.equal(r.status, 0, `formatted as terraform fmt would: ${r.stdout}`.trim());
  // fmt skips *.example: check a copy under a name it reads.
  writeFileSync(join(WORK, 'example.tfvars'), readFileSync(join(TF, 'terraform.tfvars.example')));
  const ex = spawnSync(TERRAFORM, ['fmt', '-check', '-diff', join(WORK, 'example.tfvars')], {
    encoding: 'utf8',
    env: TF_ENV,
  });
  t.equal(ex.status, 0, `terraform.tfvars.example is formatted: ${ex.stdout}`.trim());
});

t.test('bad inputs are refused with a sentence naming the variable', async (t) => {
  if (TERRAFORM === undefined) {
    t.comment('terraform is not on PATH: skipping the validation checks');
    return;
  }
  // variables.tf and locals.tf need no provider, so terraform console works without init.
  const dir = join(WORK, 'console');
  mkdirSync(join(dir, 'terraform'), { recursive: true });
  symlinkSync(join(ROOT, 'deploy'), join(dir, 'deploy'));
  for (const f of ['variables.tf', 'locals.tf'])
    writeFileSync(join(dir, 'terraform', f), readFileSync(join(TF, f)));
  const base = [
    '-var',
    'tickflow_artifact_url=https://releases.example.com/t.tar.gz',
    '-var',
    `tickflow_artifact_checksum=sha256:${'0'.repeat(64)}`,
  ];
  const run = (args: string[], expr = 'length(local.jobspecs)'): SpawnSyncReturns<string> =>
    spawnSync(TERRAFORM, ['console', '-no-color', ...args], {
      cwd: join(dir, 'terraform'),
      input: `${expr}\n`,
      encoding: 'utf8',
      env: TF_ENV,
      timeout: 60_000,
    });

  const ok = run(base);
  t.equal(ok.status, 0, `the defaults and the two release values are enough: ${ok.stderr}`.trim());
  t.notMatch(ok.stderr, /Error/, 'no diagnostics');
  t.match(ok.stdout, /^5$/m, 'five job specs');
  const jwks = run(
    [...base, '-var', 'gateway_jwks_json={"keys":[]}'],
    'nonsensitive(local.gateway_secret_items.env)',
  );
  t.match(
    jwks.stdout,
    /TICKFLOW_GATEWAY_JWKS_FILE=\/secrets\/jwks\.json/,
    'a JWKS points the gateway at the rendered secrets/jwks.json',
  );

  const cases: [string, string[], RegExp][] = [
    [
      'a checksum that is not sha256',
      [...base.slice(0, 2), '-var', 'tickflow_artifact_checksum=md5:abc'],
      /tickflow_artifact_checksum must be sha256:/,
    ],
    ['an even NATS cluster', [...base, '-var', 'nats_count=2'], /nats_count must be 1, 3 or 5/],
    ['zero partitions', [...base, '-var', 'partitions=0'], /partitions must be an integer in \[1, 1024\]/],
    [
      'a short JWT secret',
      [...base, '-var', 'gateway_jwt_secret=short'],
      /gateway_jwt_secret must be empty or at least 32 characters/,
    ],
    [
      'both a JWT secret and a JWKS',
      [...base, '-var', `gateway_jwt_secret=${'s'.repeat(40)}`, '-var', 'gateway_jwks_json={"keys":[]}'],
      /gateway_jwt_secret and gateway_jwks_json are exclusive/,
    ],
    [
      'a keys file of another shape',
      [...base, '-var', 'gateway_api_keys_json=[]'],
      /gateway_api_keys_json must be a keys file/,
    ],
    [
      'monitoring without a Grafana password',
      [...base, '-var', 'monitoring_enabled=true'],
      /grafana_admin_password must be at least 12 characters/,
    ],
    ['two jobs on one port', [...base, '-var', 'ports={ gateway = 4222 }'], /ports must all differ/],
    [
      'an origin with a path',
      [...base, '-var', 'gateway_allowed_origins=["https://x.example.com/app"]'],
      /gateway_allowed_origins entries must be/,
    ],
  ];
  for (const [what, args, message] of cases) {
    const r = run(args);
    // The console may still print the expression it was given; the refusal is the diagnostic.
    t.match(r.stderr, /Error: Invalid value for variable/, `${what} is refused`);
    t.match(r.stderr.replace(/\s*\n\s*/g, ' '), message, `${what}: ${message}`);
  }
});
