import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../core/cost-model.ts';
import { costReport } from '../core/cost-report.ts';
import { PRICE_TABLE } from '../core/prices.ts';
import { lambdaEnv } from '../lambdas/shared/env.ts';
import {
  type ParsedModule,
  parseModule,
  renderModuleDocs,
  replaceDocs,
  TERRAFORM_DIRS,
} from '../scripts/terraform-docs.ts';
import { sidecarEnv } from '../sidecar/config.ts';

const root = new URL('..', import.meta.url).pathname;
type Obj = Record<string, unknown>;
const first = (blocks: unknown) => (blocks as Obj[])[0]!;

let modules: Record<string, ParsedModule>;
beforeAll(async () => {
  modules = Object.fromEntries(
    await Promise.all(TERRAFORM_DIRS.map(async (dir) => [dir, await parseModule(join(root, dir))] as const)),
  );
});
const controlPlane = () => modules['infra/modules/control-plane']!;
const edge = () => modules['infra/modules/edge']!;
const complete = () => modules['infra/examples/complete']!;
const local = (module: ParsedModule, name: string) =>
  (module.locals as Obj[]).find((l) => name in l)?.[name] as unknown;
const edgeLocal = (name: string) => local(edge(), name);
const tfText = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.tf'))
    .map((f) => readFileSync(join(root, dir, f), 'utf8'))
    .join('\n');

interface BlockSchema {
  required: string[];
  optional: string[];
  blocks?: Record<string, BlockSchema & { required: string[] | boolean } & { required: unknown }>;
}
const META = new Set([
  'count',
  'for_each',
  'depends_on',
  'provider',
  'lifecycle',
  'provisioner',
  'connection',
]);

/** Problems of one block body against the provider schema: unknown names, missing required ones. */
function schemaProblems(body: Obj, schema: BlockSchema, where: string, top: boolean): string[] {
  const problems: string[] = [];
  const blocks = (schema.blocks ?? {}) as Record<string, BlockSchema & { required: string[] }>;
  const attributes = new Set([...schema.required, ...schema.optional]);
  const dynamic = (body.dynamic as Record<string, Obj[]> | undefined) ?? {};
  for (const [key, value] of Object.entries(body)) {
    if (top && META.has(key)) continue;
    if (key === 'dynamic') {
      for (const [name, uses] of Object.entries(dynamic)) {
        if (!blocks[name]) problems.push(`${where}: unknown block ${name} (dynamic)`);
        else
          for (const use of uses)
            for (const content of (use.content as Obj[] | undefined) ?? [])
              problems.push(...schemaProblems(content, blocks[name]!, `${where}.${name}`, false));
      }
    } else if (blocks[key]) {
      for (const item of value as Obj[])
        problems.push(...schemaProblems(item, blocks[key]!, `${where}.${key}`, false));
    } else if (!attributes.has(key)) problems.push(`${where}: unknown argument ${key}`);
  }
  for (const name of schema.required)
    if (!(name in body)) problems.push(`${where}: missing required ${name}`);
  return problems;
}

/** Every statement of every aws_iam_policy_document in a module. */
function statements(
  module: ParsedModule,
): { doc: string; sid?: string; actions: string[]; resources?: string[]; condition?: Obj[] }[] {
  return Object.entries(module.data?.aws_iam_policy_document ?? {}).flatMap(([doc, blocks]) =>
    ((first(blocks).statement as Obj[] | undefined) ?? []).map((s) => ({
      doc,
      ...(s as { sid?: string; actions: string[]; resources?: string[]; condition?: Obj[] }),
    })),
  );
}

