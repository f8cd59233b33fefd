import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { OpenedStore } from '../adapters/store/types.ts';
import { DEFAULT_MIGRATIONS } from '../adapters/store/types.ts';
import {
  findDeadLetterQueue,
  NoDeadLetterQueueError,
  QUEUE_ROLES,
  type QueueTarget,
  queueAttributes,
  redrivePolicy,
} from './dlq-ops.ts';

export interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  /** What to do about it (empty when status is ok). */
  fix: string;
}

/** The lowest maxReceiveCount Thaw accepts (docs/lambdas.md: Lambda's SQS trigger needs at least 5). */
export const MIN_MAX_RECEIVE_COUNT = 5;

const TERRAFORM_FIX = 'apply the control-plane Terraform module again (terraform apply) so it recreates it';

/** Queues exist, their redrive policies point at existing DLQs with maxReceiveCount ≥ 5, DLQs empty. */
export async function checkQueues(target: QueueTarget): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const role of QUEUE_ROLES) {
    const url = target.queues[role];
    const attributes = await queueAttributes(target.sqs, url);
    if (!attributes) {
      findings.push({
        check: `${role} queue`,
        status: 'fail',
        detail: `${url} does not exist`,
        fix: TERRAFORM_FIX,
      });
      continue;
    }
    findings.push({ check: `${role} queue`, status: 'ok', detail: url, fix: '' });
    const policy = redrivePolicy(attributes);
    if (!policy) {
      findings.push({
        check: `${role} redrive policy`,
        status: 'fail',
        detail: `${url} has no redrive policy: a message that always fails is retried forever and blocks its stack`,
        fix: `${TERRAFORM_FIX} (it sets RedrivePolicy to the ${role} DLQ with maxReceiveCount ${MIN_MAX_RECEIVE_COUNT})`,
      });
      continue;
    }
    if (!(policy.maxReceiveCount >= MIN_MAX_RECEIVE_COUNT))
      findings.push({
        check: `${role} redrive policy`,
        status: 'fail',
        detail: `maxReceiveCount is ${policy.maxReceiveCount}, below ${MIN_MAX_RECEIVE_COUNT}: throttled Lambda batches would go to the DLQ`,
        fix: `set maxReceiveCount to at least ${MIN_MAX_RECEIVE_COUNT} (variable max_receive_count) and apply`,
      });
    let dlq: Awaited<ReturnType<typeof findDeadLetterQueue>> | undefined;
    try {
      dlq = await findDeadLetterQueue(target, role);
    } catch (error) {
      if (
        !(error instanceof NoDeadLetterQueueError) &&
        !/NonExistentQueue|QueueDoesNotExist/.test((error as Error).name)
      )
        throw error;
      findings.push({
        check: `${role} DLQ`,
        status: 'fail',
        detail: `the redrive policy names ${policy.deadLetterTargetArn}, which does not exist`,
        fix: TERRAFORM_FIX,
      });
      continue;
    }
    if (policy.maxReceiveCount >= MIN_MAX_RECEIVE_COUNT)
      findings.push({
        check: `${role} redrive policy`,
        status: 'ok',
        detail: `→ ${policy.deadLetterTargetArn} after ${policy.maxReceiveCount} receives`,
        fix: '',
      });
    if (dlq.fifo !== dlq.dlqUrl.endsWith('.fifo'))
      findings.push({
        check: `${role} DLQ`,
        status: 'fail',
        detail: `${dlq.dlqUrl}: the DLQ of a ${dlq.fifo ? 'FIFO' : 'standard'} queue must be ${dlq.fifo ? 'FIFO' : 'standard'} too`,
        fix: TERRAFORM_FIX,
      });
    const waiting = Number((await queueAttributes(target.sqs, dlq.dlqUrl))?.ApproximateNumberOfMessages ?? 0);
    findings.push(
      waiting === 0
        ? { check: `${role} DLQ`, status: 'ok', detail: `${dlq.dlqUrl} is empty`, fix: '' }
        : {
            check: `${role} DLQ`,
            status: 'warn',
            detail: `${waiting} message(s) in ${dlq.dlqUrl}`,
            fix: `look at them with "thaw dlq ls ${role}", then "thaw dlq redrive" or "thaw dlq purge --yes"`,
          },
    );
  }
  return findings;
}

/** The migrations the bundled journal lists (adapters/store/migrations/meta/_journal.json). */
export function bundledMigrations(folder = DEFAULT_MIGRATIONS): { tag: string; when: number }[] {
  const journal = JSON.parse(readFileSync(`${folder}/meta/_journal.json`, 'utf8')) as {
    entries: { tag: string; when: number }[];
  };
  return journal.entries.map(({ tag, when }) => ({ tag, when }));
}

