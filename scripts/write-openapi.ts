/**
 * `npm run openapi`: writes the OpenAPI document generated from the zod schemas to
 * `openapi/openapi.json` (committed, so the app team can generate a client from it).
 * `npm run openapi -- --check` writes nothing and exits 1 when the committed file is stale.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, serializeOpenApiDocument } from '../lambdas/openapi/document';

const OUTPUT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'openapi', 'openapi.json');

async function readCommitted(): Promise<string | undefined> {
  try {
    return await readFile(OUTPUT, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function main(args: readonly string[]): Promise<number> {
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: npm run openapi [-- --check]   (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  const fresh = serializeOpenApiDocument(buildOpenApiDocument());
  const shown = relative(process.cwd(), OUTPUT) || OUTPUT;

  if (args.includes('--check')) {
    const committed = await readCommitted();
    if (committed === fresh) {
      console.log(`${shown} is up to date.`);
      return 0;
    }
    console.error(
      committed === undefined
        ? `${shown} is missing. Run \`npm run openapi\` and commit it.`
        : `${shown} is stale: the zod schemas or the route table changed. Run \`npm run openapi\` and commit it.`,
    );
    return 1;
  }

  await mkdir(dirname(OUTPUT), { recursive: true });
  await writeFile(OUTPUT, fresh);
  console.log(`Wrote ${shown}.`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
