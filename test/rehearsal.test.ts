// The cloud rehearsal of issue 12: the BUILT bundles (dist/lambdas/*) run on the Lambda runtime's Node
// major, each with exactly the environment its Terraform resource sets (read from the HCL), against
// ElasticMQ (SQS), moto (ECS, Secrets Manager) and a PostgreSQL server that refuses connections without
// TLS. A small driver plays the Lambda service: it receives from the queues like the event source
// mappings (batch sizes from the HCL, ReportBatchItemFailures honoured) and invokes each function in a
// warm child process. It imports nothing from the source tree: only the bundles run Thaw's code.
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  DeleteClusterCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HclEvaluator, queueFromHcl } from './helpers/hcl-env.ts';
import { motoEnvironment, motoSchedule } from './helpers/moto.ts';
import { hasOpenssl, postgresBinDir, startTlsPostgres, type TlsPostgres } from './helpers/tls-postgres.ts';

const root = new URL('..', import.meta.url).pathname;
/**
 * The helper's evaluator, plus the forms the control plane uses for a secret created only when its value
 * is given (the GitHub token): `nonsensitive(var.x != "")`, `local.flag ? a : b` and `aws_t.name[0].attr`.
 */
class RehearsalHcl extends HclEvaluator {
  override expression(text: string, where: string): string {
    const expression = text.trim();
    const given = expression.match(/^nonsensitive\(var\.(\w+) != ""\)$/);
    if (given) return String(this.variable(given[1]!) !== '');
    const conditional = expression.match(/^(local\.\w+) \? (\S+) : (\S+)$/);
    if (conditional) {
      const flag = this.expression(conditional[1]!, where);
      if (flag !== 'true' && flag !== 'false')
        throw new Error(`${where}: ${conditional[1]} is not a boolean`);
      return this.expression(flag === 'true' ? conditional[2]! : conditional[3]!, where);
    }
    const indexed = expression.match(/^aws_\w+\.\w+\[0\]\.\w+$/);
    if (indexed) {
      const value = this.inputs.resources[expression];
      if (value === undefined)
        throw new Error(`${where}: the rehearsal has no local value for ${expression}`);
      return value;
    }
    return super.expression(text, where);
  }
}

