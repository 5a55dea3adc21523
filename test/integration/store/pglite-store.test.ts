/**
 * The ChatStore contract over embedded PGlite (local mode's database): the same baseline,
 * existing rows and migrations, applied in memory through the db executors.
 */
import { PGlite } from '@electric-sql/pglite';
import { applyBaseline, applyMigrations, MIGRATIONS_DIR, pgliteExecutor } from '../../../db/index';
import { sqlStore } from '../../../local/runtime';
import { describeChatStoreContract } from '../../support/store-contract';

describeChatStoreContract('PGlite', async () => {
  const db = await PGlite.create();
  const executor = pgliteExecutor(db);
  await applyBaseline(executor, { existingRows: true });
  await applyMigrations(executor, MIGRATIONS_DIR);
  return {
    store: sqlStore(db),
    query: (sql, params = []) => executor.query(sql, params),
    close: () => db.close(),
  };
});
