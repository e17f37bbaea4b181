-- ACD: routing strategies, skills, tiers, priorities, overflow, calendars, not-ready reasons,
-- agent state persistence (for restarts and reports) and callbacks in queue.

create table calendars (
  id               uuid primary key default gen_random_uuid(),
  organization_id  uuid not null references organizations(id),
  name             text not null check (length(name) between 1 and 100),
  timezone         text not null default 'Asia/Shanghai',
  -- weekly opening hours: {"mon":[["08:00","18:00"]], ...}; a missing day is closed
  weekly           jsonb not null default '{}',
  -- holidays: [{"date":"2026-10-01","name":"国庆节"}] closed all day; "open" entries override (调休 working days)
  exceptions       jsonb not null default '[]',
  created_at       timestamptz not null default now(),
  unique (organization_id, name)
);

alter table queues
  add column strategy text not null default 'longest_idle'
    check (strategy in ('longest_idle','round_robin','least_talk_time','fewest_calls','ring_all','top_down','random','ring_progressively','skills_best_match')),
  add column max_length integer not null default 0 check (max_length between 0 and 10000),
  add column service_level_sec integer not null default 20 check (service_level_sec between 1 and 3600),
  add column short_abandon_sec integer not null default 5 check (short_abandon_sec between 0 and 600),
  add column announce_every_sec integer not null default 0 check (announce_every_sec = 0 or announce_every_sec between 15 and 3600),
  add column ring_progressively_step_sec integer not null default 10 check (ring_progressively_step_sec between 1 and 600),
  add column sticky_agent_sec integer not null default 0 check (sticky_agent_sec between 0 and 600),
  add column max_no_answer integer not null default 1 check (max_no_answer between 1 and 20),
  add column skill_rules jsonb not null default '[]',
  add column overflow_action text not null default 'announcement'
    check (overflow_action in ('announcement','queue','voicemail','external')),
  add column overflow_target text,
  add column callback_enabled boolean not null default false,
  add column callback_digit text not null default '1' check (callback_digit ~ '^[0-9*#]$'),
  add column calendar_id uuid references calendars(id) on delete set null,
  add column closed_action text not null default 'announcement'
    check (closed_action in ('announcement','queue','voicemail','external')),
  add column closed_target text;

alter table queue_members
  add column tier integer not null default 1 check (tier between 1 and 9),
  add column position integer not null default 0;

create table agent_skills (
  agent_id  uuid not null references agents(id) on delete cascade,
  skill     text not null check (skill ~ '^[a-z0-9_-]{1,40}$'),
  level     integer not null check (level between 1 and 10),
  primary key (agent_id, skill)
);

create table not_ready_reasons (
  organization_id  uuid not null references organizations(id),
  code             text not null check (code ~ '^[a-z0-9_]{1,40}$'),
  label_zh         text not null,
  label_en         text not null,
  primary key (organization_id, code)
);
insert into not_ready_reasons (organization_id, code, label_zh, label_en) values
  ('00000000-0000-4000-8000-000000000001', 'break', '小休', 'Break'),
  ('00000000-0000-4000-8000-000000000001', 'meal', '用餐', 'Meal'),
  ('00000000-0000-4000-8000-000000000001', 'meeting', '会议', 'Meeting'),
  ('00000000-0000-4000-8000-000000000001', 'training', '培训', 'Training'),
  ('00000000-0000-4000-8000-000000000001', 'email', '处理邮件/工单', 'Email / tickets');

-- The current state of every agent, rewritten on each change: rebuilt after a restart.
create table agent_states (
  agent_id  uuid primary key references agents(id) on delete cascade,
  status    text not null,
  reason    text,
  since     timestamptz not null
);

-- Every state an agent went through (reports: time in state, not-ready reasons).
create table agent_state_log (
  id          bigserial primary key,
  agent_id    uuid not null references agents(id) on delete cascade,
  status      text not null,
  reason      text,
  started_at  timestamptz not null
);
create index agent_state_log_agent_idx on agent_state_log(agent_id, started_at);

alter table customers
  add column priority integer not null default 0 check (priority between 0 and 100),
  add column dedicated_agent_id uuid references agents(id) on delete set null;

alter table cdrs
  add column priority integer not null default 0,
  add column callback_number text,
  drop constraint cdrs_outcome_check,
  add constraint cdrs_outcome_check check (outcome in ('live','answered','abandoned','overflowed','no_route','lost','callback','closed'));

-- "announce_hangup" becomes "overflow": a queue with nobody logged in follows its overflow action.
alter table queues drop constraint queues_no_agents_action_check;
update queues set no_agents_action = 'overflow' where no_agents_action = 'announce_hangup';
alter table queues add constraint queues_no_agents_action_check check (no_agents_action in ('wait', 'overflow'));
