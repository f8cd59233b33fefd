import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaEnv } from '../lambdas/shared/config.ts';
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
    const writes = [
      'ecs:RegisterTaskDefinition',
      'ecs:DeregisterTaskDefinition',
      'ecs:CreateService',
      'ecs:UpdateService',
      'ecs:DeleteService',
      'ecs:TagResource',
    ];
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

  it('the catch-all router has priority 1 and sends to the sidecar; Traefik watches only thaw-labelled tasks', () => {
    const labels = (edge().locals as Obj[]).find((l) => 'launcher_labels' in l)!.launcher_labels as Record<
      string,
      string
    >;
    expect(labels['traefik.http.routers.thaw-launcher.priority']).toBe('1');
    expect(labels['traefik.http.routers.thaw-launcher.service']).toBe('thaw-launcher');
    expect(labels['traefik.http.services.thaw-launcher.loadbalancer.server.port']).toBe('8090');
    expect(labels['traefik.http.routers.thaw-launcher.rule']).toBe(
      'HostRegexp(`^.+\\.${local.domain_pattern}$`)',
    );
    expect(labels['thaw.managed']).toBe('true');
    const task = JSON.stringify(edge().resource!.aws_ecs_task_definition!.edge);
    expect(task).toContain('dockerLabels = local.launcher_labels');
    expect(task).toContain('--providers.ecs.constraints=Label(`thaw.managed`,`true`)');
    expect(task).toContain('--accesslog.format=json');
  });

  it('only the ALB reaches Traefik and only Traefik reaches stacks', () => {
    const stacks = JSON.stringify(edge().resource!.aws_security_group!.stacks);
    expect(stacks).toContain('aws_security_group.traefik.id');
    expect(stacks).not.toMatch(/ingress[^\]]*0\.0\.0\.0\/0/);
    const rule = first(edge().resource!.aws_security_group_rule!.alb_to_traefik);
    expect(rule.source_security_group_id).toBe('${aws_security_group.alb.id}');
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
