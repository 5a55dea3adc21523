-- A local-mode user (the demo user, or one a dev token names: `npm run dev-token -- --user`):
-- the auth user, with the transaction's settings `mivia.local_user_email` as its email and
-- `mivia.local_user_meta` (a JSON object) as its metadata, where Supabase keeps a display
-- name, and a profile row as far as the app's table allows, through what
-- coach_internal.discover_shape() found (the profile key; a profiles table with a NOT NULL
-- column this script does not know and no default gets no row, with a notice). The user id is
-- the setting `mivia.local_user_id`; db/baseline.ts applyLocalUser sets all three.
-- Idempotent: applying it twice adds nothing, and an existing user (one of `supabase start`,
-- say) is left as it is.
set local timezone to 'UTC';

do $$
declare
  v_user constant uuid := pg_catalog.current_setting('mivia.local_user_id')::uuid;
  v_shape jsonb := coach_internal.discover_shape();
  v_key text := v_shape -> 'mapping' -> 'profile_key' ->> 'column';
  v_blocked text;
begin
  insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data, created_at, updated_at)
  values (v_user, 'authenticated', 'authenticated', pg_catalog.current_setting('mivia.local_user_email'), now(),
          coalesce(nullif(pg_catalog.current_setting('mivia.local_user_meta', true), ''), '{}')::jsonb, now(), now())
  on conflict do nothing;

  select c ->> 'name' into v_blocked
  from pg_catalog.jsonb_array_elements(v_shape -> 'tables') as t,
       pg_catalog.jsonb_array_elements(t -> 'columns') as c
  where t ->> 'table' = 'public.profiles'
    and (c ->> 'not_null')::boolean and not (c ->> 'has_default')::boolean and c ->> 'name' <> v_key
  limit 1;

  if v_blocked is not null then
    raise notice 'local user: no profile row (public.profiles.% is NOT NULL without a default)', v_blocked;
  else
    execute pg_catalog.format(
      'insert into public.profiles (%I) select $1 where not exists (select 1 from public.profiles where %I = $1)',
      v_key, v_key)
    using v_user;
  end if;
end
$$;
