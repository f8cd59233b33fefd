// A warm Lambda, for tests: `node lambda-runtime.mjs <bundle.mjs>` forked with an IPC channel. It imports
// the bundle once (the cold start: the module's top-level code runs, as in Lambda's init phase), then
// answers each { id, event, timeoutMs } message by calling the bundle's `handler(event, context)` and
// replying { id, result } or { id, error }. Plain JavaScript so any Node binary runs it (the Lambda
// runtime's major, not the one running the tests).
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
let handler;
try {
  ({ handler } = await import(pathToFileURL(bundle).href));
  if (typeof handler !== 'function') throw new TypeError(`${bundle} exports no handler function`);
} catch (error) {
  process.send({ type: 'init-error', error: { name: error.name, message: error.message } }, () =>
    process.exit(1),
  );
}
if (handler) {
  process.send({ type: 'ready', node: process.versions.node });
  process.on('message', async ({ id, event, timeoutMs }) => {
    const deadline = Date.now() + timeoutMs;
    const context = {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: '$LATEST',
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: id,
      invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    try {
      const result = await handler(event, context);
      process.send({ id, result: result ?? null });
    } catch (error) {
      process.send({ id, error: { name: error?.name, message: error?.message, stack: error?.stack } });
    }
  });
}
