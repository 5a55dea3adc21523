-- journal_ai_chats: the cohort on every AI row, beside its variant, so the A/B report can group
-- replies by it: the user's salted rollout bucket ('0'–'99') or 'override' when the user's own
-- setting (user_ai_settings.openai_enabled) decided; rollout_reason says which rule chose the
-- variant (cohort, user_override, kill_switch, global_budget, not_configured). The same values
-- are on the run (chat_runs), which app users cannot write.
alter table public.journal_ai_chats
  add column if not exists cohort text,
  add column if not exists rollout_reason text;
