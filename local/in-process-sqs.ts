import type { AddressInfo } from 'node:net';
import { createSqsServer } from 'local-aws-sqs';

export interface InProcessSqs {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * An SQS-compatible endpoint inside this process (local-aws-sqs, JSON and Query protocols), so local
 * mode and the default test run need no server. Its ReceiveMessage is patched at install to answer as
 * SQS does, as soon as it has a message, long poll included (scripts/patch-local-sqs.mjs). It does not
 * hold FIFO message groups and may hand out a deduplicated message twice: Thaw's correctness does not
 * depend on either. CI also runs the queue suites on ElasticMQ.
 */
export async function startInProcessSqs({ port = 0, hostname = '127.0.0.1' } = {}): Promise<InProcessSqs> {
  const server = await createSqsServer({
    port,
    hostname,
    emulateQueueCreationLifecycle: false,
    emulateLazyQueues: false,
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    endpoint: `http://${hostname}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
