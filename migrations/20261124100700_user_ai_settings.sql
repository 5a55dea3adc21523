-- user_ai_settings: per-user overrides of the AI rollout (the PRD's "enable/disable OpenAI
-- per user" and A/B cohort) and budgets. A null column means "follow the global flag".
create table if not exists public.user_ai_settings (
  user_id uuid primary key references auth.users (id) on delete cascade,
  openai_enabled boolean,
  fallback_enabled boolean,
  daily_token_limit integer constraint user_ai_settings_daily_token_limit_check check (daily_token_limit >= 0),
  daily_cost_limit_usd numeric(10, 4) constraint user_ai_settings_daily_cost_limit_usd_check check (daily_cost_limit_usd >= 0),
  cohort text,
  updated_at timestamptz not null default now()
);

alter table public.user_ai_settings enable row level security;
revoke all on table public.user_ai_settings from anon, authenticated;
grant select on table public.user_ai_settings to authenticated;
drop policy if exists "Users can view their own AI settings" on public.user_ai_settings;
create policy "Users can view their own AI settings" on public.user_ai_settings
  for select to authenticated using ((select auth.uid()) = user_id);
