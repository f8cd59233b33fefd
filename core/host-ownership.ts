import type { StackSpec } from './spec.ts';
import {
  type HistoryEntry,
  type InFlightState,
  isInFlight,
  STATES,
  type Stack,
  type StackState,
} from './stack.ts';
import type { Task } from './tasks.ts';
import { transition } from './transition.ts';

/**
 * Hosts are unique across live stacks (issue 13, item 2): `{stack}-api` of `pr-1` is `pr-1-api`, the
 * same host as `{stack}` of a stack named `pr-1-api`, and Traefik would route one stack's visitors
 * (and cookies) to the other's code. A stack that is about to answer on its hosts (entering LAUNCHING,
 * UPDATING or RESUMING) is checked against every other stack that holds hosts; on a collision it is
 * refused: FAILED with a reason naming the other stack, no tasks, the refusal in history.
 */

/** States in which a stack holds its hosts (its services exist or wake on a request). */
export const HOST_HOLDING_STATES: readonly StackState[] = STATES.filter(
  (state) => state !== 'DESTROYED' && state !== 'FAILED',
);

/** States entering which a stack starts answering on its hosts. */
const STARTING: readonly StackState[] = ['LAUNCHING', 'UPDATING', 'RESUMING'];

/** A host (without the stack domain, which every stack shares) → the service that answers on it. */
export function hostOwners(spec: StackSpec, stackId: string): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [service, { host }] of Object.entries(spec.services)) {
    const name = host.replaceAll('{stack}', stackId).toLowerCase();
    if (!owners.has(name)) owners.set(name, service);
  }
  return owners;
}

export interface HostCollision {
  host: string;
  service: string;
  otherStack: string;
  otherService: string;
}

/** The hosts of `stackId`'s spec that another stack already answers on (path prefixes do not separate them). */
export function hostCollisions(
  stackId: string,
  spec: StackSpec,
  others: readonly Pick<Stack, 'id' | 'spec'>[],
): HostCollision[] {
  const mine = hostOwners(spec, stackId);
  const collisions: HostCollision[] = [];
  for (const other of others) {
    if (other.id === stackId || !other.spec) continue;
    for (const [host, otherService] of hostOwners(other.spec, other.id)) {
      const service = mine.get(host);
      if (service) collisions.push({ host, service, otherStack: other.id, otherService });
    }
  }
  return collisions;
}

/** Why the stack was refused: every colliding host and the live stack that holds it. */
export function collisionReason(collisions: readonly HostCollision[]): string {
  const parts = collisions.map(
    (c) =>
      `host ${c.host} (service ${c.service}) is already served by live stack ${c.otherStack} (service ${c.otherService})`,
  );
  return `refused: ${parts.join('; ')}; hosts must be unique across live stacks: change "host" in thaw.yml or destroy ${collisions[0]!.otherStack}`;
}

/** Whether this write makes the stack start answering on its hosts, so they must be checked first. */
export function needsHostCheck(next: Stack, prev: Stack | undefined): boolean {
  return (
    next.spec !== null && STARTING.includes(next.state) && next.transitionId !== (prev?.transitionId ?? -1)
  );
}

/**
 * The refused version of a write that would have started the stack: it fails the way a failed task
 * does, through the machine's own TASK_FAILED rule (FAILED with `reason`, services scaled to zero, the
 * PR told), so a refused LAUNCH, update or wake behaves like any failure and never deploys. The spec and
 * images of the event are kept (the stack's page and the CLI show what was asked).
 */
export function refuseStart(
  next: Stack,
  history: readonly HistoryEntry[],
  reason: string,
  now: Date,
): { stack: Stack; history: HistoryEntry[]; tasks: Task[] } {
  const requirement = next.requirements.find((r) => !r.satisfied);
  const failed = requirement
    ? transition(
        next,
        {
          v: 1,
          type: 'TASK_FAILED',
          stackId: next.id,
          at: now.toISOString(),
          transitionId: next.transitionId,
          taskId: requirement.taskId,
          reason,
        },
        now,
      )
    : undefined;
  if (requirement && failed && failed.kind !== 'ignored') {
    // The machine prefixes a task's reason with its id; this failure is no task's.
    const detail = (h: HistoryEntry) =>
      h.to === 'FAILED' && h.detail ? { ...h, detail: h.detail.replace(`${requirement.taskId}: `, '') } : h;
    return {
      stack: { ...failed.stack, failureReason: reason },
      history: [...history, ...failed.history.map(detail)],
      tasks: failed.tasks,
    };
  }
  // Nothing in flight to fail (a plan with no requirement): FAILED directly, no task.
  const entering = next.state;
  const stack: Stack = {
    ...next,
    state: 'FAILED',
    failureReason: reason,
    failedIn: isInFlight(entering) ? (entering as InFlightState) : null,
    requirements: [],
  };
  return {
    stack,
    history: [...history, { ...history.at(-1)!, from: entering, to: 'FAILED', detail: reason }],
    tasks: [],
  };
}
