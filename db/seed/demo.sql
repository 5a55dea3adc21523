-- Local mode's demo user (db/fixtures.ts DEMO_USER_ID): a profile, ratings for all four
-- pillars over two check-ins, two active goals with a focus, and no threads yet, so the
-- first chat creates one. Idempotent: applying it twice adds nothing.
insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data, created_at, updated_at) values
  ('dec0de00-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'demo@mivia.local', now(), '{"display_name": "Sam"}', now(), now())
on conflict do nothing;

insert into public.profiles (id, display_name, timezone) values
  ('dec0de00-0000-4000-8000-000000000001', 'Sam', 'UTC')
on conflict do nothing;

insert into public.pillar_ratings (id, user_id, pillar, rating, note, created_at) values
  ('dec0de01-0000-4000-8000-000000000001', 'dec0de00-0000-4000-8000-000000000001', 'health', 58, 'Low energy in the afternoons', now() - interval '14 days'),
  ('dec0de01-0000-4000-8000-000000000002', 'dec0de00-0000-4000-8000-000000000001', 'emotion', 64, null, now() - interval '14 days'),
  ('dec0de01-0000-4000-8000-000000000003', 'dec0de00-0000-4000-8000-000000000001', 'purpose', 70, null, now() - interval '14 days'),
  ('dec0de01-0000-4000-8000-000000000004', 'dec0de00-0000-4000-8000-000000000001', 'connection', 49, null, now() - interval '14 days'),
  ('dec0de01-0000-4000-8000-000000000005', 'dec0de00-0000-4000-8000-000000000001', 'health', 63, 'Stretching helps', now() - interval '2 days'),
  ('dec0de01-0000-4000-8000-000000000006', 'dec0de00-0000-4000-8000-000000000001', 'emotion', 68, null, now() - interval '2 days'),
  ('dec0de01-0000-4000-8000-000000000007', 'dec0de00-0000-4000-8000-000000000001', 'purpose', 72, null, now() - interval '2 days'),
  ('dec0de01-0000-4000-8000-000000000008', 'dec0de00-0000-4000-8000-000000000001', 'connection', 55, 'Dinner with friends', now() - interval '2 days')
on conflict do nothing;

insert into public.user_goals (id, user_id, pillar_id, title, focus, is_active, created_at)
select g.id, 'dec0de00-0000-4000-8000-000000000001', p.id, g.title, g.focus, true, now() - interval '20 days'
from (values
  ('dec0de02-0000-4000-8000-000000000001'::uuid, 'health', 'Stretch for ten minutes every morning', 'Mobility before work'),
  ('dec0de02-0000-4000-8000-000000000002'::uuid, 'connection', 'Screen-free dinners with family', 'Phones away at the table')
) as g (id, pillar, title, focus)
join public.pillars p on p.name = g.pillar
on conflict do nothing;
