-- What the app's existing tables look like in this database, read from the catalog only:
-- the PRD names few of their columns (journal_ai_chats and user_assistant_threads as printed;
-- pillar_ratings user_id, pillar, rating, created_at; user_goals id, user_id, title, focus,
-- is_active and a foreign key to pillars; pillars.display_name; profiles keyed by the user),
-- so everything else is discovered, never assumed. Returns
--   tables    every column (type, NOT NULL, default) and trigger of the seven tables;
--   expected  each column the backend relies on, present or not, and whether its type fits;
--   mapping   the profile key, the name source, the goal→pillar key, the pillar key the
--             ratings hold, the orderings and the timestamp types;
--   indexes   the indexes the coach's lookups need on discovered columns;
--   problems  what stops the backend (table, column, message, action): nothing may be
--             changed while there is one;
--   notes     what was inferred and is worth knowing.
-- It is one plain query, so the preflight (`npm run migrate -- --check`, db/preflight.ts) runs
-- this same text read-only before the function exists, and coach_internal.refresh_adapter()
-- builds the adapter views from it.
create or replace function coach_internal.discover_shape() returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $discover$
with
known_table (ord, schema_name, table_name, written, purpose) as (
  values
    (1, 'public', 'journal_ai_chats', true, 'the chat messages the backend stores'),
    (2, 'public', 'user_assistant_threads', true, 'one coach thread per user and assistant type'),
    (3, 'public', 'pillar_ratings', false, 'the ratings the coach sees'),
    (4, 'public', 'user_goals', false, 'the goals the coach sees'),
    (5, 'public', 'pillars', false, 'the pillars ratings and goals belong to'),
    (6, 'public', 'profiles', false, 'the user''s profile'),
    (7, 'auth', 'users', false, 'Supabase''s users')
),
rel as (
  select k.*, c.oid as relid, pg_catalog.format('%I.%I', k.schema_name, k.table_name) as qualified
  from known_table k
  left join pg_catalog.pg_namespace n on n.nspname = k.schema_name
  left join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = k.table_name and c.relkind in ('r', 'p')
),
col as (
  select r.table_name, a.attnum, a.attname::text as name, a.atttypid as typid, t.typcategory as category,
         pg_catalog.format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
         pg_catalog.pg_get_expr(d.adbin, d.adrelid) as default_expr,
         (d.adbin is not null or a.attidentity <> '' or a.attgenerated <> '') as has_default
  from rel r
  join pg_catalog.pg_attribute a on a.attrelid = r.relid and a.attnum > 0 and not a.attisdropped
  join pg_catalog.pg_type t on t.oid = a.atttypid
  left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
),
-- The columns the backend relies on. origin: prd (must exist) or migration (added if absent).
-- always_written: every insert of the backend sets it; nullable_write: it may set null.
expect_col (table_name, column_name, origin, want, always_written, nullable_write, ddl, purpose) as (
  values
    ('journal_ai_chats', 'id', 'prd', 'uuid', false, false, 'uuid primary key default gen_random_uuid()', 'the message id the backend returns'),
    ('journal_ai_chats', 'user_id', 'prd', 'uuid', true, false, 'uuid not null', 'whose message it is'),
    ('journal_ai_chats', 'journal_entry_id', 'prd', 'uuid', true, true, 'uuid', 'the journal entry a reflection is about (often none)'),
    ('journal_ai_chats', 'message', 'prd', 'text', true, false, 'text not null', 'the message text'),
    ('journal_ai_chats', 'response', 'prd', 'text', true, true, 'text', 'the coach''s answer (none on the user''s row)'),
    ('journal_ai_chats', 'message_type', 'prd', 'text', true, false, 'text not null', 'user or ai'),
    ('journal_ai_chats', 'chat_type', 'prd', 'text', true, true, 'text', 'the chat type'),
    ('journal_ai_chats', 'goal_id', 'prd', 'uuid', true, true, 'uuid', 'the goal a message is about (often none)'),
    ('journal_ai_chats', 'created_at', 'prd', 'time', true, false, 'timestamp default now()', 'when it was sent'),
    ('journal_ai_chats', 'openai_thread_id', 'migration', 'text', true, true, 'text', 'the conversation id'),
    ('journal_ai_chats', 'tokens_used', 'migration', 'number', false, true, 'integer', 'tokens of the answer'),
    ('journal_ai_chats', 'model_used', 'migration', 'text', false, true, 'text', 'the model'),
    ('journal_ai_chats', 'response_time_ms', 'migration', 'number', false, true, 'integer', 'the answer time'),
    ('journal_ai_chats', 'client_message_id', 'migration', 'text', true, false, 'text', 'the idempotency key'),
    ('journal_ai_chats', 'variant', 'migration', 'text', false, true, 'text', 'openai or simulated'),
    ('journal_ai_chats', 'fallback', 'migration', 'bool', false, false, 'boolean not null default false', 'a fallback answer'),
    ('journal_ai_chats', 'openai_response_id', 'migration', 'text', false, true, 'text', 'the OpenAI response id'),
    ('journal_ai_chats', 'cost_estimate', 'migration', 'number', false, true, 'numeric(12, 6)', 'the cost'),
    ('journal_ai_chats', 'run_id', 'migration', 'uuid', true, false, 'uuid', 'the chat turn'),
    ('user_assistant_threads', 'id', 'prd', 'uuid', false, false, 'uuid primary key default gen_random_uuid()', 'the thread row id'),
    ('user_assistant_threads', 'user_id', 'prd', 'uuid', true, false, 'uuid not null', 'whose thread it is'),
    ('user_assistant_threads', 'assistant_type', 'prd', 'text', true, false, 'text not null', 'the coach profile'),
    ('user_assistant_threads', 'thread_id', 'prd', 'text', true, false, 'text not null', 'the conversation id'),
    ('user_assistant_threads', 'created_at', 'prd', 'time', true, false, 'timestamp default now()', 'when it was created'),
    ('user_assistant_threads', 'last_interaction_at', 'prd', 'time', true, false, 'timestamp default now()', 'the latest message'),
    ('user_assistant_threads', 'openai_assistant_id', 'migration', 'text', true, true, 'text', 'profile@version'),
    ('user_assistant_threads', 'total_tokens_used', 'migration', 'number', true, false, 'integer default 0', 'token totals'),
    ('user_assistant_threads', 'last_cost_estimate', 'migration', 'number', true, false, 'numeric(10, 6) default 0', 'the last cost'),
    ('user_assistant_threads', 'legacy_thread_ids', 'migration', 'text[]', false, false, 'text[] not null default ''{}''', 'replaced thread ids'),
    ('user_assistant_threads', 'updated_at', 'migration', 'time', true, false, 'timestamptz not null default now()', 'the last change'),
    ('pillar_ratings', 'user_id', 'prd', 'uuid', false, false, 'uuid not null', 'the coach reads each user''s ratings by it'),
    ('pillar_ratings', 'pillar', 'prd', 'any', false, false, 'text not null', 'the coach groups ratings by pillar'),
    ('pillar_ratings', 'rating', 'prd', 'number', false, false, 'integer not null', 'the coach shows the rating'),
    ('pillar_ratings', 'created_at', 'prd', 'day', false, false, 'timestamp default now()', 'the coach takes the latest rating per pillar'),
    ('user_goals', 'id', 'prd', 'uuid', false, false, 'uuid primary key default gen_random_uuid()', 'requests name a goal by it'),
    ('user_goals', 'user_id', 'prd', 'uuid', false, false, 'uuid not null', 'the coach reads each user''s goals by it'),
    ('user_goals', 'title', 'prd', 'text', false, false, 'text not null', 'the coach names the goal'),
    ('user_goals', 'focus', 'prd', 'text', false, false, 'text', 'the coach shows the goal''s focus'),
    ('user_goals', 'is_active', 'prd', 'bool', false, false, 'boolean default true', 'the coach sees active goals only'),
    ('pillars', 'display_name', 'prd', 'text', false, false, 'text not null', 'the coach names pillars by it'),
    ('users', 'id', 'prd', 'uuid', false, false, 'uuid primary key', 'Supabase''s user id')
),
expected as (
  select e.*, r.schema_name, r.qualified, r.relid is not null as table_present, r.written,
         c.name is not null as present, c.attnum, c.type, c.not_null, c.default_expr, c.has_default,
         case e.want
           when 'uuid' then c.typid = 'uuid'::regtype
           when 'text' then c.category = 'S'
           when 'time' then c.typid in ('timestamp'::regtype, 'timestamptz'::regtype)
           when 'day' then c.typid in ('timestamp'::regtype, 'timestamptz'::regtype, 'date'::regtype)
           when 'bool' then c.typid = 'boolean'::regtype
           when 'number' then c.category = 'N'
           when 'text[]' then c.typid = 'text[]'::regtype
           else true
         end as type_fits,
         case e.want
           when 'uuid' then 'uuid' when 'text' then 'a text type' when 'time' then 'timestamp or timestamptz'
           when 'day' then 'timestamp, timestamptz or date' when 'bool' then 'boolean' when 'number' then 'a number type'
           when 'text[]' then 'text[]' else 'any type'
         end as want_text
  from expect_col e
  join rel r on r.table_name = e.table_name
  left join col c on c.table_name = e.table_name and c.name = e.column_name
),
profile_key as (
  select x.col, x.reason
  from (
    select 1 as prio, a.attname::text as col, pg_catalog.format('foreign key %s to auth.users', con.conname) as reason
    from rel p
    join pg_catalog.pg_constraint con on con.conrelid = p.relid and con.contype = 'f'
      and pg_catalog.cardinality(con.conkey) = 1
      and con.confrelid = (select u.relid from rel u where u.table_name = 'users')
    join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
    where p.table_name = 'profiles'
    union all
    select 2, a.attname::text, 'its uuid primary key'
    from rel p
    join pg_catalog.pg_constraint con on con.conrelid = p.relid and con.contype = 'p'
      and pg_catalog.cardinality(con.conkey) = 1
    join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = con.conkey[1]
    where p.table_name = 'profiles' and a.atttypid = 'uuid'::regtype
    union all
    select case c.name when 'user_id' then 3 else 4 end, c.name, pg_catalog.format('a uuid column named %s', c.name)
    from col c
    where c.table_name = 'profiles' and c.name in ('user_id', 'id') and c.typid = 'uuid'::regtype
  ) as x
  order by x.prio, x.col
  limit 1
),
name_col as (
  select o.ord, c.name
  from (values (1, 'display_name'), (2, 'full_name'), (3, 'name'), (4, 'preferred_name'),
               (5, 'first_name'), (6, 'nickname'), (7, 'username')) as o (ord, name)
  join col c on c.table_name = 'profiles' and c.name = o.name and c.category = 'S'
),
name_metadata as (
  select exists (
    select 1 from col c
    where c.table_name = 'users' and c.name = 'raw_user_meta_data' and c.typid in ('jsonb'::regtype, 'json'::regtype)
  ) as present
),
pillar_fk as (
  select g.table_name, con.conname::text as constraint_name, ga.attname::text as from_column,
         pg_catalog.format_type(ga.atttypid, ga.atttypmod) as from_type, pa.attname::text as to_column,
         pg_catalog.row_number() over (partition by g.table_name order by con.conname) as n
  from rel g
  join pg_catalog.pg_constraint con on con.conrelid = g.relid and con.contype = 'f'
    and pg_catalog.cardinality(con.conkey) = 1
    and con.confrelid = (select p.relid from rel p where p.table_name = 'pillars')
  join pg_catalog.pg_attribute ga on ga.attrelid = con.conrelid and ga.attnum = con.conkey[1]
  join pg_catalog.pg_attribute pa on pa.attrelid = con.confrelid and pa.attnum = con.confkey[1]
  where g.table_name in ('user_goals', 'pillar_ratings')
),
goal_fk as (
  select f.* from pillar_fk f where f.table_name = 'user_goals' and f.n = 1
),
pillar_key as (
  select x.mode, x.col, x.reason
  from (
    select 1 as prio, 0 as ord, 'column' as mode, f.to_column as col,
           pg_catalog.format('pillar_ratings.pillar references it (foreign key %s)', f.constraint_name) as reason
    from pillar_fk f
    where f.table_name = 'pillar_ratings' and f.from_column = 'pillar' and f.n = 1
    union all
    select 2, o.ord, 'column', c.name, 'the first text key column of pillars (key, slug, name, code)'
    from (values (1, 'key'), (2, 'slug'), (3, 'name'), (4, 'code')) as o (ord, name)
    join col c on c.table_name = 'pillars' and c.name = o.name and c.category = 'S'
    union all
    select 3, 0, 'display_name', 'display_name',
           'no key column: pillar_ratings.pillar is matched to pillars.display_name, ignoring case'
    from col c
    where c.table_name = 'pillars' and c.name = 'display_name'
  ) as x
  order by x.prio, x.ord
  limit 1
),
pillar_order as (
  select c.name
  from (values (1, 'sort_order'), (2, 'position'), (3, 'display_order'), (4, 'order_index'),
               (5, 'sort_index'), (6, 'ordering'), (7, 'sequence'), (8, 'rank')) as o (ord, name)
  join col c on c.table_name = 'pillars' and c.name = o.name and c.category = 'N'
  order by o.ord
  limit 1
),
goal_created as (
  select c.name, c.type
  from col c
  where c.table_name = 'user_goals' and c.name = 'created_at'
    and c.typid in ('timestamp'::regtype, 'timestamptz'::regtype, 'date'::regtype)
),
trigger_info as (
  select r.table_name, t.tgname::text as name,
         case when t.tgtype::int & 2 <> 0 then 'before' when t.tgtype::int & 64 <> 0 then 'instead of' else 'after' end as timing,
         pg_catalog.array_to_string(pg_catalog.array_remove(array[
           case when t.tgtype::int & 4 <> 0 then 'insert' end,
           case when t.tgtype::int & 16 <> 0 then 'update' end,
           case when t.tgtype::int & 8 <> 0 then 'delete' end,
           case when t.tgtype::int & 32 <> 0 then 'truncate' end], null), ' or ') as events,
         case when t.tgtype::int & 1 <> 0 then 'row' else 'statement' end as level,
         t.tgfoid::regprocedure::text as function_name, t.tgenabled <> 'D' as enabled,
         coalesce(exists (select 1 from pg_catalog.unnest(fp.proconfig) as s (setting) where s.setting like 'search\_path=%'), false)
           as own_search_path
  from rel r
  join pg_catalog.pg_trigger t on t.tgrelid = r.relid and not t.tgisinternal
  join pg_catalog.pg_proc fp on fp.oid = t.tgfoid
),
wanted_index (table_name, column_name, purpose) as (
  select 'user_goals', f.from_column, 'goals by pillar (the foreign key to pillars)' from goal_fk f
  union all
  select 'profiles', k.col, 'the profile of a user' from profile_key k
),
index_state as (
  select w.*, r.qualified,
         pg_catalog.format('%s_%s_idx', w.table_name, w.column_name) as index_name,
         exists (
           select 1 from pg_catalog.pg_index i
           join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
           where i.indrelid = r.relid and a.attname = w.column_name
         ) as indexed
  from wanted_index w join rel r on r.table_name = w.table_name
),
problem as (
  select r.ord, 0 as kind, r.qualified as table_name, null::text as column_name,
         pg_catalog.format('%s does not exist; it holds %s.', r.qualified, r.purpose) as message,
         case when r.table_name = 'users'
           then 'Point DATABASE_URL at the Supabase project''s database (this one has no auth.users).'
           else pg_catalog.format('Point DATABASE_URL at MiVia''s own database, or create %s as the PRD describes it.', r.qualified)
         end as action
  from rel r
  where r.relid is null
  union all
  select r.ord, 1, e.qualified, e.column_name,
         pg_catalog.format('%s.%s is missing; %s.', e.qualified, e.column_name, e.purpose),
         pg_catalog.format('Add it (alter table %s add column %I %s) or rename the column that holds it to %I.',
                           e.qualified, e.column_name, e.ddl, e.column_name)
  from expected e join rel r on r.table_name = e.table_name
  where e.table_present and e.origin = 'prd' and not e.present
  union all
  select r.ord, 2, e.qualified, e.column_name,
         pg_catalog.format('%s.%s is %s; the backend needs %s (%s).', e.qualified, e.column_name, e.type, e.want_text, e.purpose),
         pg_catalog.format('Change its type (alter table %s alter column %I type %s), or tell the backend team which column to use.',
                           e.qualified, e.column_name, pg_catalog.split_part(e.ddl, ' ', 1))
  from expected e join rel r on r.table_name = e.table_name
  where e.present and not e.type_fits
  union all
  select r.ord, 3, e.qualified, e.column_name,
         pg_catalog.format('%s.%s is NOT NULL, but the backend stores null there (%s).', e.qualified, e.column_name, e.purpose),
         pg_catalog.format('Allow null (alter table %s alter column %I drop not null).', e.qualified, e.column_name)
  from expected e join rel r on r.table_name = e.table_name
  where e.present and e.not_null and e.nullable_write
  union all
  select r.ord, 4, r.qualified, c.name,
         pg_catalog.format('%s.%s is NOT NULL without a default; the backend inserts rows without it, so every insert would fail.',
                           r.qualified, c.name),
         pg_catalog.format('Give it a default (alter table %s alter column %I set default …) or allow null (… alter column %I drop not null).',
                           r.qualified, c.name, c.name)
  from rel r
  join col c on c.table_name = r.table_name
  where r.written and c.not_null and not c.has_default
    and not exists (
      select 1 from expect_col e
      where e.table_name = r.table_name and e.column_name = c.name and e.always_written)
  union all
  select r.ord, 5, r.qualified, null,
         pg_catalog.format('%s has no column keyed to the user: no foreign key to auth.users, no uuid primary key, no uuid id or user_id column.', r.qualified),
         pg_catalog.format('Add a foreign key from the column that holds the user id to auth.users (alter table %s add foreign key (<column>) references auth.users (id)).', r.qualified)
  from rel r
  where r.table_name = 'profiles' and r.relid is not null and not exists (select 1 from profile_key)
  union all
  select r.ord, 6, r.qualified, null,
         pg_catalog.format('%s has no foreign key to public.pillars; the coach names each goal''s pillar through it (as the PRD''s pillars(display_name) embed does).', r.qualified),
         pg_catalog.format('Add it (alter table %s add foreign key (<pillar column>) references public.pillars (<key>)).', r.qualified)
  from rel r
  where r.table_name = 'user_goals' and r.relid is not null
    and exists (select 1 from rel p where p.table_name = 'pillars' and p.relid is not null)
    and not exists (select 1 from goal_fk)
),
note (ord, text) as (
  select 1, pg_catalog.format('public.user_goals has %s foreign keys to public.pillars; using %s (%s).',
                              (select pg_catalog.count(*) from pillar_fk f where f.table_name = 'user_goals'),
                              g.constraint_name, g.from_column)
  from goal_fk g
  where (select pg_catalog.count(*) from pillar_fk f where f.table_name = 'user_goals') > 1
  union all
  select 2, 'public.pillars has no key column (key, slug, name, code) and pillar_ratings.pillar no foreign key: ratings are matched to pillars by display_name, ignoring case.'
  from pillar_key k where k.mode = 'display_name'
  union all
  select 3, 'public.profiles has no name column and auth.users no raw_user_meta_data: the coach is given no name.'
  where not exists (select 1 from name_col) and not (select m.present from name_metadata m)
  union all
  select 4, pg_catalog.format('trigger %s on %s calls %s, which sets no search_path: it runs with the backend''s empty search_path, so it must schema-qualify every table it names (built-ins such as now() are fine).',
                              t.name, t.table_name, t.function_name)
  from trigger_info t join rel r on r.table_name = t.table_name
  where r.written and not t.own_search_path
)
select pg_catalog.jsonb_build_object(
  'tables', (
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
      'table', r.qualified,
      'present', r.relid is not null,
      'written', r.written,
      'columns', coalesce((
        select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
          'name', c.name, 'type', c.type, 'not_null', c.not_null, 'default', c.default_expr, 'has_default', c.has_default)
          order by c.attnum)
        from col c where c.table_name = r.table_name), '[]'::jsonb),
      'triggers', coalesce((
        select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
          'name', t.name, 'timing', t.timing, 'events', t.events, 'level', t.level,
          'function', t.function_name, 'enabled', t.enabled, 'own_search_path', t.own_search_path)
          order by t.name)
        from trigger_info t where t.table_name = r.table_name), '[]'::jsonb))
      order by r.ord)
    from rel r),
  'expected', (
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
      'table', e.qualified, 'column', e.column_name, 'origin', e.origin, 'present', e.present,
      'type', e.type, 'not_null', e.not_null, 'default', e.default_expr, 'fits', coalesce(e.type_fits, true))
      order by r.ord, e.origin desc, e.attnum nulls last, e.column_name)
    from expected e join rel r on r.table_name = e.table_name),
  'mapping', pg_catalog.jsonb_build_object(
    'profile_key', (select pg_catalog.jsonb_build_object('column', k.col, 'reason', k.reason) from profile_key k),
    'name_columns', coalesce((select pg_catalog.jsonb_agg(n.name order by n.ord) from name_col n), '[]'::jsonb),
    'name_metadata_keys', case when (select m.present from name_metadata m)
                            then '["display_name", "full_name", "name"]'::jsonb else '[]'::jsonb end,
    'goal_pillar', (
      select pg_catalog.jsonb_build_object('goal_column', g.from_column, 'goal_column_type', g.from_type,
                                           'pillar_column', g.to_column, 'constraint', g.constraint_name)
      from goal_fk g),
    'pillar_key', (
      select pg_catalog.jsonb_build_object(
        'mode', k.mode, 'column', k.col, 'reason', k.reason,
        'rating_column_type', (select c.type from col c where c.table_name = 'pillar_ratings' and c.name = 'pillar'))
      from pillar_key k),
    'pillar_order', coalesce((select o.name from pillar_order o), 'display_name'),
    'goal_order', coalesce((select g.name from goal_created g), 'id'),
    'timestamps', (
      select pg_catalog.jsonb_object_agg(c.table_name || '.' || c.name, c.type)
      from col c
      where (c.table_name, c.name) in (('journal_ai_chats', 'created_at'), ('user_assistant_threads', 'created_at'),
                                       ('user_assistant_threads', 'last_interaction_at'), ('pillar_ratings', 'created_at'),
                                       ('user_goals', 'created_at'))),
    'rating_created_at_type', (select c.type from col c where c.table_name = 'pillar_ratings' and c.name = 'created_at'),
    'goal_created_at_type', (select g.type from goal_created g)),
  'indexes', coalesce((
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
      'table', i.qualified, 'column', i.column_name, 'name', i.index_name, 'purpose', i.purpose,
      'exists', i.indexed) order by i.table_name)
    from index_state i), '[]'::jsonb),
  'problems', coalesce((
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
      'table', p.table_name, 'column', p.column_name, 'message', p.message, 'action', p.action)
      order by p.ord, p.kind, p.column_name)
    from problem p), '[]'::jsonb),
  'notes', coalesce((select pg_catalog.jsonb_agg(n.text order by n.ord, n.text) from note n), '[]'::jsonb)
)
$discover$;
