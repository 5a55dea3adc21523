/** The ChatStore contract over `pg` on the test PostgreSQL (baseline, existing rows, all migrations). */
import { sqlStore } from '../../../local/runtime';
import { createTestDatabase } from '../../support/database';
import { describeChatStoreContract } from '../../support/store-contract';

describeChatStoreContract('pg', async () => {
  const db = await createTestDatabase();
  return {
    store: sqlStore(db.pool),
    query: async (sql, params = []) => (await db.pool.query(sql, [...params])).rows,
    close: () => db.drop(),
  };
});
