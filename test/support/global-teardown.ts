import { takeCheckedTotal } from './contract-count';
import type { TestPostgres } from './postgres-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__MIVIA_PG__ as TestPostgres | undefined;
  await server?.stop();
  // The contract validator's figure: how many answers the integration tests checked.
  const checked = takeCheckedTotal();
  if (checked !== null)
    console.log(`contract: ${checked} answers checked against the served OpenAPI document`);
}
