-- IVR flows: versioned definitions. A flow has at most one editable draft; published versions
-- are immutable; the flow points at the version new calls use (rollback = point at an older one).
create table ivr_flows (
  id                 uuid primary key default gen_random_uuid(),
  organization_id    uuid not null references organizations(id),
  name               text not null check (length(name) between 1 and 100),
  published_version  integer,
  created_at         timestamptz not null default now(),
  unique (organization_id, name)
);

create table ivr_flow_versions (
  flow_id       uuid not null references ivr_flows(id) on delete cascade,
  version       integer not null check (version >= 1),
  status        text not null check (status in ('draft', 'published')),
  definition    jsonb not null,
  created_by    uuid references users(id) on delete set null,
  created_at    timestamptz not null default now(),
  published_at  timestamptz,
  primary key (flow_id, version)
);
create unique index ivr_flow_one_draft on ivr_flow_versions(flow_id) where status = 'draft';

-- Published versions never change.
create function ivr_published_is_immutable() returns trigger language plpgsql as $$
begin
  if old.status = 'published' then
    raise exception 'published IVR flow versions are immutable' using errcode = 'check_violation';
  end if;
  return new;
end $$;
create trigger ivr_published_immutable before update or delete on ivr_flow_versions
  for each row when (old.status = 'published') execute function ivr_published_is_immutable();
