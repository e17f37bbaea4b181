-- Call recording (issue 5): recording policies per queue / outbound route / agent,
-- retention per queue, and one row per recording linked to the CDR by call id.

-- Organization-wide defaults: the policy used when no queue/route/agent policy applies,
-- and the retention of recordings whose queue has none (or that had no queue).
create table recording_settings (
  organization_id         uuid primary key references organizations(id) on delete cascade,
  default_mode            text not null default 'none' check (default_mode in ('all', 'on_demand', 'none')),
  default_start_at        text not null default 'agent_answer' check (default_start_at in ('system_answer', 'agent_answer')),
  default_retention_days  integer not null default 180 check (default_retention_days between 1 and 36500),
  updated_at              timestamptz not null default now(),
  updated_by              uuid references users(id) on delete set null
);
insert into recording_settings (organization_id) select id from organizations;

-- One policy per queue, outbound route or agent (target_id is the queue's, route's or agent's id;
-- routes are not referenced by a foreign key so the outbound-route table may evolve on its own).
create table recording_policies (
  organization_id  uuid not null references organizations(id) on delete cascade,
  scope            text not null check (scope in ('queue', 'route', 'agent')),
  target_id        uuid not null,
  mode             text not null check (mode in ('all', 'on_demand', 'none')),
  start_at         text not null default 'agent_answer' check (start_at in ('system_answer', 'agent_answer')),
  updated_at       timestamptz not null default now(),
  updated_by       uuid references users(id) on delete set null,
  primary key (organization_id, scope, target_id)
);

-- Retention per queue in days; null = the organization default.
alter table queues add column recording_retention_days integer check (recording_retention_days between 1 and 36500);

-- A legal constraint or the caller's opt-out: nothing is recorded and the nightly check expects nothing.
alter table cdrs add column do_not_record boolean not null default false;

create table recordings (
  id               uuid primary key default gen_random_uuid(),
  organization_id  uuid not null references organizations(id),
  call_id          uuid not null,                    -- the CDR's id (= the caller channel's uuid)
  agent_id         uuid references agents(id) on delete set null,   -- the agent who answered
  agent_ids        uuid[] not null default '{}',     -- every agent who took part (transfers, conferences)
  queue_id         uuid references queues(id) on delete set null,
  route_id         uuid,                             -- outbound route, for outbound calls
  direction        text not null default 'inbound' check (direction in ('inbound', 'outbound')),
  caller_number    text,
  called_number    text,
  started_at       timestamptz not null,
  ended_at         timestamptz,
  duration_ms      integer check (duration_ms >= 0),
  channels         smallint check (channels in (1, 2)),
  sample_rate      integer check (sample_rate > 0),
  size_bytes       bigint check (size_bytes >= 0),
  sha256           text check (sha256 ~ '^[0-9a-f]{64}$'),
  storage          text not null default 'local' check (storage in ('local', 's3')),
  storage_key      text,                             -- path under the recordings dir, or the object key
  capture_path     text not null,                    -- where FreeSWITCH writes the file while recording
  status           text not null default 'recording' check (status in ('recording', 'stored', 'failed', 'purged')),
  pause_events     jsonb not null default '[]',      -- [{kind: 'pause'|'resume', at: iso, by: user id|null}]
  pauses           jsonb not null default '[]',      -- normalised spans: [{fromMs, toMs}] offsets into the file
  paused_ms        integer not null default 0,
  start_reason     text not null default 'policy' check (start_reason in ('policy', 'on_demand')),
  started_by       uuid references users(id) on delete set null,    -- null: started by policy
  stopped_by       uuid references users(id) on delete set null,
  legal_hold       boolean not null default false,
  legal_hold_by    uuid references users(id) on delete set null,
  legal_hold_at    timestamptz,
  attempts         integer not null default 0,       -- storage attempts so far
  last_error       text,
  next_attempt_at  timestamptz,
  stored_at        timestamptz,
  purged_at        timestamptz,
  created_at       timestamptz not null default now()
);
create index recordings_org_started_idx on recordings(organization_id, started_at desc);
create index recordings_call_idx on recordings(call_id);
create index recordings_agents_idx on recordings using gin (agent_ids);
create index recordings_pending_idx on recordings(status, next_attempt_at) where status in ('recording', 'failed');
