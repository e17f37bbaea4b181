-- Supervision (班长席): supervisors' own SIP accounts (their WebRTC leg for listen, whisper,
-- barge-in and intercept), the queues each supervisor is responsible for, and read-only
-- wallboard tokens for big screens.

-- A supervisor's (or admin's) softphone account, created on first use. FreeSWITCH fetches it
-- through mod_xml_curl like the agents' accounts.
create table supervisor_sip_accounts (
  user_id          uuid primary key references users(id) on delete cascade,
  organization_id  uuid not null references organizations(id),
  extension        text not null check (extension ~ '^[0-9]{2,10}$'),
  sip_password     text not null,
  created_at       timestamptz not null default now(),
  unique (organization_id, extension)
);

-- An extension belongs to an agent or to a supervisor, never to both: the directory serves
-- one account per extension.
create function sip_extension_is_free() returns trigger language plpgsql as $$
begin
  if tg_table_name = 'agents' then
    if exists (select 1 from supervisor_sip_accounts s where s.organization_id = new.organization_id and s.extension = new.extension) then
      raise exception 'extension % belongs to a supervisor', new.extension using errcode = 'unique_violation';
    end if;
  elsif exists (select 1 from agents a where a.organization_id = new.organization_id and a.extension = new.extension) then
    raise exception 'extension % belongs to an agent', new.extension using errcode = 'unique_violation';
  end if;
  return new;
end $$;
create trigger agents_extension_free before insert or update of extension on agents
  for each row execute function sip_extension_is_free();
create trigger supervisor_extension_free before insert or update of extension on supervisor_sip_accounts
  for each row execute function sip_extension_is_free();

-- The queues a supervisor is responsible for: they act on the agents of these queues and on
-- calls of these queues. A supervisor with no row here supervises the whole organization.
create table supervisor_queues (
  user_id   uuid not null references users(id) on delete cascade,
  queue_id  uuid not null references queues(id) on delete cascade,
  primary key (user_id, queue_id)
);
create index supervisor_queues_queue_idx on supervisor_queues(queue_id);

-- Read-only wallboard tokens: only the SHA-256 (hex) of the token is stored; the token is shown
-- once, when it is created. A token reads its organization's wallboard figures and nothing else.
create table wallboard_tokens (
  id               uuid primary key default gen_random_uuid(),
  token_hash       text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  organization_id  uuid not null references organizations(id),
  name             text not null check (length(name) between 1 and 100),
  created_by       uuid references users(id) on delete set null,
  created_at       timestamptz not null default now(),
  revoked_at       timestamptz,
  last_used_at     timestamptz
);
create index wallboard_tokens_org_idx on wallboard_tokens(organization_id, created_at desc);
