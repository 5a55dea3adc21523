-- user_context_cache: the PRD's optional cache of built coaching context, with its foreign
-- key fixed to auth.users. It holds derived personal data only the backend needs, so RLS is
-- on with no policy at all: only service_role (which bypasses RLS) can use it.
create table if not exists public.user_context_cache (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  context_hash text not null,
  context_data text not null,
  chat_type text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);

-- The lookup, and the index behind the user_id foreign key.
create unique index if not exists user_context_cache_user_id_context_hash_key
  on public.user_context_cache (user_id, context_hash);
-- Purging expired entries.
create index if not exists user_context_cache_expires_at_idx on public.user_context_cache (expires_at);

alter table public.user_context_cache enable row level security;
revoke all on table public.user_context_cache from anon, authenticated;
