import { ConfigError } from '../core/errors.ts';

/**
 * How an entry point fails on bad configuration: its message alone. Entry points are bundles of one
 * minified line, so an uncaught throw at module top level makes Node print that whole line (tens of KB)
 * above the message, and a Lambda runtime logs the error's stack.
 */

/** A process (the sidecar): runs load(); on a ConfigError prints "<name>: <message>" and exits with code 1. */
export function configOrExit<T>(name: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exit(1);
  }
}

/**
 * A Lambda cold start: runs init() (sync or async); a ConfigError is logged as one JSON line and rethrown
 * with a stack that is its message alone, so the runtime's Runtime.ImportModuleError/init-error log shows
 * the settings at fault and no minified source. Other errors pass through untouched.
 */
export function atColdStart<T>(name: string, init: () => T): T {
  try {
    const result = init();
    if (result instanceof Promise)
      return result.catch((error: unknown) => {
        throw shortened(name, error);
      }) as T;
    return result;
  } catch (error) {
    throw shortened(name, error);
  }
}

function shortened(name: string, error: unknown): unknown {
  if (!(error instanceof ConfigError)) return error;
  process.stderr.write(
    `${JSON.stringify({ level: 'ERROR', service: name, errorType: error.name, message: error.message })}\n`,
  );
  error.stack = `${error.name}: ${error.message}`;
  return error;
}
