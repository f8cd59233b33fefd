import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './core/store/schema.ts',
  out: './core/store/migrations',
});
