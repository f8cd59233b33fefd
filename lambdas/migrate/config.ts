import { loadLambdaConfig } from '../shared/env.ts';

export const loadConfig = (env: NodeJS.ProcessEnv = process.env) => loadLambdaConfig(['DATABASE_URL'], env);
