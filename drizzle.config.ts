import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './adapters/store/schema.ts',
  out: './adapters/store/migrations',
});
