import { type Clock, type Log, type Store, silentLog, systemClock } from './ports.ts';
import type { Stack } from './stack.ts';

/** What the janitor can find: each a resource that Thaw names or tags as one stack's. */
export const OWNED_KINDS = [
  'ecs-service',
  'task-definition',
  'process',
  'database',
  'database-role',
] as const;
export type OwnedKind = (typeof OWNED_KINDS)[number];

/** One resource that belongs to a stack by its name or tags. */
export interface OwnedResource {
  kind: OwnedKind;
  /** The resource's own name (ECS service, task definition family, database, role). */
  name: string;
  stackId: string;
  /** Where it is, for people: "cluster thaw-qa, 2 ACTIVE revisions", "owner thaw_stack_pr_1". */
  detail: string;
  /**
   * When it was made or last changed (an ECS service's newest deployment), where the platform says;
   * PostgreSQL keeps no such time, nor does moto for task definitions.
   */
  changedAt?: Date | undefined;
}

/**
 * Resources that belong to stacks, listed and removed by the adapter that made them: ECS services and
 * task definitions, PostgreSQL databases and roles, local processes.
 */
export interface OwnedResources {
  /** Everything Thaw made here; `skip` names stacks not worth describing further (they are live). */
  listOwned(options?: { skip?: (stackId: string) => boolean }): Promise<OwnedResource[]>;
  /** Removes one resource; removing one that is already gone succeeds. */
  removeOwned(resource: OwnedResource): Promise<void>;
}

export interface CleanupItem {
  resource: OwnedResource;
  reason: string;
}

export interface CleanupPlan {
  /** Resources of no live stack, in the order to remove them (services before their task definitions, databases before their roles). */
  remove: CleanupItem[];
  /** Orphans left alone this time: changed within the grace period. */
  spared: CleanupItem[];
}

/** One hour: a launch in progress (its stack saved a moment after this listing) is never swept. */
export const JANITOR_GRACE_MS = 3_600_000;

function ago(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h`;
}

/**
 * The stacks whose resources must stay: every stack not DESTROYED, and one DESTROYED within the grace
 * period too (a stack id can be launched again; the new launch's resources must not be swept).
 */
export function liveStackIds(
  stacks: readonly Pick<Stack, 'id' | 'state' | 'enteredAt'>[],
  now: Date,
  graceMs = JANITOR_GRACE_MS,
): Set<string> {
  return new Set(
    stacks
      .filter((s) => s.state !== 'DESTROYED' || now.getTime() - s.enteredAt.getTime() < graceMs)
      .map((s) => s.id),
  );
}

/**
 * What the janitor removes: resources whose stack is not live (absent from the store, or DESTROYED),
 * except those younger than the grace period. Pure: `stacks` are every stack the store knows, listed
 * after the resources, so a resource seen was made by a stack the list already holds.
 */
export function planCleanup(
  owned: readonly OwnedResource[],
  stacks: readonly Pick<Stack, 'id' | 'state' | 'enteredAt'>[],
  now: Date,
  graceMs = JANITOR_GRACE_MS,
): CleanupPlan {
  const live = liveStackIds(stacks, now, graceMs);
  const known = new Map(stacks.map((s) => [s.id, s]));
  const plan: CleanupPlan = { remove: [], spared: [] };
  for (const resource of owned) {
    if (live.has(resource.stackId)) continue;
    const stack = known.get(resource.stackId);
    const whose = stack
      ? `stack ${resource.stackId} was destroyed ${ago(now.getTime() - stack.enteredAt.getTime())} ago`
      : `stack ${resource.stackId} does not exist`;
    const age = resource.changedAt ? now.getTime() - resource.changedAt.getTime() : undefined;
    if (age !== undefined && age < graceMs)
      plan.spared.push({
        resource,
        reason: `${whose}, but it changed ${ago(age)} ago (grace period ${ago(graceMs)})`,
      });
    else plan.remove.push({ resource, reason: whose });
  }
  const rank = (item: CleanupItem) => OWNED_KINDS.indexOf(item.resource.kind);
  plan.remove.sort((a, b) => rank(a) - rank(b) || a.resource.name.localeCompare(b.resource.name));
  return plan;
}

export interface JanitorReport {
  dryRun: boolean;
  /** Removed (or, in a dry run, to be removed), with why. */
  removed: CleanupItem[];
  spared: CleanupItem[];
  /** Removals that failed (retried on the next run). */
  failed: (CleanupItem & { error: string })[];
  /** Orphans beyond `limit`, left for the next run. */
  deferred: number;
  /** Why nothing was removed although orphans were found (see `requireKnownStacks`). */
  refused?: string;
}

export interface JanitorOptions {
  sources: readonly OwnedResources[];
  store: Pick<Store, 'list'>;
  clock?: Clock;
  log?: Log;
  graceMs?: number;
  /** Most removals per run (a Lambda has a timeout); the rest go on the next run. */
  limit?: number;
  /**
   * Remove nothing while the store knows no stack at all (AWS: it keeps DESTROYED stacks, so an empty
   * store means the wrong or a restored-empty database, and every stack's resources would look orphaned).
   */
  requireKnownStacks?: boolean;
}

/**
 * Finds every resource of no live stack and removes it (or, with `dryRun`, only says so). The stacks
 * are read once before listing, so live stacks are not described, and again after it, so a stack
 * created meanwhile is seen. A failed removal is reported and the rest go on.
 */
export async function runJanitor(
  {
    sources,
    store,
    clock = systemClock,
    log = silentLog,
    graceMs = JANITOR_GRACE_MS,
    limit = 100,
    requireKnownStacks = false,
  }: JanitorOptions,
  { dryRun = false }: { dryRun?: boolean } = {},
): Promise<JanitorReport> {
  const before = liveStackIds(await store.list(), clock(), graceMs);
  const sourceOf = new Map<OwnedResource, OwnedResources>();
  for (const source of sources)
    for (const resource of await source.listOwned({ skip: (id) => before.has(id) }))
      sourceOf.set(resource, source);
  const owned = [...sourceOf.keys()];
  const stacks = await store.list();
  const plan = planCleanup(owned, stacks, clock(), graceMs);
  if (requireKnownStacks && stacks.length === 0 && plan.remove.length > 0) {
    const refused = `the store knows no stack at all, yet ${plan.remove.length} resources are Thaw's: is DATABASE_URL the control plane's? Removing nothing`;
    log.error('janitor refused to run', { refused });
    return { dryRun, removed: [], spared: plan.spared, failed: [], deferred: plan.remove.length, refused };
  }
  const chosen = plan.remove.slice(0, limit);
  const report: JanitorReport = {
    dryRun,
    removed: [],
    spared: plan.spared,
    failed: [],
    deferred: plan.remove.length - chosen.length,
  };
  for (const item of chosen) {
    if (dryRun) {
      report.removed.push(item);
      continue;
    }
    try {
      await sourceOf.get(item.resource)!.removeOwned(item.resource);
      report.removed.push(item);
      log.info('janitor removed a resource of no live stack', {
        stackId: item.resource.stackId,
        kind: item.resource.kind,
        name: item.resource.name,
        reason: item.reason,
      });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      report.failed.push({ ...item, error: message });
      log.warn('janitor could not remove a resource', {
        stackId: item.resource.stackId,
        kind: item.resource.kind,
        name: item.resource.name,
        error: message,
      });
    }
  }
  return report;
}
