-- MiVia's tables as they exist before the coach backend (docs/data-model.md, "Existing
-- tables"). `journal_ai_chats` and `user_assistant_threads` are exactly the PRD's: timestamps
-- without time zone, no foreign keys. The app reads and writes them with the user's JWT, so
-- each has Supabase-style owner-only policies. The other tables have more than the PRD shows
-- (profiles.display_name and timezone, pillars.name and sort_order, pillar_ratings.id and
-- note, user_goals.pillar_id and created_at): this is one shape the tests run on, beside the
-- others in test/fixtures/shapes/; the backend discovers such columns, never assumes them
-- (db/functions/coach_internal.discover_shape.sql).
create table if not exists public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  display_name text,
  timezone text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists public.pillars (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  display_name text not null,
  sort_order int not null default 0
);

create table if not exists public.pillar_ratings (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  pillar text not null,
  rating int not null check (rating between 0 and 100),
  note text,
  created_at timestamp default now()
);

create table if not exists public.user_goals (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null,
  pillar_id uuid references public.pillars (id),
  title text not null,
  focus text,
  is_active boolean default true,
  created_at timestamp default now()
);

create table if not exists public.journal_ai_chats (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null,
    journal_entry_id uuid,
    message text not null,
    response text,
    message_type text not null,
    chat_type text,
    goal_id uuid,
    created_at timestamp default now()
);

create table if not exists public.user_assistant_threads (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null,
    assistant_type text not null,
    thread_id text not null,
    created_at timestamp default now(),
    last_interaction_at timestamp default now()
);

alter table public.profiles enable row level security;
alter table public.pillars enable row level security;
alter table public.pillar_ratings enable row level security;
alter table public.user_goals enable row level security;
alter table public.journal_ai_chats enable row level security;
alter table public.user_assistant_threads enable row level security;

-- Policies are dropped and re-created so the file can be applied again unchanged.
drop policy if exists "Pillars are readable by everyone" on public.pillars;
create policy "Pillars are readable by everyone" on public.pillars
  for select to anon, authenticated using (true);

drop policy if exists "Users can view their own profile" on public.profiles;
create policy "Users can view their own profile" on public.profiles
  for select to authenticated using ((select auth.uid()) = id);
drop policy if exists "Users can insert their own profile" on public.profiles;
create policy "Users can insert their own profile" on public.profiles
  for insert to authenticated with check ((select auth.uid()) = id);
drop policy if exists "Users can update their own profile" on public.profiles;
create policy "Users can update their own profile" on public.profiles
  for update to authenticated using ((select auth.uid()) = id) with check ((select auth.uid()) = id);

do $$
declare
  t text;
begin
  foreach t in array array['pillar_ratings', 'user_goals', 'journal_ai_chats', 'user_assistant_threads'] loop
    execute format('drop policy if exists %I on public.%I', 'Users can view their own ' || t, t);
    execute format('create policy %I on public.%I for select to authenticated using ((select auth.uid()) = user_id)',
      'Users can view their own ' || t, t);
    execute format('drop policy if exists %I on public.%I', 'Users can insert their own ' || t, t);
    execute format('create policy %I on public.%I for insert to authenticated with check ((select auth.uid()) = user_id)',
      'Users can insert their own ' || t, t);
    execute format('drop policy if exists %I on public.%I', 'Users can update their own ' || t, t);
    execute format('create policy %I on public.%I for update to authenticated using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id)',
      'Users can update their own ' || t, t);
    execute format('drop policy if exists %I on public.%I', 'Users can delete their own ' || t, t);
    execute format('create policy %I on public.%I for delete to authenticated using ((select auth.uid()) = user_id)',
      'Users can delete their own ' || t, t);
  end loop;
end
$$;
