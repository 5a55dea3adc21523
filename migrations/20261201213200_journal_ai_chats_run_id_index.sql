-- journal_ai_chats.run_id: app users may insert rows into this table, with any run id. The
-- unique (run_id, message_type) index let a row inserted with another user's run id collide
-- with that run's own AI row, so its answer could not be stored after it was paid for. The
-- backend stores each run's rows exactly once under the run's lock and finds them by the ids
-- it keeps on the run (chat_runs.user_message_id, ai_message_id), never by run_id; so the
-- index becomes a plain one, which the run_id foreign key still needs.
drop index if exists public.journal_ai_chats_run_id_message_type_key;
create index if not exists journal_ai_chats_run_id_idx on public.journal_ai_chats (run_id);