describe('Terraform, parsed with a real HCL parser', () => {
  it('every queue that is not a DLQ has a redrive policy to its DLQ with maxReceiveCount ≥ 5', () => {
    const queues = controlPlane().resource!.aws_sqs_queue!;
    const main = Object.entries(queues).filter(([name]) => !name.endsWith('_dlq'));
    expect(main.map(([name]) => name).sort()).toEqual(['events', 'tasks']);
    for (const [name, blocks] of main) {
      const policy = String(first(blocks).redrive_policy);
      expect(policy).toContain(`aws_sqs_queue.${name}_dlq.arn`);
      expect(policy).toMatch(/maxReceiveCount\s*=\s*var\.max_receive_count/);
    }
    const variable = first(controlPlane().variable!.max_receive_count);
    expect(variable.default).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(variable.validation)).toContain('var.max_receive_count >= 5');
  });

  it('the events queue and its DLQ are FIFO, with content-based deduplication off (Thaw sets ids)', () => {
    const queues = controlPlane().resource!.aws_sqs_queue!;
    expect(first(queues.events).fifo_queue).toBe(true);
    expect(first(queues.events_dlq).fifo_queue).toBe(true);
    expect(first(queues.events).content_based_deduplication).toBe(false);
  });

  it('visibility timeouts are six times the function timeout', () => {
    const queues = controlPlane().resource!.aws_sqs_queue!;
    for (const name of ['events', 'tasks'])
      expect(first(queues[name]).visibility_timeout_seconds).toBe('${local.queue_visibility_seconds}');
    expect(JSON.stringify(controlPlane().locals)).toContain('6 * var.lambda_timeout_seconds');
  });

  it('both SQS triggers report batch item failures; the events trigger allows at least 2', () => {
    const mappings = controlPlane().resource!.aws_lambda_event_source_mapping!;
    expect(Object.keys(mappings).sort()).toEqual(['events', 'tasks']);
    for (const blocks of Object.values(mappings))
      expect(first(blocks).function_response_types).toEqual(['ReportBatchItemFailures']);
    expect(JSON.stringify(controlPlane().variable!.events_max_concurrency)).toContain('>= 2');
  });

  it('handler names and bundle folders match what npm run build writes', () => {
    const fn = first(controlPlane().resource!.aws_lambda_function!.this);
    expect(fn.handler).toBe('index.handler');
    expect(String(fn.filename)).toContain('data.archive_file.bundle[each.key]');
    const built = /export const LAMBDAS = \[([^\]]+)\]/
      .exec(readFileSync(join(root, 'scripts/build.mjs'), 'utf8'))![1]!
      .match(/'([^']+)'/g)!
      .map((s) => s.slice(1, -1));
    const locals = JSON.stringify(controlPlane().locals);
    for (const name of ['events', 'tasks', 'freezer', 'migrate', 'access-logs']) {
      expect(built).toContain(name);
      expect(locals).toContain(name);
    }
  });

  it('every environment variable given to a function is one the functions read (config names agree)', () => {
    // The parser validated functions.tf; the environment maps are inside merge() expressions, so read their keys from the text.
    const text = readFileSync(join(root, 'infra/modules/control-plane/functions.tf'), 'utf8');
    const names = new Set([...text.matchAll(/^\s+([A-Z][A-Z0-9_]+)\s+=/gm)].map((m) => m[1]!));
    const known = new Set([...Object.keys(lambdaEnv), 'POWERTOOLS_LOG_LEVEL']);
    const unknown = [...names].filter((n) => !known.has(n));
    expect(unknown).toEqual([]);
    expect(names).toContain('TASKS_QUEUE_URL');
    expect(names).toContain('STACK_SUBNETS');
  });

  it('the sidecar container gets only settings the sidecar reads', () => {
    const text = readFileSync(join(root, 'infra/modules/edge/traefik.tf'), 'utf8');
    const block = text.slice(
      text.indexOf('environment = [for key, value in merge({'),
      text.indexOf('}, var.sidecar_environment)'),
    );
    const names = [...block.matchAll(/^\s+([A-Z][A-Z0-9_]+)\s+=/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(4);
    for (const name of [...names, 'DATABASE_URL']) expect(Object.keys(sidecarEnv.shape)).toContain(name);
  });

  it('functions get the database URL from Secrets Manager, never the password in their environment', () => {
    const text = readFileSync(join(root, 'infra/modules/control-plane/functions.tf'), 'utf8');
    expect(text).not.toContain('local.database_url');
    expect(text).toContain('DATABASE_SECRET_ARN');
    const read = statements(controlPlane()).find(
      (s) => s.doc === 'base' && s.actions.includes('secretsmanager:GetSecretValue'),
    );
    expect(read?.resources).toEqual(['${aws_secretsmanager_secret.database_url.arn}']);
  });

  it('no function gets the GitHub token in its environment: the tasks function reads it from Secrets Manager', () => {
    const text = readFileSync(join(root, 'infra/modules/control-plane/functions.tf'), 'utf8');
    const environments = JSON.stringify(local(controlPlane(), 'environments'));
    expect(environments).not.toMatch(/GITHUB_TOKEN\s*=/);
    expect(environments).not.toContain('var.github_token');
    expect(text).toMatch(
      /GITHUB_TOKEN_SECRET_ARN\s+=\s+local\.github_token_given \? aws_secretsmanager_secret\.github_token\[0\]\.arn : ""/,
    );
    // count cannot depend on a sensitive value: only whether a token is given is made nonsensitive.
    expect(local(controlPlane(), 'github_token_given')).toBe('${nonsensitive(var.github_token != "")}');
    const secret = first(controlPlane().resource!.aws_secretsmanager_secret!.github_token);
    expect(secret.count).toBe('${local.github_token_given ? 1 : 0}');
    const version = first(controlPlane().resource!.aws_secretsmanager_secret_version!.github_token);
    expect(version.count).toBe('${local.github_token_given ? 1 : 0}');
    expect(version.secret_string).toBe('${var.github_token}');
    const tasks = first(controlPlane().data!.aws_iam_policy_document!.tasks);
    const read = ((tasks.dynamic as Record<string, Obj[]>).statement ?? [])[0]!;
    expect(read.for_each).toBe(
      '${local.github_token_given ? [aws_secretsmanager_secret.github_token[0].arn] : []}',
    );
    expect(first(read.content)).toMatchObject({
      sid: 'ReadGitHubToken',
      actions: ['secretsmanager:GetSecretValue'],
      resources: ['${statement.value}'],
    });
    expect(first(controlPlane().variable!.github_token).sensitive).toBe(true);
  });

  it("the freezer's janitor deletes only thaw-tagged stack services and lists only in the cluster", () => {
    const janitor = statements(controlPlane()).filter(
      (s) => s.doc === 'freezer' && s.sid?.startsWith('Janitor'),
    );
    const byId = Object.fromEntries(janitor.map((s) => [s.sid, s]));
    expect(byId.JanitorDeletesTaggedStackServices).toMatchObject({
      actions: ['ecs:DeleteService'],
      resources: ['${local.stack_services_arn}'],
      condition: [{ test: 'Null', variable: 'aws:ResourceTag/thaw:stack', values: ['false'] }],
    });
    expect(byId.JanitorListsStackServices?.condition).toEqual([
      { test: 'ArnEquals', variable: 'ecs:cluster', values: ['${var.ecs_cluster_arn}'] },
    ]);
    // Nothing else of ECS may be written by the freezer.
    const writes = janitor
      .flatMap((s) => s.actions)
      .filter((a) => /:(Delete|Update|Create|Run|Stop)/.test(a));
    expect(writes).toEqual(['ecs:DeleteService']);
    const text = readFileSync(join(root, 'infra/modules/control-plane/functions.tf'), 'utf8');
    const start = text.indexOf('freezer = merge(');
    const freezer = text.slice(start, text.indexOf('migrate = {', start));
    expect(freezer).toMatch(/ECS_CLUSTER\s+=\s+var\.ecs_cluster_arn/);
    expect(freezer).toMatch(
      /STACK_DATABASE_ADMIN_SECRET_ARN\s+=\s+aws_secretsmanager_secret\.database_url\.arn/,
    );
  });

  it('stack DATABASE_URL secrets: the tasks function writes and the stack execution role reads only secrets under <name>/stacks/', () => {
    const stacksArn = String(local(controlPlane(), 'stack_secrets_arn'));
    expect(local(controlPlane(), 'stack_secret_prefix')).toBe('${var.name}/stacks');
    expect(stacksArn).toMatch(/:secretsmanager:.*:secret:\$\{local\.stack_secret_prefix\}\/\*$/);
    const text = readFileSync(join(root, 'infra/modules/control-plane/functions.tf'), 'utf8');
    expect(text).toMatch(/STACK_SECRET_PREFIX\s+=\s+local\.stack_secret_prefix/);
    const writes = statements(controlPlane()).filter(
      (s) => s.doc === 'tasks' && s.actions.some((a) => a.startsWith('secretsmanager:')),
    );
    expect(writes.map((s) => [s.sid, s.actions.sort(), s.resources])).toEqual([
      [
        'ManageStackDatabaseUrlSecrets',
        [
          'secretsmanager:CreateSecret',
          'secretsmanager:DeleteSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:TagResource',
        ],
        ['${local.stack_secrets_arn}'],
      ],
    ]);
    const read = statements(complete()).find((s) => s.sid === 'ReadStackDatabaseUrls')!;
    expect(read.actions).toEqual(['secretsmanager:GetSecretValue']);
    expect(read.resources).toEqual(['${module.control_plane.stack_secrets_arn}']);
    const onRole = first(complete().resource!.aws_iam_role_policy!.stack_execution_database_urls);
    expect(onRole.role).toBe('${aws_iam_role.stack_execution.id}');
    expect(onRole.policy).toBe('${data.aws_iam_policy_document.stack_database_urls.json}');
  });

  it('the freezer runs on an EventBridge Scheduler rule', () => {
    const schedule = first(controlPlane().resource!.aws_scheduler_schedule!.freezer);
    expect(JSON.stringify(schedule.target)).toContain('aws_lambda_function.this[\\"freezer\\"].arn');
  });

  it('DLQ depth alarms exist for both DLQs', () => {
    const alarm = first(controlPlane().resource!.aws_cloudwatch_metric_alarm!.dlq_not_empty);
    expect(alarm.metric_name).toBe('ApproximateNumberOfMessagesVisible');
    expect(JSON.stringify(alarm.for_each)).toMatch(/events_dlq.*tasks_dlq/);
  });

  it('IAM: no wildcard actions; ECS writes scoped to the cluster and to thaw:stack tags; PassRole only for stack roles', () => {
    for (const module of [controlPlane(), edge(), modules['infra/examples/complete']!]) {
      for (const s of statements(module)) {
        for (const action of s.actions)
          expect(action.includes('*'), `${s.doc}/${s.sid}: ${action}`).toBe(false);
      }
    }
    const tasks = statements(controlPlane()).filter((s) => s.doc === 'tasks');
    const writes = ['ecs:CreateService', 'ecs:UpdateService', 'ecs:DeleteService', 'ecs:TagResource'];
    for (const action of writes) {
      const statement = tasks.find((s) => s.actions.includes(action));
      expect(statement, action).toBeDefined();
      expect(JSON.stringify(statement!.condition), action).toMatch(/thaw:stack|ecs:cluster/);
    }
    const create = tasks.find((s) => s.actions.includes('ecs:CreateService'))!;
    expect(JSON.stringify(create.condition)).toContain('ecs:cluster');
    const pass = tasks.find((s) => s.actions.includes('iam:PassRole'))!;
    expect(pass.resources).toEqual(['${var.stack_execution_role_arn}', '${var.stack_task_role_arn}']);
    expect(JSON.stringify(pass.condition)).toContain('ecs-tasks.amazonaws.com');
  });

  it('Traefik watches only thaw-labelled tasks and writes a JSON access log', () => {
    const args = JSON.stringify(edgeLocal('traefik_args'));
    expect(args).toContain('--providers.ecs.constraints=Label(`thaw.managed`,`true`)');
    expect(args).toContain('--accesslog.format=json');
  });

  it("Traefik's API listens on loopback only and the sidecar reads it (open connections keep stacks awake)", () => {
    const args = edgeLocal('traefik_args') as string[];
    expect(args).toContain('--api.insecure=true');
    expect(args).toContain('--api.dashboard=false');
    expect(args).toContain('--entryPoints.traefik.address=127.0.0.1:${local.traefik_api_port}');
    const text = readFileSync(join(root, 'infra/modules/edge/traefik.tf'), 'utf8');
    expect(text).toMatch(/TRAEFIK_API_URL\s+=\s+"http:\/\/127\.0\.0\.1:\$\{local\.traefik_api_port\}"/);
    // Never published: no port mapping for it.
    expect(text).not.toMatch(/containerPort\s*=\s*local\.traefik_api_port/);
  });

  it('only the ALB reaches Traefik; only Traefik and the control plane (readiness) reach stacks', () => {
    const stacks = JSON.stringify(edge().resource!.aws_security_group!.stacks);
    expect(stacks).toContain('aws_security_group.traefik.id');
    expect(stacks).not.toMatch(/ingress[^\]]*0\.0\.0\.0\/0/);
    const rule = first(edge().resource!.aws_security_group_rule!.alb_to_traefik);
    expect(rule.source_security_group_id).toBe('${aws_security_group.alb.id}');
    const ingress = first(edge().resource!.aws_security_group!.stacks).ingress as {
      security_groups: string;
    }[];
    expect(ingress.map((i) => i.security_groups)).toEqual([
      '${concat([aws_security_group.traefik.id], var.stack_client_security_group_ids)}',
    ]);
    // The tasks function asks each service's health path (adapters/http-probe.ts): it must get through.
    expect(first(complete().module!.edge).stack_client_security_group_ids).toEqual([
      '${module.control_plane.control_plane_security_group_id}',
    ]);
  });

  it('every variable has a type and a description; every output a description', () => {
    for (const [dir, module] of Object.entries(modules)) {
      for (const [name, blocks] of Object.entries(module.variable ?? {})) {
        expect(first(blocks).type, `${dir} var.${name}`).toBeDefined();
        expect(String(first(blocks).description ?? ''), `${dir} var.${name}`).not.toBe('');
      }
      for (const [name, blocks] of Object.entries(module.output ?? {}))
        expect(String(first(blocks).description ?? ''), `${dir} output.${name}`).not.toBe('');
    }
  });

  it.each(TERRAFORM_DIRS)('%s/README.md lists its inputs and outputs (run npm run docs)', async (dir) => {
    const readme = readFileSync(join(root, dir, 'README.md'), 'utf8');
    expect(readme).toBe(replaceDocs(readme, renderModuleDocs(modules[dir]!)));
  });

  const terraform = (() => {
    try {
      execFileSync('terraform', ['version'], {
        stdio: 'ignore',
        env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
      });
      return true;
    } catch {
      return false;
    }
  })();
  it.runIf(terraform)('terraform fmt -check passes', () => {
    execFileSync('terraform', ['fmt', '-check', '-recursive', 'infra'], {
      cwd: root,
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
    });
  });
});

