-- Per-queue music or tone on hold, and overflow when no member is ready (not only when nobody is logged in).
alter table queues
  add column hold_music text check (hold_music is null or hold_music ~ '^(tone_stream://[0-9A-Za-z(),.;=%-]{1,250}|/[A-Za-z0-9_./-]{1,250}\.(wav|mp3))$');
alter table queues drop constraint queues_no_agents_action_check;
alter table queues add constraint queues_no_agents_action_check check (no_agents_action in ('wait', 'overflow', 'overflow_when_none_ready'));
