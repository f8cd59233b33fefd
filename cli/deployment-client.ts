import type { ControlPlaneClient } from '../core/views.ts';

/**
 * The client for a deployment (--deployment / THAW_DEPLOYMENT), loading the AWS SDK and the store driver
 * only when a command first uses it: `thaw ls` against thaw dev does not pay for them.
 */
export function lazyDeploymentClient(name: string): ControlPlaneClient {
  let client: Promise<ControlPlaneClient> | undefined;
  const get = () => {
    client ??= import('./aws-target.ts').then(({ deploymentClient, findDeployment }) =>
      deploymentClient(findDeployment(name)),
    );
    return client;
  };
  return {
    send: async (events) => (await get()).send(events),
    list: async () => (await get()).list(),
    get: async (id) => (await get()).get(id),
    cost: async (id) => (await get()).cost(id),
    close: async () => {
      if (client) await (await client).close();
    },
  };
}