/** The store's drizzle migrations table against the bundled journal. */
export async function checkMigrations(opened: OpenedStore, folder?: string): Promise<Finding> {
  const expected = bundledMigrations(folder);
  const fix =
    'run the migrate function of this release (aws lambda invoke --function-name <name>-migrate out.json)';
  let applied: number[];
  try {
    const rows = (await opened.db.execute(
      sql`select created_at from drizzle.__drizzle_migrations order by created_at`,
    )) as unknown as { created_at: string | number }[];
    applied = [...rows].map((row) => Number(row.created_at));
  } catch (error) {
    return {
      check: 'migrations',
      status: 'fail',
      detail: `no migrations table in the store (${(error as Error).message.split('\n')[0]})`,
      fix,
    };
  }
  const missing = expected.filter((m) => !applied.includes(m.when));
  const newest = Math.max(...expected.map((m) => m.when));
  const ahead = applied.filter((when) => when > newest).length;
  if (missing.length > 0)
    return {
      check: 'migrations',
      status: 'fail',
      detail: `${missing.length} of ${expected.length} not applied: ${missing.map((m) => m.tag).join(', ')}`,
      fix,
    };
  if (ahead > 0)
    return {
      check: 'migrations',
      status: 'warn',
      detail: `the store has ${ahead} migration(s) newer than this CLI knows`,
      fix: 'update the thaw CLI to the release that is deployed',
    };
  return {
    check: 'migrations',
    status: 'ok',
    detail: `all ${expected.length} applied (${expected.at(-1)?.tag})`,
    fix: '',
  };
}

/** The sidecar answers 200 on /healthz. */
export async function checkSidecar(baseUrl: string): Promise<Finding> {
  const url = new URL('/healthz', baseUrl).toString();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (response.ok)
      return { check: 'sidecar', status: 'ok', detail: `${url} answered ${response.status}`, fix: '' };
    return {
      check: 'sidecar',
      status: 'fail',
      detail: `${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
      fix: 'read the sidecar container log (ECS console or CloudWatch log group of the edge service)',
    };
  } catch (error) {
    return {
      check: 'sidecar',
      status: 'fail',
      detail: `${url} unreachable: ${(error as Error).cause ?? (error as Error).message}`,
      fix: 'check the edge service is running and the URL (--sidecar-url or sidecarUrl in deployments.json)',
    };
  }
}

export type LambdaSend = Pick<import('@aws-sdk/client-lambda').LambdaClient, 'send'>;

/**
 * Each queue has an enabled event source mapping (the SQS trigger of its function), found among every
 * mapping of the account by the queue's name. Unreachable or forbidden Lambda API: one "not checked" line.
 */
export async function checkEventSourceMappings(target: QueueTarget, lambda: LambdaSend): Promise<Finding[]> {
  const { ListEventSourceMappingsCommand } = await import('@aws-sdk/client-lambda');
  const mappings: { queueName: string; uuid: string; state: string; functionArn: string }[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListEventSourceMappingsCommand({ Marker: marker, MaxItems: 100 }));
      for (const m of page.EventSourceMappings ?? [])
        if (m.EventSourceArn?.startsWith('arn:aws:sqs:'))
          mappings.push({
            queueName: m.EventSourceArn.split(':').at(-1)!,
            uuid: m.UUID ?? '?',
            state: m.State ?? 'unknown',
            functionArn: m.FunctionArn ?? '?',
          });
      marker = page.NextMarker;
    } while (marker);
  } catch (error) {
    return [
      {
        check: 'event source mappings',
        status: 'skip',
        detail: `not checked: the Lambda API answered ${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`,
        fix: 'allow lambda:ListEventSourceMappings, or run: aws lambda list-event-source-mappings --function-name <name>-events (State must be Enabled); same for -tasks',
      },
    ];
  }
  return QUEUE_ROLES.map((role): Finding => {
    const queueName = target.queues[role].split('/').at(-1)!;
    const check = `${role} event source mapping`;
    const found = mappings.filter((m) => m.queueName === queueName);
    if (found.length === 0)
      return {
        check,
        status: 'fail',
        detail: `no function reads ${queueName}: its messages are never processed`,
        fix: TERRAFORM_FIX.replace('recreates it', 'recreates the SQS trigger'),
      };
    const enabled = found.find(
      (m) => m.state === 'Enabled' || m.state === 'Enabling' || m.state === 'Updating',
    );
    if (enabled)
      return {
        check,
        status: 'ok',
        detail: `${enabled.functionArn.split(':').at(-1)} reads ${queueName}`,
        fix: '',
      };
    return {
      check,
      status: 'fail',
      detail: `the mapping ${found[0]!.uuid} from ${queueName} is ${found[0]!.state}: its messages wait unprocessed`,
      fix: `aws lambda update-event-source-mapping --uuid ${found[0]!.uuid} --enabled`,
    };
  });
}

export const failed = (findings: Finding[]) => findings.some((f) => f.status === 'fail');