describe('issue 12: what blocked the first deploy on AWS', () => {
  it('every Lambda function runs on nodejs22.x or nodejs24.x (creating nodejs20.x functions is blocked)', () => {
    const allowed = ['nodejs22.x', 'nodejs24.x'];
    let functions = 0;
    for (const module of Object.values(modules)) {
      for (const [name, blocks] of Object.entries(module.resource?.aws_lambda_function ?? {})) {
        functions++;
        const runtime = String(first(blocks).runtime);
        const variable = /^\$\{var\.([a-z0-9_]+)\}$/.exec(runtime)?.[1];
        if (!variable) {
          expect(allowed, `aws_lambda_function.${name}`).toContain(runtime);
          continue;
        }
        const declared = first(module.variable![variable]);
        expect(allowed, `var.${variable} default`).toContain(declared.default);
        const validation = JSON.stringify(declared.validation);
        expect(validation).toContain('nodejs22.x');
        expect(validation).not.toMatch(/nodejs(1\d|20)\.x/);
      }
    }
    expect(functions).toBeGreaterThan(0);
  });

  it('every reference to a counted resource or data source is indexed (plan works with optional parts off)', () => {
    for (const dir of TERRAFORM_DIRS) {
      const module = modules[dir]!;
      const text = tfText(dir).replace(/depends_on\s*=\s*\[[^\]]*\]/g, '');
      const counted = [
        ...Object.entries(module.resource ?? {}).flatMap(([type, named]) =>
          Object.entries(named)
            .filter(([, blocks]) => 'count' in first(blocks))
            .map(([name]) => `${type}.${name}`),
        ),
        ...Object.entries(module.data ?? {}).flatMap(([type, named]) =>
          Object.entries(named)
            .filter(([, blocks]) => 'count' in first(blocks))
            .map(([name]) => `data.${type}.${name}`),
        ),
      ];
      for (const address of counted) {
        const escaped = address.replaceAll('.', '\\.');
        const plain = text.match(new RegExp(`(?<![\\w.])${escaped}(?![\\w\\[])`, 'g')) ?? [];
        expect(plain, `${dir}: ${address} used without [index]`).toEqual([]);
      }
    }
  });

  it('nothing reads the optional access-logs function or its policy unless it is enabled', () => {
    const module = controlPlane();
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, named] of Object.entries(module[kind] ?? {})) {
        for (const [name, blocks] of Object.entries(named)) {
          const body = first(blocks);
          const json = JSON.stringify({ ...body, depends_on: undefined });
          const optional =
            json.includes('[\\"access-logs\\"]') || json.includes('aws_iam_policy_document.access_logs');
          if (!optional) continue;
          expect(String(body.count ?? ''), `${kind} ${type}.${name}`).toContain(
            'var.enable_access_logs_function',
          );
        }
      }
    }
    const policies = String(local(module, 'function_policies'));
    expect(policies).toContain(
      'var.enable_access_logs_function ? { "access-logs" = data.aws_iam_policy_document.access_logs[0].json }',
    );
  });

  it('the stored database URL asks for TLS (RDS for PostgreSQL 15+ forces SSL)', () => {
    const url = String(local(controlPlane(), 'database_url'));
    expect(url).toMatch(/"postgres:\/\/thaw:[^"]+:5432\/thaw\?sslmode=require"/);
    const existing = JSON.stringify(controlPlane().variable!.existing_database_url);
    expect(existing).toContain('sslmode=');
  });

  it('the catch-all goes from the file provider to the sidecar in the same task (127.0.0.1), priority 1', () => {
    const config = String(edgeLocal('launcher_dynamic_config'));
    expect(config).toMatch(/^\$\{yamlencode\(/);
    expect(config).toContain('rule        = "HostRegexp(`^.+\\\\.${local.domain_pattern}$`)"');
    expect(config).toContain('priority    = 1');
    expect(config).toContain('url = "http://127.0.0.1:${local.sidecar_port}"');
    expect(config).toContain('entryPoints = ["web"]');
    expect(edgeLocal('sidecar_port')).toBe(8090);
    const args = edgeLocal('traefik_args') as string[];
    expect(args).toContain('--providers.file.filename=${local.launcher_config_file}');
    const task = JSON.stringify(edge().resource!.aws_ecs_task_definition!.edge);
    // The launcher is no longer an ECS-provider service: no router labels on any container.
    expect(task).not.toContain('dockerLabels');
    expect(task).not.toContain('traefik.http.');
    expect(task).toContain('THAW_LAUNCHER_YAML');
    expect(task).toContain('value = local.launcher_dynamic_config');
    expect(task).toContain('exec traefik');
  });

  it('Traefik trusts forwarded headers from the VPC, answers /ping on its own entrypoint, and the ALB checks it there', () => {
    const args = edgeLocal('traefik_args') as string[];
    expect(args).toContain('--entryPoints.web.forwardedHeaders.trustedIPs=${data.aws_vpc.this.cidr_block}');
    expect(args).toContain('--ping.entryPoint=ping');
    expect(args).toContain('--entryPoints.ping.address=:${local.ping_port}');
    expect(args).not.toContain('--ping.entryPoint=web');
    const ping = edgeLocal('ping_port');
    const health = first(first(edge().resource!.aws_lb_target_group!.traefik).health_check);
    expect(health.path).toBe('/ping');
    expect(health.port).toBe(String(ping));
    const rule = first(edge().resource!.aws_security_group_rule!.alb_to_traefik_ping);
    expect([rule.from_port, rule.to_port]).toEqual([ping, ping]);
    expect(String(first(edge().variable!.traefik_image).default)).toMatch(
      /^public\.ecr\.aws\/docker\/library\/traefik:v3\.6/,
    );
  });

  it('application images: ECR repositories the OIDC role may push to, and registry credentials for other registries', () => {
    const repositories = first(complete().resource!.aws_ecr_repository!.app);
    expect(repositories.for_each).toBe('${toset(var.ecr_repositories)}');
    const push = statements(complete()).find((s) => s.sid === 'PushApplicationImages')!;
    expect(push.actions).toContain('ecr:PutImage');
    expect(push.resources).toBe('${[for repository in aws_ecr_repository.app : repository.arn]}');
    const attached = first(complete().resource!.aws_iam_role_policy!.github_actions_push);
    expect(attached.role).toBe('${aws_iam_role.github_actions.id}');
    const text = readFileSync(join(root, 'infra/modules/control-plane/functions.tf'), 'utf8');
    expect(text).toMatch(/REGISTRY_CREDENTIALS_ARN\s+=\s+var\.registry_credentials_secret_arn/);
    const read = statements(complete()).find((s) => s.sid === 'ReadRegistryCredentials')!;
    expect(read.actions).toEqual(['secretsmanager:GetSecretValue']);
    expect(read.resources).toEqual(['${var.registry_credentials_secret_arn}']);
    const onRole = first(complete().resource!.aws_iam_role_policy!.stack_execution_registry_credentials);
    expect(onRole.role).toBe('${aws_iam_role.stack_execution.id}');
  });

  it("GitHub OIDC trust: only the repository's pull_request workflows", () => {
    const trust = first(complete().data!.aws_iam_policy_document!.github_assume);
    const conditions = (first(trust.statement).condition as Obj[]).filter(
      (c) => c.variable === 'token.actions.githubusercontent.com:sub',
    );
    expect(conditions).toEqual([
      {
        test: 'StringEquals',
        variable: 'token.actions.githubusercontent.com:sub',
        values: ['repo:${var.github_repository}:pull_request'],
      },
    ]);
  });

  it('task definition actions (no resource-level or tag support) are allowed on "*" without conditions', () => {
    const tasks = statements(controlPlane()).filter((s) => s.doc === 'tasks');
    for (const action of [
      'ecs:RegisterTaskDefinition',
      'ecs:DeregisterTaskDefinition',
      'ecs:ListTaskDefinitions',
      'ecs:DescribeTaskDefinition',
    ]) {
      const granting = tasks.filter((s) => s.actions.includes(action));
      expect(granting.length, action).toBe(1);
      expect(granting[0]!.resources, action).toEqual(['*']);
      expect(granting[0]!.condition, action).toBeUndefined();
    }
    const tag = tasks.find((s) => s.actions.includes('ecs:TagResource'))!;
    expect(JSON.stringify(tag.condition)).toContain('aws:RequestTag/thaw:stack');
  });

  it('every function waits for its role policy and the VPC access attachment', () => {
    for (const module of Object.values(modules)) {
      for (const [name, blocks] of Object.entries(module.resource?.aws_lambda_function ?? {})) {
        const depends = first(blocks).depends_on as string[];
        expect(depends, name).toContain('${aws_iam_role_policy.function}');
        expect(depends, name).toContain('${aws_iam_role_policy_attachment.vpc_access}');
      }
    }
    const vpc = first(controlPlane().resource!.aws_iam_role_policy_attachment!.vpc_access);
    expect(vpc.policy_arn).toBe('arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole');
    expect(vpc.for_each).toBe('${local.functions}');
  });

  it('the tasks trigger has a maximum concurrency (the database connection budget), at least 2', () => {
    const tasks = first(controlPlane().resource!.aws_lambda_event_source_mapping!.tasks);
    expect(first(tasks.scaling_config).maximum_concurrency).toBe('${var.tasks_max_concurrency}');
    const variable = first(controlPlane().variable!.tasks_max_concurrency);
    expect(variable.default).toBe(5);
    expect(JSON.stringify(variable.validation)).toContain('var.tasks_max_concurrency >= 2');
  });

  it('destroy and recreate: deletion protection, snapshot name and secret recovery window are variables', () => {
    const db = first(controlPlane().resource!.aws_db_instance!.this);
    expect(db.deletion_protection).toBe('${var.deletion_protection}');
    expect(db.skip_final_snapshot).toBe('${var.skip_final_snapshot}');
    expect(String(db.final_snapshot_identifier)).toContain('random_id.final_snapshot[0].hex');
    expect(first(controlPlane().variable!.deletion_protection).default).toBe(true);
    expect(first(controlPlane().variable!.skip_final_snapshot).default).toBe(false);
    const secret = first(controlPlane().resource!.aws_secretsmanager_secret!.database_url);
    expect(secret.recovery_window_in_days).toBe('${var.secret_recovery_window_in_days}');
    const alarm = first(controlPlane().resource!.aws_cloudwatch_metric_alarm!.dlq_not_empty);
    expect(alarm.alarm_actions).toBe('${var.alarm_topic_arns}');
  });

  it('the AWS provider is pinned to ~> 6.25 everywhere', () => {
    for (const dir of TERRAFORM_DIRS)
      expect(tfText(dir), dir).toMatch(
        /aws\s*=\s*\{\s*source\s*=\s*"hashicorp\/aws",\s*version\s*=\s*"~> 6\.25"\s*\}/,
      );
  });

  it('every aws_* resource and data block matches the hashicorp/aws 6.25 schema (infra/schema/aws-6.25.json)', () => {
    const schema = JSON.parse(readFileSync(join(root, 'infra/schema/aws-6.25.json'), 'utf8')) as {
      version: string;
      resource: Record<string, BlockSchema>;
      data: Record<string, BlockSchema>;
    };
    expect(schema.version).toBe('6.25.0');
    const problems: string[] = [];
    let checked = 0;
    for (const [dir, module] of Object.entries(modules)) {
      for (const kind of ['resource', 'data'] as const) {
        for (const [type, named] of Object.entries(module[kind] ?? {})) {
          if (!type.startsWith('aws_')) continue;
          const typeSchema = schema[kind][type];
          if (!typeSchema) {
            problems.push(`${dir}: ${kind} ${type} is not in the schema (run node scripts/aws-schema.mjs)`);
            continue;
          }
          for (const [name, blocks] of Object.entries(named)) {
            checked++;
            problems.push(...schemaProblems(first(blocks), typeSchema, `${dir}: ${type}.${name}`, true));
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });

  it('the schema check fails on an unknown argument, a missing required one and an unknown block', () => {
    const schema: BlockSchema = {
      required: ['function_name'],
      optional: ['runtime'],
      blocks: { vpc_config: { required: ['subnet_ids'], optional: [] } as never },
    };
    expect(schemaProblems({ function_name: 'x', runtime: 'y' }, schema, 'f', true)).toEqual([]);
    expect(schemaProblems({ runtime: 'y', count: 1, colour: 1 }, schema, 'f', true)).toEqual([
      'f: unknown argument colour',
      'f: missing required function_name',
    ]);
    expect(schemaProblems({ function_name: 'x', vpc_config: [{}] }, schema, 'f', true)).toEqual([
      'f.vpc_config: missing required subnet_ids',
    ]);
    expect(
      schemaProblems({ function_name: 'x', dynamic: { nope: [{ content: [{}] }] } }, schema, 'f', true),
    ).toEqual(['f: unknown block nope (dynamic)']);
  });
});

describe('issue 17: cost levers, with defaults that fit previews', () => {
  const variableDefault = (module: ParsedModule, name: string) => first(module.variable![name]!).default;
  const resource = (module: ParsedModule, type: string, name: string) =>
    first(module.resource![type]![name]!);

  it("the Terraform defaults are the cost model's defaults (docs/cost.md prices what you deploy)", () => {
    expect(variableDefault(complete(), 'edge_tasks')).toBe(DEFAULTS.edgeTasks);
    expect(variableDefault(edge(), 'desired_count')).toBe(DEFAULTS.edgeTasks);
    expect(variableDefault(edge(), 'cpu')).toBe(DEFAULTS.edgeCpu);
    expect(variableDefault(edge(), 'memory')).toBe(DEFAULTS.edgeMemory);
    expect(variableDefault(complete(), 'edge_architecture')).toBe(DEFAULTS.edgeArchitecture);
    expect(variableDefault(complete(), 'stack_architecture')).toBe(DEFAULTS.stackArchitecture);
    expect(variableDefault(controlPlane(), 'stack_architecture')).toBe(DEFAULTS.stackArchitecture);
    expect(variableDefault(complete(), 'stack_spot')).toBe(DEFAULTS.stackCapacity === 'spot');
    expect(variableDefault(edge(), 'stack_spot')).toBe(DEFAULTS.stackCapacity === 'spot');
    expect(variableDefault(complete(), 'nat')).toBe(DEFAULTS.nat);
    expect(variableDefault(complete(), 'nat_instance_type')).toBe(DEFAULTS.natInstanceType);
    expect(variableDefault(complete(), 'ecr_interface_endpoints')).toBe(DEFAULTS.ecrInterfaceEndpoints);
    expect(variableDefault(controlPlane(), 'db_instance_class')).toBe(DEFAULTS.dbInstanceClass);
    expect(variableDefault(controlPlane(), 'db_allocated_storage_gb')).toBe(DEFAULTS.dbStorageGb);
    // The example creates the network by default, and with it the S3 gateway endpoint and two AZs.
    expect(variableDefault(complete(), 'vpc_id')).toBe('');
    expect(String(resource(complete(), 'aws_vpc_endpoint', 's3').count)).toContain(
      'local.private_route_table_ids',
    );
    expect(DEFAULTS.s3GatewayEndpoint).toBe(true);
    expect(resource(complete(), 'aws_subnet', 'private').count).toBe('${local.create_network ? 2 : 0}');
    expect(DEFAULTS.azs).toBe(2);
  });

  it('the example wires the edge switches and hands the stack strategy to the tasks function', () => {
    const edgeCall = first(complete().module!.edge);
    expect(edgeCall.desired_count).toBe('${var.edge_tasks}');
    expect(edgeCall.architecture).toBe('${var.edge_architecture}');
    expect(edgeCall.stack_spot).toBe('${var.stack_spot}');
    const cp = first(complete().module!.control_plane);
    expect(cp.stack_capacity_provider_strategy).toBe('${module.edge.stack_capacity_provider_strategy}');
    expect(cp.stack_architecture).toBe('${var.stack_architecture}');
    const env = readFileSync(join(root, 'infra/modules/control-plane/functions.tf'), 'utf8');
    expect(env).toMatch(/STACK_CAPACITY_PROVIDER_STRATEGY\s+=\s+var\.stack_capacity_provider_strategy/);
  });

  it('stacks: FARGATE_SPOT by default after an optional on-demand base; the edge stays on-demand', () => {
    const strategy = String(local(edge(), 'stack_strategy'));
    expect(strategy).toMatch(/var\.stack_spot \?/);
    expect(strategy).toContain('provider = "FARGATE_SPOT", weight = 1');
    expect(strategy).toContain('provider = "FARGATE", weight = 0, base = var.stack_on_demand_base');
    expect(strategy).toContain(': [{ provider = "FARGATE", weight = 1, base = 0 }]');
    const providers = resource(edge(), 'aws_ecs_cluster_capacity_providers', 'this');
    expect(providers.capacity_providers).toEqual(['FARGATE', 'FARGATE_SPOT']);
    expect(JSON.stringify(providers.dynamic)).toContain('local.stack_strategy');
    expect(String(first(edge().output!.stack_capacity_provider_strategy).value)).toContain(
      '${s.provider}:${s.weight}:${s.base}',
    );
    expect(resource(edge(), 'aws_ecs_service', 'edge').launch_type).toBe('FARGATE');
    const platform = first(resource(edge(), 'aws_ecs_task_definition', 'edge').runtime_platform);
    expect(platform.cpu_architecture).toBe('${var.architecture}');
  });

  it('NAT instance: forwards (source/dest check off), IMDSv2 only, encrypted disk, no IAM role, Amazon-owned AMI', () => {
    const nat = resource(complete(), 'aws_instance', 'nat');
    expect(nat.count).toBe('${local.nat_instance ? 1 : 0}');
    expect(nat.source_dest_check).toBe(false);
    expect(first(nat.metadata_options).http_tokens).toBe('required');
    expect(first(nat.root_block_device).encrypted).toBe(true);
    expect(nat.iam_instance_profile).toBeUndefined();
    expect(nat.instance_type).toBe('${var.nat_instance_type}');
    const ami = first(complete().data!.aws_ami!.nat);
    expect(ami.owners).toEqual(['amazon']);
    const script = readFileSync(join(root, 'infra/examples/complete/nat-instance.sh'), 'utf8');
    expect(script).toContain('net.ipv4.ip_forward = 1');
    expect(script).toMatch(/MASQUERADE/);
    expect(script).toContain('dnf-automatic.timer');
    // The security group forwards only what comes from inside the VPC.
    const group = JSON.stringify(complete().resource!.aws_security_group!.nat);
    expect(group).toMatch(/ingress[^\]]*var\.vpc_cidr/);
    expect(group).not.toMatch(/ingress[^\]]*0\.0\.0\.0\/0/);
  });

  it('exactly one way out: the NAT instance or the NAT gateway, each with its own private route', () => {
    const locals = JSON.stringify(complete().locals);
    expect(locals).toContain('local.create_network && var.nat == \\"instance\\"');
    expect(locals).toContain('local.create_network && var.nat == \\"gateway\\"');
    const routes = complete().resource!.aws_route!;
    expect(first(routes.private_nat_instance).count).toBe('${local.nat_instance ? 1 : 0}');
    expect(first(routes.private_nat_instance).network_interface_id).toContain('aws_instance.nat[0]');
    expect(first(routes.private_nat_gateway).count).toBe('${local.nat_gateway ? 1 : 0}');
    expect(first(routes.private_nat_gateway).nat_gateway_id).toBe('${aws_nat_gateway.this[0].id}');
    expect(JSON.stringify(complete().variable!.nat)).toContain(
      'contains([\\"instance\\", \\"gateway\\"], var.nat)',
    );
  });

  it('image pulls: the S3 gateway endpoint is on the private route table; ECR interface endpoints only when switched on', () => {
    const s3 = resource(complete(), 'aws_vpc_endpoint', 's3');
    expect(s3.vpc_endpoint_type).toBe('Gateway');
    expect(s3.route_table_ids).toBe('${local.private_route_table_ids}');
    const ecr = resource(complete(), 'aws_vpc_endpoint', 'ecr');
    expect(ecr.for_each).toContain('var.ecr_interface_endpoints ? toset(["ecr.api", "ecr.dkr"])');
    expect(ecr.private_dns_enabled).toBe(true);
    expect(ecr.subnet_ids).toBe('${local.private_subnet_ids}');
  });

  it("the PR comment's Fargate rates follow stack_architecture and equal core/prices.ts (on-demand)", () => {
    const rates = local(complete(), 'fargate_on_demand') as Record<string, Obj>;
    for (const architecture of ['X86_64', 'ARM64'] as const) {
      const listed = PRICE_TABLE['us-east-1'].fargate['on-demand'][architecture];
      expect(rates[architecture], architecture).toEqual({
        vcpu_hour: listed.vcpuHour,
        gb_hour: listed.gbHour,
      });
    }
    const cp = first(complete().module!.control_plane);
    expect(cp.fargate_vcpu_hour).toBe('${local.fargate_on_demand[var.stack_architecture].vcpu_hour}');
    expect(cp.fargate_gb_hour).toBe('${local.fargate_on_demand[var.stack_architecture].gb_hour}');
  });

  it('docs/cost.md holds the tables node scripts/cost-model.mjs prints (regenerate them when prices change)', () => {
    const doc = readFileSync(join(root, 'docs/cost.md'), 'utf8');
    const begin = '<!-- BEGIN_COST_MODEL (node scripts/cost-model.mjs; a test fails when stale) -->\n';
    const end = '\n<!-- END_COST_MODEL -->';
    const generated = doc.slice(doc.indexOf(begin) + begin.length, doc.indexOf(end));
    expect(doc).toContain(begin);
    expect(generated).toBe(costReport());
  });
});
