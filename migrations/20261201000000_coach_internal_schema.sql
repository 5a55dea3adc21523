-- coach_internal: the backend's private schema. It holds the discovery of the app's table
-- shapes and the adapter views built from it (db/functions/coach_internal.*.sql), so the
-- coach functions read one stable shape whatever columns the live database has. Supabase's
-- Data API exposes only `public` and `graphql_public`, and nobody but service_role (and the
-- owner) may use this schema.
create schema if not exists coach_internal;
revoke all on schema coach_internal from public, anon, authenticated;
grant usage on schema coach_internal to service_role;
