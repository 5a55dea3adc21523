-- Thumbs up/down on one of the user's own AI rows; a second rating replaces the first.
create or replace function public.coach_record_feedback(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_message uuid := (p ->> 'message_id')::uuid;
  v_row public.chat_feedback%rowtype;
begin
  if not exists (
    select 1 from public.journal_ai_chats c
    where c.id = v_message and c.user_id = v_user and c.message_type = 'ai'
  ) then
    return public._coach_refusal(404, 'message_not_found', 'No such coach message.');
  end if;
  insert into public.chat_feedback as f (user_id, message_id, rating, comment)
  values (v_user, v_message, p ->> 'rating', p ->> 'comment')
  on conflict (user_id, message_id) do update
    set rating = excluded.rating, comment = excluded.comment, updated_at = now()
  returning f.* into v_row;
  return pg_catalog.jsonb_build_object(
    'id', v_row.id,
    'message_id', v_row.message_id,
    'rating', v_row.rating,
    'comment', v_row.comment,
    'created_at', public._coach_iso(v_row.created_at),
    'updated_at', public._coach_iso(v_row.updated_at));
end
$$;
