import * as core from '@actions/core';
import { ValidationError } from '../../core/errors.ts';
import { run } from './main.ts';

run().catch((error: unknown) => {
  if (error instanceof ValidationError) core.setFailed(error.message);
  else core.setFailed(error instanceof Error ? error.message : String(error));
});
