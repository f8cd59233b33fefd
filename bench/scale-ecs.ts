/**
 * ECS's documented request throttling (token buckets per action category, per account and Region),
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html ("Request Token
 * Bucket Sizes and Refill Rates"): burst = bucket capacity, sustained = refill per second.
 */
export const ECS_BUCKETS: Record<string, { burst: number; refill: number; actions: string[] }> = {
  'task definition modify': {
    burst: 20,
    refill: 1,
    actions: ['RegisterTaskDefinition', 'DeregisterTaskDefinition'],
  },
  'task definition read': {
    burst: 50,
    refill: 20,
    actions: ['DescribeTaskDefinition', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies'],
  },
  'cluster resource read': {
    burst: 100,
    refill: 20,
    actions: ['DescribeContainerInstances', 'DescribeTasks', 'ListContainerInstances', 'ListTasks'],
  },
  'service modify': { burst: 50, refill: 5, actions: ['CreateService', 'DeleteService', 'UpdateService'] },
  'service read': { burst: 100, refill: 20, actions: ['DescribeServices', 'ListServices'] },
};

export const bucketOf = (action: string) =>
  Object.entries(ECS_BUCKETS).find(([, b]) => b.actions.includes(action))?.[0] ?? 'other';

/** One account's buckets, refilled once per simulated second. */
export function createBuckets() {
  const tokens = new Map(Object.entries(ECS_BUCKETS).map(([name, b]) => [name, b.burst]));
  return {
    /** Takes a token for `action`; false when its bucket is empty (ECS answers ThrottlingException). */
    take(action: string): boolean {
      const name = bucketOf(action);
      const left = tokens.get(name);
      if (left === undefined) return true;
      if (left < 1) return false;
      tokens.set(name, left - 1);
      return true;
    },
    refill() {
      for (const [name, b] of Object.entries(ECS_BUCKETS))
        tokens.set(name, Math.min(b.burst, (tokens.get(name) ?? 0) + b.refill));
    },
  };
}