const node22 = process.env.THAW_NODE22_BIN;
const elasticmqUrl = process.env.THAW_TEST_ELASTICMQ_URL;
const motoUrl = process.env.THAW_TEST_MOTO_URL;
const pgBin = postgresBinDir();
const missing = [
  !node22 && 'THAW_NODE22_BIN (bash .ci/fetch-node.sh)',
  !elasticmqUrl && 'THAW_TEST_ELASTICMQ_URL (ElasticMQ)',
  !motoUrl && 'THAW_TEST_MOTO_URL (moto server)',
  !pgBin && 'PostgreSQL server binaries (/usr/lib/postgresql/*/bin)',
  !hasOpenssl() && 'openssl',
].filter((reason): reason is string => Boolean(reason));
const required = process.env.THAW_REQUIRE_REHEARSAL === '1';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const FUNCTIONS = ['migrate', 'events', 'tasks', 'freezer'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

interface Invocation {
  fn: FunctionName;
  result?: unknown;
  error?: { name: string; message: string; stack?: string };
}

/** A function instance kept warm: the bundle imported once in a Node child process, invoked over IPC. */
class WarmFunction {
  private next = 0;
  private readonly pending = new Map<string, (reply: Invocation) => void>();
  readonly output: string[] = [];
  node = '';

  private constructor(
    readonly name: FunctionName,
    readonly child: ChildProcess,
    readonly timeoutMs: number,
  ) {}

  static start(name: FunctionName, bundle: string, env: Record<string, string>, timeoutMs: number) {
    const child = fork(join(root, 'test', 'helpers', 'lambda-runtime.mjs'), [bundle], {
      execPath: node22!,
      execArgv: [],
      cwd: dirname(bundle),
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const fn = new WarmFunction(name, child, timeoutMs);
    const keep = (chunk: Buffer) => fn.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return new Promise<WarmFunction>((resolve, reject) => {
      child.on('message', (message: { type?: string; id?: string; node?: string } & Invocation) => {
        if (message.type === 'ready') {
          fn.node = message.node!;
          resolve(fn);
        } else if (message.type === 'init-error')
          reject(
            new Error(`${name} failed its cold start: ${message.error?.name}: ${message.error?.message}`),
          );
        else if (message.id) fn.pending.get(message.id)?.({ ...message, fn: name });
      });
      child.on('exit', (code) => {
        reject(
          new Error(`${name} exited (${code}) before it was ready:\n${fn.output.slice(-20).join('\n')}`),
        );
        for (const settle of fn.pending.values())
          settle({ fn: name, error: { name: 'Exited', message: `the ${name} process exited (${code})` } });
      });
    });
  }

  invoke(event: unknown): Promise<Invocation> {
    const id = `${this.name}-${++this.next}`;
    return new Promise((resolve) => {
      this.pending.set(id, (reply) => {
        this.pending.delete(id);
        resolve(reply);
      });
      this.child.send({ id, event, timeoutMs: this.timeoutMs });
    });
  }

  stop() {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** An SQS message as the Lambda event source mapping hands it to the function. */
function sqsRecord(message: Message, queueArn: string) {
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: message.Attributes ?? {},
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [
        key,
        {
          stringValue: value.StringValue,
          dataType: value.DataType,
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}

if (missing.length > 0 && !required)
  console.warn(
    `cloud rehearsal skipped: missing ${missing.join(', ')} (THAW_REQUIRE_REHEARSAL=1 makes this a failure)`,
  );
if (missing.length > 0 && required) {
  describe('cloud rehearsal', () => {
    it('has everything it needs (THAW_REQUIRE_REHEARSAL=1)', () => {
      throw new Error(`THAW_REQUIRE_REHEARSAL=1 but the rehearsal is missing: ${missing.join(', ')}`);
    });
  });
}

describe.skipIf(missing.length > 0)(
  `cloud rehearsal: built bundles on Node 22 with Terraform's environment${missing.length ? ` (skipped, missing: ${missing.join(', ')})` : ''}`,
  () => {
    const prefix = `rh-${randomBytes(3).toString('hex')}`;
    const stackId = `${prefix}-pr-1`;
    const outdir = mkdtempSync(join(tmpdir(), 'thaw-rehearsal-'));
    const sqs = new SQSClient({ endpoint: elasticmqUrl, region: REGION, credentials });
    const secrets = new SecretsManagerClient({ endpoint: motoUrl, region: REGION, credentials });
    let ecs: ECSClient;
    let database: TlsPostgres | undefined;
    let sql: postgres.Sql;
    let hcl: HclEvaluator;
    const queues: Record<string, { url: string; arn: string }> = {};
    const functions = {} as Record<FunctionName, WarmFunction>;
    const environments = {} as Record<FunctionName, Record<string, string>>;
    let secretArn = '';
    let stackSecretArn = '';
    let stopped = false;
    const loops: Promise<void>[] = [];
    /** Every invocation the driver made, and what went wrong (handler errors, batch item failures). */
    const invocations: Invocation[] = [];
    const problems: string[] = [];

    const resources: Record<string, string> = {};
    const variables = {
      name: prefix,
      ecs_cluster_arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${prefix}`,
      stack_subnet_ids: [] as string[],
      stack_security_group_ids: [] as string[],
      stack_execution_role_arn: `arn:aws:iam::${ACCOUNT}:role/${prefix}-stack-execution`,
      stack_task_role_arn: `arn:aws:iam::${ACCOUNT}:role/${prefix}-stack-task`,
      stack_domain: 'qa.rehearsal.test',
    };

    /** Why the rehearsal is stuck: the stack's history, the driver's problems, the functions' last log lines. */
    async function diagnosis() {
      const history =
        await sql`select event, from_state, to_state, detail from history where stack_id = ${stackId} order by id`.catch(
          (error: Error) => [{ error: error.message }],
        );
      const logs = FUNCTIONS.map((name) => `--- ${name}\n${functions[name]?.output.slice(-15).join('\n')}`);
      return `history: ${JSON.stringify(history)}\nproblems: ${JSON.stringify(problems)}\n${logs.join('\n')}`;
    }

    async function waitForState(state: string, timeoutMs = 25_000) {
      const deadline = Date.now() + timeoutMs;
      let seen: string | undefined;
      while (Date.now() < deadline) {
        const [row] = await sql`select state from stacks where id = ${stackId}`;
        seen = row?.state;
        if (seen === state) return;
        if (seen === 'FAILED') break;
        await sleep(200);
      }
      throw new Error(`stack ${stackId} is ${seen ?? 'missing'}, expected ${state}\n${await diagnosis()}`);
    }

    async function sendEvent(type: string, extra: Record<string, unknown> = {}) {
      const body = JSON.stringify({ v: 1, type, stackId, at: new Date().toISOString(), ...extra });
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queues.events!.url,
          MessageBody: body,
          MessageGroupId: stackId,
          MessageDeduplicationId: createHash('sha256').update(body).digest('hex'),
        }),
      );
    }

    /** The stack's ECS services in moto, by Thaw's service name (the `thaw:service` tag or the name). */
    async function services(): Promise<Service[]> {
      const { serviceArns = [] } = await ecs.send(
        new ListServicesCommand({ cluster: prefix, maxResults: 100 }),
      );
      if (serviceArns.length === 0) return [];
      const { services = [] } = await ecs.send(
        new DescribeServicesCommand({ cluster: prefix, services: serviceArns, include: ['TAGS'] }),
      );
      return services.filter((s) => s.status === 'ACTIVE');
    }

    const stackDatabases = async () =>
      (
        await sql`select datname from pg_database where datname not in ('postgres', 'thaw') and not datistemplate`
      ).map((row) => row.datname as string);

    /** The event source mapping: receive a batch, invoke, delete what succeeded; failed ids stay on the queue. */
    async function pollQueue(queue: 'events' | 'tasks', fn: FunctionName, batchSize: number) {
      while (!stopped) {
        const { Messages = [] } = await sqs
          .send(
            new ReceiveMessageCommand({
              QueueUrl: queues[queue]!.url,
              MaxNumberOfMessages: batchSize,
              WaitTimeSeconds: 1,
              MessageSystemAttributeNames: ['All'],
              MessageAttributeNames: ['All'],
            }),
          )
          .catch((error: Error) => {
            if (!stopped) problems.push(`receive ${queue}: ${error.message}`);
            return { Messages: [] };
          });
        if (Messages.length === 0 || stopped) continue;
        const reply = await functions[fn].invoke({
          Records: Messages.map((m) => sqsRecord(m, queues[queue]!.arn)),
        });
        invocations.push(reply);
        if (reply.error) {
          // A thrown handler fails the whole batch: nothing is deleted, SQS redelivers it.
          problems.push(`${fn} threw ${reply.error.name}: ${reply.error.message}`);
          continue;
        }
        const failures = new Set(
          (
            (reply.result as { batchItemFailures?: { itemIdentifier: string }[] } | null)
              ?.batchItemFailures ?? []
          ).map((f) => f.itemIdentifier),
        );
        for (const id of failures) problems.push(`${fn} reported ${id} as a batch item failure`);
        const done = Messages.filter((m) => !failures.has(m.MessageId!));
        if (done.length > 0)
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queues[queue]!.url,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
      }
    }

    beforeAll(async () => {
      const build = run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--outdir', outdir]);
      database = await startTlsPostgres(pgBin!);
      sql = postgres(database.url, { max: 2, onnotice: () => {} });
      await build;

      // Secrets Manager (moto): the database URL, exactly as aws_secretsmanager_secret_version stores it.
      const secret = await secrets.send(
        new CreateSecretCommand({ Name: `${prefix}/database-url`, SecretString: database.url }),
      );
      secretArn = secret.ARN!;
      resources['aws_secretsmanager_secret.database_url.arn'] = secretArn;

      // ECS (moto): the cluster and the network a stack service needs.
      const network = await motoEnvironment(motoUrl!, prefix);
      ecs = network.ecs;
      variables.stack_subnet_ids = network.subnets;
      variables.stack_security_group_ids = network.securityGroups;

      const inputs = { variables, resources };
      hcl = new RehearsalHcl(
        (await HclEvaluator.load(join(root, 'infra', 'modules', 'control-plane'), inputs)).module,
        inputs,
      );

      // SQS (ElasticMQ): the four queues with the attributes of their aws_sqs_queue blocks, DLQs first.
      for (const name of ['events_dlq', 'tasks_dlq', 'events', 'tasks']) {
        const { QueueName, Attributes } = queueFromHcl(hcl, name);
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName, Attributes }));
        const { Attributes: created } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
        );
        queues[name] = { url: QueueUrl!, arn: created!.QueueArn! };
        resources[`aws_sqs_queue.${name}.url`] = QueueUrl!;
        resources[`aws_sqs_queue.${name}.arn`] = created!.QueueArn!;
      }

      const runtime = hcl.value(hcl.resource('aws_lambda_function', 'this').runtime, 'runtime');
      const memory = hcl.value(hcl.resource('aws_lambda_function', 'this').memory_size, 'memory_size');
      for (const name of FUNCTIONS) {
        environments[name] = hcl.functionEnvironment(name);
        const timeout = (hcl.local('functions') as string).match(
          new RegExp(`\\b${name}\\s*=\\s*\\{ timeout = ([^,]+),`),
        )?.[1];
        const timeoutSeconds = Number(hcl.expression(timeout ?? '"30"', `local.functions.${name}.timeout`));
        // What the Lambda service sets around the function's own variables; the credentials are the
        // dummy ones the local endpoints accept, and the SDK's per-service endpoint variables point it
        // at ElasticMQ and moto instead of AWS.
        const lambdaEnv: Record<string, string> = {
          PATH: '/usr/local/bin:/usr/bin/:/bin',
          LANG: 'en_US.UTF-8',
          TZ: ':UTC',
          AWS_REGION: REGION,
          AWS_DEFAULT_REGION: REGION,
          AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
          AWS_LAMBDA_FUNCTION_NAME: `${prefix}-${name}`,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory,
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          LAMBDA_TASK_ROOT: join(outdir, 'lambdas', name),
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_SESSION_TOKEN: 'testing',
          AWS_ENDPOINT_URL_SQS: elasticmqUrl!,
          AWS_ENDPOINT_URL_ECS: motoUrl!,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: motoUrl!,
          // moto runs no tasks, so no app could answer the tasks function's readiness GET: readiness
          // here is ECS's alone. The HTTP check is proven against the fake ECS and a local server
          // (adapters/ecs-readiness.test.ts).
          ...(name === 'tasks' ? { READY_CHECK: 'ecs' } : {}),
        };
        const overlap = Object.keys(environments[name]).filter((key) => key in lambdaEnv);
        if (overlap.length > 0) throw new Error(`${name}: Terraform sets reserved variables ${overlap}`);
        functions[name] = await WarmFunction.start(
          name,
          join(outdir, 'lambdas', name, 'index.mjs'),
          { ...lambdaEnv, ...environments[name] },
          timeoutSeconds * 1000,
        );
      }
    }, 90_000);

    afterAll(async () => {
      stopped = true;
      await Promise.allSettled(loops);
      for (const fn of Object.values(functions)) fn.stop();
      await sql?.end({ timeout: 1 }).catch(() => {});
      for (const queue of Object.values(queues))
        await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.url })).catch(() => {});
      if (secretArn)
        await secrets
          .send(new DeleteSecretCommand({ SecretId: secretArn, ForceDeleteWithoutRecovery: true }))
          .catch(() => {});
      await ecs?.send(new DeleteClusterCommand({ cluster: prefix })).catch(() => {});
      database?.stop();
      sqs.destroy();
      secrets.destroy();
      ecs?.destroy();
      rmSync(outdir, { recursive: true, force: true });
    }, 30_000);

    it('runs on the Node major of lambda_runtime, with the HCL environment and no database URL in it', () => {
      const runtime = hcl.value(hcl.resource('aws_lambda_function', 'this').runtime, 'runtime');
      expect(runtime).toMatch(/^nodejs\d+\.x$/);
      for (const name of FUNCTIONS) expect(`nodejs${functions[name].node.split('.')[0]}.x`).toBe(runtime);
      expect(environments.migrate).toEqual({ DATABASE_SECRET_ARN: secretArn });
      expect(environments.tasks).toMatchObject({
        DATABASE_SECRET_ARN: secretArn,
        EVENTS_QUEUE_URL: queues.events!.url,
        TASKS_QUEUE_URL: queues.tasks!.url,
        ECS_CLUSTER: variables.ecs_cluster_arn,
        STACK_SUBNETS: variables.stack_subnet_ids.join(','),
      });
      // github_token and registry_credentials_secret_arn default to "": Terraform leaves them out.
      expect(environments.tasks).not.toHaveProperty('GITHUB_TOKEN');
      expect(environments.tasks).not.toHaveProperty('GITHUB_TOKEN_SECRET_ARN');
      // With a token, the tasks function gets the ARN of the secret Terraform creates, never the token.
      const withToken = new RehearsalHcl(hcl.module, {
        variables: { ...variables, github_token: 'ghp_rehearsal' },
        resources: { ...resources, 'aws_secretsmanager_secret.github_token[0].arn': 'arn:github-token' },
      }).functionEnvironment('tasks');
      expect(withToken.GITHUB_TOKEN_SECRET_ARN).toBe('arn:github-token');
      for (const name of FUNCTIONS)
        expect(JSON.stringify({ ...environments[name], ...withToken })).not.toContain('ghp_rehearsal');
      for (const name of FUNCTIONS) {
        expect(environments[name]).not.toHaveProperty('DATABASE_URL');
        expect(JSON.stringify(environments[name])).not.toContain(database!.url);
      }
    });

    it('the database refuses a connection without TLS; migrate (secret → URL with sslmode=require) applies the schema', async () => {
      const plain = postgres(database!.plainUrl, { max: 1, onnotice: () => {} });
      await expect(plain`select 1`).rejects.toThrow(/no pg_hba\.conf entry .* no encryption/);
      await plain.end();

      // aws_lambda_invocation.migrate: input jsonencode({}).
      const reply = await functions.migrate.invoke({});
      expect(reply.error, await diagnosis()).toBeUndefined();
      expect(reply.result).toEqual({ migrated: true });
      const [stacks] = await sql`select count(*)::int as count from stacks`;
      expect(stacks?.count).toBe(0);
      // Every session on the thaw database (the test's own and the functions' pools) is encrypted.
      const [sessions] =
        await sql`select bool_and(ssl) as ssl from pg_stat_ssl join pg_stat_activity using (pid) where datname = 'thaw'`;
      expect(sessions?.ssl).toBe(true);

      // The event source mappings start after the migration (depends_on in functions.tf).
      const batch = (name: string) =>
        Number(
          hcl.value(hcl.resource('aws_lambda_event_source_mapping', name).batch_size, `${name}.batch_size`),
        );
      loops.push(pollQueue('events', 'events', batch('events')), pollQueue('tasks', 'tasks', batch('tasks')));
      // moto runs no tasks: this plays ECS's scheduler, bringing runningCount to desiredCount.
      loops.push(
        (async () => {
          while (!stopped) {
            await motoSchedule(ecs, prefix).catch((error: Error) =>
              problems.push(`schedule: ${error.message}`),
            );
            await sleep(150);
          }
        })(),
      );
    });

    it('LAUNCH → RUNNING: two ECS services at desiredCount 1 and a stack database on the TLS server', async () => {
      await sendEvent('LAUNCH', {
        images: { web: 'public.ecr.aws/nginx/nginx:1.27', api: 'public.ecr.aws/docker/library/node:22' },
        spec: {
          idleTimeout: '2s',
          services: {
            web: { image: 'public.ecr.aws/nginx/nginx', port: 80, host: '{stack}', health: '/' },
            api: {
              image: 'public.ecr.aws/docker/library/node',
              port: 4000,
              host: 'api-{stack}',
              health: '/healthz',
              database: true,
            },
          },
        },
      });
      await waitForState('RUNNING');
      const running = await services();
      expect(running.map((s) => [s.desiredCount, s.runningCount])).toEqual([
        [1, 1],
        [1, 1],
      ]);
      expect(running.every((s) => s.launchType === 'FARGATE')).toBe(true);
      const [db] = await stackDatabases();
      expect(db).toBeDefined();
      // The api's task definition hands the stack its database with TLS required, as RDS demands.
      const definitions = await Promise.all(
        running.map((s) => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition }))),
      );
      // Not in the environment: an ECS secret whose valueFrom is the stack's Secrets Manager secret.
      const containers = definitions.flatMap((d) => d.taskDefinition?.containerDefinitions ?? []);
      expect(containers.flatMap((c) => c.environment ?? []).map((e) => e.name)).not.toContain('DATABASE_URL');
      const references = containers.flatMap((c) =>
        (c.secrets ?? []).filter((e) => e.name === 'DATABASE_URL'),
      );
      expect(references).toHaveLength(1);
      stackSecretArn = references[0]!.valueFrom!;
      const stored = await secrets.send(new GetSecretValueCommand({ SecretId: stackSecretArn }));
      expect(stored.Name).toBe(`${prefix}/stacks/${stackId}/database-url`);
      const urls = [stored.SecretString!];
      expect(new URL(urls[0]!).pathname).toBe(`/${db}`);
      expect(new URL(urls[0]!).searchParams.get('sslmode')).toBe('require');
      expect(definitions.map((d) => d.taskDefinition?.executionRoleArn)).toEqual([
        variables.stack_execution_role_arn,
        variables.stack_execution_role_arn,
      ]);
    });

    it('FREEZE: the freezer finds the idle stack → FROZEN, services kept at desiredCount 0', async () => {
      // Wait (in PostgreSQL's clock) until the stack is idle past its 2 s idle timeout, then run the
      // freezer as the schedule would.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const [row] = await sql`select idle_at < now() as idle from stacks where id = ${stackId}`;
        if (row?.idle) break;
        await sleep(200);
      }
      const reply = await functions.freezer.invoke({});
      expect(reply.error, await diagnosis()).toBeUndefined();
      expect(reply.result).toMatchObject({ freezes: 1 });
      await waitForState('FROZEN');
      const frozen = await services();
      expect(frozen.map((s) => [s.desiredCount, s.runningCount])).toEqual([
        [0, 0],
        [0, 0],
      ]);
      expect(await stackDatabases()).toHaveLength(1);
    });

    it('RESUME → RUNNING: the same services back at desiredCount 1', async () => {
      const before = (await services()).map((s) => s.serviceArn).sort();
      await sendEvent('RESUME');
      await waitForState('RUNNING');
      const resumed = await services();
      expect(resumed.map((s) => s.serviceArn).sort()).toEqual(before);
      expect(resumed.map((s) => [s.desiredCount, s.runningCount])).toEqual([
        [1, 1],
        [1, 1],
      ]);
    });

    it('DESTROY → DESTROYED: services deleted, task definitions deregistered, the stack database dropped', async () => {
      const families = (await services()).map((s) => s.serviceName!);
      await sendEvent('DESTROY');
      await waitForState('DESTROYED');
      expect(await services()).toEqual([]);
      for (const family of families) {
        const { taskDefinitionArns = [] } = await ecs.send(
          new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE' }),
        );
        expect(taskDefinitionArns.filter((arn) => arn.split('/').at(-1)?.startsWith(`${family}:`))).toEqual(
          [],
        );
      }
      expect(await stackDatabases()).toEqual([]);
      // The stack's DATABASE_URL secret went with its database.
      const gone = await secrets.send(new DescribeSecretCommand({ SecretId: stackSecretArn })).then(
        (d) => Boolean(d.DeletedDate),
        (error: Error) => error.name === 'ResourceNotFoundException',
      );
      expect(gone).toBe(true);
      // Nothing went wrong on the way: no handler threw, no record was reported failed, no DLQ holds anything.
      expect(problems).toEqual([]);
      for (const dlq of ['events_dlq', 'tasks_dlq']) {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: queues[dlq]!.url, AttributeNames: ['All'] }),
        );
        expect(Number(Attributes!.ApproximateNumberOfMessages)).toBe(0);
      }
      expect(invocations.filter((i) => i.fn === 'tasks').length).toBeGreaterThan(0);
    });

    it('a record the events function rejects is reported (ReportBatchItemFailures) and stays on the queue', async () => {
      const before = problems.length;
      const body = JSON.stringify({ v: 1, type: 'LAUNCH', stackId: `${prefix}-bad`, at: 'yesterday' });
      const { MessageId } = await sqs.send(
        new SendMessageCommand({
          QueueUrl: queues.events!.url,
          MessageBody: body,
          MessageGroupId: `${prefix}-bad`,
          MessageDeduplicationId: createHash('sha256').update(body).digest('hex'),
        }),
      );
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && problems.length === before) await sleep(100);
      expect(problems.slice(before)).toEqual([`events reported ${MessageId} as a batch item failure`]);
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queues.events!.url, AttributeNames: ['All'] }),
      );
      // Not deleted: in flight until the visibility timeout, then redelivered (and after
      // maxReceiveCount, moved to the DLQ by SQS).
      expect(Number(Attributes!.ApproximateNumberOfMessagesNotVisible)).toBe(1);
    });
  },
);
