-- IVR runtime: one row per call that ran a flow, the node events behind the per-node
-- statistics, voicemail messages and boxes, uploaded prompts, and the survey score on the CDR.

create table ivr_runs (
  call_uuid        uuid primary key,                 -- the caller channel's uuid (= the CDR id if it reaches a queue)
  organization_id  uuid not null references organizations(id),
  flow_id          uuid not null references ivr_flows(id) on delete cascade,
  flow_version     integer not null,
  caller_number    text not null default '',
  did              text not null default '',
  started_at       timestamptz not null default now(),
  ended_at         timestamptz,
  outcome          text check (outcome in ('caller_hangup', 'hangup', 'voicemail', 'queue', 'transfer', 'error', 'loop_guard')),
  detail           text,
  path             text[] not null default '{}',
  -- Non-sensitive variables only (collected card numbers, PINs etc. never reach this table).
  variables        jsonb not null default '{}'
);
create index ivr_runs_flow_idx on ivr_runs(flow_id, started_at desc);

-- The interpreter's log effects (node entered/exited with branch, run ended): per-node statistics.
create table ivr_node_events (
  id               bigserial primary key,
  organization_id  uuid not null references organizations(id),
  flow_id          uuid not null references ivr_flows(id) on delete cascade,
  flow_version     integer not null,
  call_uuid        uuid not null,
  event            text not null check (event in ('node_entered', 'node_exited', 'run_ended')),
  node             text not null,
  branch           text,
  outcome          text,
  handed_off       boolean,
  at               timestamptz not null default now()
);
create index ivr_node_events_flow_idx on ivr_node_events(flow_id, at);

create table voicemail_boxes (
  organization_id  uuid not null references organizations(id),
  mailbox          text not null check (mailbox ~ '^[A-Za-z0-9_-]{1,64}$'),
  description      text not null default '',
  -- Notified of every new message: a JSON POST to the webhook, and/or an email.
  webhook_url      text check (webhook_url is null or webhook_url ~ '^https?://'),
  email            text check (email is null or email ~ '^[^@\s]+@[^@\s]+$'),
  primary key (organization_id, mailbox)
);

create table voicemails (
  id               uuid primary key default gen_random_uuid(),
  organization_id  uuid not null references organizations(id),
  mailbox          text not null check (mailbox ~ '^[A-Za-z0-9_-]{1,64}$'),
  call_uuid        uuid not null unique,
  caller_number    text not null default '',
  file_path        text not null,
  duration_ms      integer check (duration_ms >= 0),
  variables        jsonb not null default '{}',
  status           text not null default 'new' check (status in ('new', 'heard', 'archived')),
  heard_by         uuid references users(id) on delete set null,
  heard_at         timestamptz,
  notified_at      timestamptz,
  notify_error     text,
  created_at       timestamptz not null default now()
);
create index voicemails_box_idx on voicemails(organization_id, mailbox, created_at desc);

-- Uploaded prompts, converted to FreeSWITCH-ready WAV (8 kHz mono 16-bit).
create table prompts (
  id               uuid primary key default gen_random_uuid(),
  organization_id  uuid not null references organizations(id),
  name             text not null check (name ~ '^[A-Za-z0-9_-]{1,64}$'),
  file_path        text not null,
  duration_ms      integer not null check (duration_ms >= 0),
  original_name    text not null default '',
  created_by       uuid references users(id) on delete set null,
  created_at       timestamptz not null default now(),
  unique (organization_id, name)
);

-- The caller's answer to the satisfaction survey after the agent hung up.
alter table cdrs add column survey_score smallint check (survey_score between 0 and 9);
alter table cdrs add column ivr_flow_id uuid references ivr_flows(id) on delete set null;

-- Switches admins flip without editing a flow (e.g. an outage notice): every flow run gets
-- them as variables (name → 'true' / 'false'), read by notice nodes' enabledVar and by branches.
create table ivr_switches (
  organization_id  uuid not null references organizations(id),
  name             text not null check (name ~ '^[a-z_][a-z0-9_]{0,39}$'),
  enabled          boolean not null default false,
  description      text not null default '',
  updated_by       uuid references users(id) on delete set null,
  updated_at       timestamptz not null default now(),
  primary key (organization_id, name)
);
