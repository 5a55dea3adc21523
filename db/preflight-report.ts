/** The preflight report as the operator reads it (`npm run migrate -- --check`). */
import type { PreflightReport } from './preflight';
import type { DatabaseShape, ShapeColumn, ShapeTable } from './shape';

const pad = (text: string, width: number): string => (text.length >= width ? `${text} ` : text.padEnd(width));

/** The columns the discovered mapping reads, per table, with the role each plays. */
function mappedColumns(shape: DatabaseShape): Map<string, Map<string, string>> {
  const roles = new Map<string, Map<string, string>>();
  const add = (table: string, column: string | undefined, role: string): void => {
    if (!column) return;
    const columns = roles.get(table) ?? new Map<string, string>();
    columns.set(column, columns.has(column) ? `${columns.get(column)}, ${role}` : role);
    roles.set(table, columns);
  };
  const m = shape.mapping;
  add('public.profiles', m.profile_key?.column, 'profile key');
  for (const name of m.name_columns) add('public.profiles', name, 'user name');
  if (m.name_metadata_keys.length > 0) add('auth.users', 'raw_user_meta_data', 'user name (metadata)');
  add('public.user_goals', m.goal_pillar?.goal_column, 'goal → pillar');
  add('public.pillars', m.goal_pillar?.pillar_column, 'what goals reference');
  if (m.pillar_key?.mode === 'column') add('public.pillars', m.pillar_key.column, 'pillar key of ratings');
  if (m.pillar_order !== 'display_name') add('public.pillars', m.pillar_order, 'pillar order');
  if (m.goal_order === 'created_at') add('public.user_goals', 'created_at', 'goal order');
  return roles;
}

function columnLine(name: string, column: ShapeColumn | undefined, status: string): string {
  if (!column) return `    ${pad(name, 22)}${pad('-', 30)}${pad('-', 9)}${pad('-', 24)}${status}`;
  const def = column.default ?? (column.has_default ? '(identity/generated)' : '');
  return `    ${pad(name, 22)}${pad(column.type, 30)}${pad(column.not_null ? 'yes' : 'no', 9)}${pad(def.slice(0, 23), 24)}${status}`;
}

function tableLines(
  table: ShapeTable,
  shape: DatabaseShape,
  rows: number | undefined,
  roles: Map<string, string>,
): string[] {
  if (!table.present) return [`  ${table.table}: MISSING`];
  const lines = [
    `  ${table.table}: present, ${rows ?? 0} row${rows === 1 ? '' : 's'}${table.written ? ', written by the backend' : ''}`,
    `    ${pad('column', 22)}${pad('type', 30)}${pad('not null', 9)}${pad('default', 24)}status`,
  ];
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const shown = new Set<string>();
  for (const e of shape.expected.filter((x) => x.table === table.table)) {
    shown.add(e.column);
    const role = roles.get(e.column);
    const status = !e.present
      ? e.origin === 'prd'
        ? 'MISSING (the PRD names it)'
        : 'absent: the migrations add it'
      : !e.fits
        ? 'WRONG TYPE'
        : `ok (${e.origin === 'prd' ? 'PRD' : 'migrations'}${role ? `; ${role}` : ''})`;
    lines.push(columnLine(e.column, byName.get(e.column), status));
  }
  for (const [name, role] of roles) {
    if (shown.has(name)) continue;
    shown.add(name);
    lines.push(columnLine(name, byName.get(name), `ok (discovered: ${role})`));
  }
  const others = table.columns.filter((c) => !shown.has(c.name));
  if (table.written) {
    // What the backend's inserts leave out: fine with a default or nullable, blocking otherwise.
    const strict = others.filter((c) => c.not_null);
    const loose = others.filter((c) => !c.not_null);
    const described = strict.map(
      (c) => `${c.name} (${c.has_default ? `default ${c.default ?? 'identity/generated'}` : 'NO DEFAULT'})`,
    );
    lines.push(`    other NOT NULL columns: ${described.length === 0 ? 'none' : described.join(', ')}`);
    if (loose.length > 0) lines.push(`    other nullable columns: ${loose.map((c) => c.name).join(', ')}`);
  } else if (others.length > 0) {
    lines.push(`    other columns (not read): ${others.map((c) => c.name).join(', ')}`);
  }
  lines.push(
    table.triggers.length === 0
      ? '    triggers: none'
      : `    triggers: ${table.triggers
          .map(
            (t) =>
              `${t.name} (${t.timing} ${t.events} for each ${t.level}, ${t.function}${t.enabled ? '' : ', disabled'})`,
          )
          .join('; ')}`,
  );
  return lines;
}

