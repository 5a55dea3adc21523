-- Let the app listen for the coach's reply with Supabase Realtime (the 202 case): the
-- backend writes the AI row into journal_ai_chats, so the table joins the `supabase_realtime`
-- publication. RLS still decides who receives which row (the app's own owner-only policy).
-- Guarded: only where the publication exists (every Supabase project) and the table is
-- not in it yet, so re-running changes nothing and plain PostgreSQL is unaffected.
do $$
begin
  if exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime')
     and not exists (
       select 1 from pg_catalog.pg_publication_tables
       where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'journal_ai_chats'
     ) then
    alter publication supabase_realtime add table public.journal_ai_chats;
  end if;
end
$$;
