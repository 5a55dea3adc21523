import type { TestPostgres } from './postgres-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__MIVIA_PG__ as TestPostgres | undefined;
  await server?.stop();
}
