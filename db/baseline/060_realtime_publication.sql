-- Every Supabase project has the (initially empty) `supabase_realtime` publication; tables
-- join it to stream row changes to subscribed clients, filtered by RLS.
do $$
begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