/** One line per timestamp column, so `timestamp` and `timestamptz` columns are easy to tell apart. */
function timestampLines(types: Readonly<Record<string, string>>): string[] {
  const entries = Object.entries(types).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return ['  timestamps       none found'];
  return entries.map(
    ([column, type], i) => `  ${i === 0 ? 'timestamps' : ''}`.padEnd(19) + `${column}: ${type}`,
  );
}

function mappingLines(shape: DatabaseShape): string[] {
  const m = shape.mapping;
  const names = [
    ...m.name_columns.map((c) => `public.profiles.${c}`),
    ...(m.name_metadata_keys.length > 0
      ? [`auth.users.raw_user_meta_data ->> ${m.name_metadata_keys.join(' | ')}`]
      : []),
  ];
  const triggers = shape.tables.filter((t) => t.written && t.triggers.length > 0);
  return [
    `  profile key      ${m.profile_key ? `public.profiles.${m.profile_key.column} (${m.profile_key.reason})` : 'NOT FOUND'}`,
    `  user name        ${names.length > 0 ? `first non-empty of ${names.join(', ')}` : 'none: the coach gets no name'}`,
    `  goal → pillar    ${
      m.goal_pillar
        ? `public.user_goals.${m.goal_pillar.goal_column} → public.pillars.${m.goal_pillar.pillar_column} (foreign key ${m.goal_pillar.constraint})`
        : 'NOT FOUND'
    }`,
    `  pillar key       ${
      m.pillar_key
        ? m.pillar_key.mode === 'column'
          ? `public.pillars.${m.pillar_key.column}, held by pillar_ratings.pillar (${m.pillar_key.reason})`
          : 'public.pillars.display_name, ignoring case (pillars has no key column, pillar_ratings.pillar no foreign key)'
        : 'NOT FOUND'
    }`,
    `  pillar order     public.pillars.${m.pillar_order}${m.pillar_order === 'display_name' ? ' (no ordering column)' : ''}`,
    `  goal order       public.user_goals.${m.goal_order}`,
    ...timestampLines(m.timestamps ?? {}),
    `  triggers         ${
      triggers.length === 0
        ? 'none on the tables the backend writes'
        : triggers.map((t) => `${t.table}: ${t.triggers.map((x) => x.name).join(', ')}`).join('; ')
    }`,
    ...shape.notes.map((n) => `  note             ${n}`),
  ];
}

/** The whole report, ending with the verdict. */
export function formatPreflight(report: PreflightReport, target: string): string {
  const { shape } = report;
  const roles = mappedColumns(shape);
  const lines = [
    'MiVia coach backend: migration preflight (read-only transaction; nothing is changed)',
    `database: ${target}`,
    `server:   ${report.server.split(' on ')[0]}`,
    '',
    'Existing tables the backend relies on',
  ];
  for (const table of shape.tables) {
    lines.push(
      ...tableLines(table, shape, report.rowCounts[table.table], roles.get(table.table) ?? new Map()),
    );
  }
  lines.push('', 'Discovered mapping', ...mappingLines(shape), '');
  const history = report.history.present
    ? `supabase_migrations.schema_migrations records ${report.history.applied.length}`
    : 'supabase_migrations.schema_migrations does not exist yet (the first run creates it)';
  lines.push(`Migrations: ${report.pending.length} pending; ${history}`);
  for (const migration of report.pending) {
    lines.push(`  ${migration.fileName}`, ...migration.effects.map((e) => `    - ${e}`));
  }
  if (report.pending.length === 0) lines.push('  none: the database is up to date');
  lines.push('');
  if (report.ok) {
    lines.push(
      report.pending.length === 0
        ? 'Result: OK. Nothing is pending.'
        : `Result: OK. The database can take the ${report.pending.length} pending migration(s): \`npm run migrate\` applies them.`,
    );
  } else {
    lines.push('Problems (nothing was changed)');
    shape.problems.forEach((p, i) => lines.push(`  ${i + 1}. ${p.message}`, `     What to do: ${p.action}`));
    lines.push(
      '',
      `Result: REFUSED (${shape.problems.length} problem${shape.problems.length === 1 ? '' : 's'}). ` +
        'Fix them and run `npm run migrate -- --check` again; `npm run migrate` applies nothing until then.',
    );
  }
  return `${lines.join('\n')}\n`;
}
