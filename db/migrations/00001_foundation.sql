-- Foundation: organizations, users and sessions, agents and queues, CRM customers, CDRs, audit log.
-- Every business row belongs to an organization; a single default organization is created here.

create table organizations (
  id          uuid primary key default gen_random_uuid(),
  name        text not null unique,
  sip_domain  text not null unique,
  created_at  timestamptz not null default now()
);

insert into organizations (id, name, sip_domain)
values ('00000000-0000-4000-8000-000000000001', 'Default', 'cc.local');

create type user_role as enum ('agent', 'supervisor', 'admin');

create table users (
  id               uuid primary key default gen_random_uuid(),
  organization_id  uuid not null references organizations(id),
  login            text not null unique check (login ~ '^[A-Za-z0-9_.@-]{2,64}$'),
  display_name     text not null check (length(display_name) between 1 and 100),
  role             user_role not null,
  password_hash    text not null,
  locale           text not null default 'zh-CN' check (locale in ('zh-CN', 'en')),
  disabled         boolean not null default false,
  created_at       timestamptz not null default now()
);

-- Sessions: the id is the SHA-256 (hex) of the random token kept in the browser's cookie.
create table sessions (
  id          text primary key,
  user_id     uuid not null references users(id) on delete cascade,
  expires_at  timestamptz not null,
  created_at  timestamptz not null default now()
);
create index sessions_user_idx on sessions(user_id);

create table agents (
  id               uuid primary key default gen_random_uuid(),
  organization_id  uuid not null references organizations(id),
  user_id          uuid not null unique references users(id) on delete cascade,
  extension        text not null check (extension ~ '^[0-9]{2,10}$'),
  sip_password     text not null,
  created_at       timestamptz not null default now(),
  unique (organization_id, extension)
);

create table queues (
  id                uuid primary key default gen_random_uuid(),
  organization_id   uuid not null references organizations(id),
  name              text not null check (length(name) between 1 and 100),
  inbound_number    text unique check (inbound_number ~ '^\+?[0-9]{2,20}$'),
  ring_timeout_sec  integer not null default 20 check (ring_timeout_sec between 5 and 120),
  max_wait_sec      integer not null default 600 check (max_wait_sec between 0 and 86400),
  wrap_up_sec       integer not null default 0 check (wrap_up_sec between 0 and 3600),
  no_agents_action  text not null default 'wait' check (no_agents_action in ('wait', 'announce_hangup')),
  created_at        timestamptz not null default now(),
  unique (organization_id, name)
);

create table queue_members (
  queue_id  uuid not null references queues(id) on delete cascade,
  agent_id  uuid not null references agents(id) on delete cascade,
  primary key (queue_id, agent_id)
);

create table customers (
  id               uuid primary key default gen_random_uuid(),
  organization_id  uuid not null references organizations(id),
  name             text not null check (length(name) between 1 and 200),
  phone            text not null check (phone ~ '^[0-9]{3,20}$'),
  company          text,
  notes            text,
  created_at       timestamptz not null default now(),
  unique (organization_id, phone)
);

-- One row per inbound call, written when the caller enters and finalised when the call ends.
create table cdrs (
  id               uuid primary key,            -- the call id (= the caller channel's uuid)
  organization_id  uuid not null references organizations(id),
  caller_uuid      uuid not null unique,
  agent_leg_uuid   uuid,
  caller_number    text not null,
  called_number    text not null,
  queue_id         uuid references queues(id) on delete set null,
  agent_id         uuid references agents(id) on delete set null,
  enqueued_at      timestamptz not null,
  answered_at      timestamptz,
  ended_at         timestamptz,
  wait_seconds     numeric(10, 3),
  talk_seconds     numeric(10, 3),
  hangup_cause     text,
  outcome          text not null check (outcome in ('live', 'answered', 'abandoned', 'overflowed', 'no_route', 'lost')),
  created_at       timestamptz not null default now()
);
create index cdrs_caller_number_idx on cdrs(organization_id, caller_number, enqueued_at desc);
create index cdrs_live_idx on cdrs(outcome) where outcome = 'live';

create table audit_log (
  id               bigserial primary key,
  organization_id  uuid not null references organizations(id),
  actor_user_id    uuid references users(id) on delete set null,
  action           text not null,
  target           text,
  details          jsonb not null default '{}',
  at               timestamptz not null default now()
);
