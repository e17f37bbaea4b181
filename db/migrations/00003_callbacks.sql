-- Callbacks in queue: a caller who pressed the callback key keeps their place without
-- holding the line; the ACD reserves an agent and calls the customer back when it is their turn.
create table callbacks (
  id               uuid primary key,
  organization_id  uuid not null references organizations(id),
  queue_id         uuid not null references queues(id) on delete cascade,
  origin_call_id   uuid not null,
  number           text not null check (number ~ '^\+?[0-9]{3,20}$'),
  priority         integer not null default 0,
  enqueued_at      timestamptz not null,
  status           text not null default 'waiting' check (status in ('waiting', 'dialing', 'done', 'failed')),
  agent_id         uuid references agents(id) on delete set null,
  updated_at       timestamptz not null default now()
);
create index callbacks_waiting_idx on callbacks(status) where status in ('waiting', 'dialing');
