-- Quality control (质检): versioned scoring forms, evaluations of recorded calls with
-- server-computed scores, comments pinned to a time of the recording, and agents' disputes.

-- A scoring form: its `code` is the definition's id; what is scored is always one of its versions.
create table qa_forms (
  id               uuid primary key default gen_random_uuid(),
  organization_id  uuid not null references organizations(id),
  code             text not null check (code ~ '^[A-Za-z0-9_-]{1,64}$'),
  name             text not null check (length(name) between 1 and 200),
  current_version  integer not null check (current_version >= 1),
  archived_at      timestamptz,
  created_at       timestamptz not null default now(),
  unique (organization_id, code)
);

-- Every version is immutable: editing a form adds a version, so an evaluation never changes under its form.
create table qa_form_versions (
  form_id     uuid not null references qa_forms(id) on delete restrict,
  version     integer not null check (version >= 1),
  definition  jsonb not null,            -- a scoring form validated by qa/forms.ts
  created_by  uuid references users(id) on delete set null,
  created_at  timestamptz not null default now(),
  primary key (form_id, version)
);

create function qa_form_version_is_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'scoring form versions are immutable; edit the form to add a version' using errcode = 'check_violation';
end $$;
create trigger qa_form_version_immutable before update or delete on qa_form_versions
  for each row execute function qa_form_version_is_immutable();

alter table qa_forms add constraint qa_forms_current_version_fk
  foreign key (id, current_version) references qa_form_versions(form_id, version) deferrable initially deferred;

-- One evaluation of one recorded call against one form version. The score is computed by the
-- server (qa/scoring.ts) when the evaluation is submitted or a dispute is resolved with new answers.
-- Agent, queue and call time are copied from the recording so reports survive retention purges.
create table qa_evaluations (
  id                 uuid primary key default gen_random_uuid(),
  organization_id    uuid not null references organizations(id),
  recording_id       uuid references recordings(id) on delete set null,
  form_id            uuid not null,
  form_version       integer not null,
  evaluator_user_id  uuid references users(id) on delete set null,
  agent_id           uuid references agents(id) on delete set null,
  queue_id           uuid references queues(id) on delete set null,
  call_started_at    timestamptz not null,
  answers            jsonb not null default '[]',
  score              jsonb,                 -- the full EvaluationScore (sections, items); null while draft
  total_score        numeric(4, 1) check (total_score between 0 and 100),   -- null while draft or when every item is N/A
  fatal              boolean not null default false,
  status             text not null default 'draft'
                       check (status in ('draft', 'submitted', 'acknowledged', 'disputed', 'resolved')),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  submitted_at       timestamptz,
  acknowledged_at    timestamptz,
  foreign key (form_id, form_version) references qa_form_versions(form_id, version),
  check (status = 'draft' or (score is not null and submitted_at is not null))
);
create index qa_evaluations_recording_idx on qa_evaluations(recording_id);
create index qa_evaluations_agent_idx on qa_evaluations(organization_id, agent_id, call_started_at);
create index qa_evaluations_report_idx on qa_evaluations(organization_id, call_started_at) where status <> 'draft';

-- Evaluators' comments pinned to a moment (or a stretch) of the recording's playback timeline.
create table qa_comments (
  id              uuid primary key default gen_random_uuid(),
  evaluation_id   uuid not null references qa_evaluations(id) on delete cascade,
  offset_ms       integer not null check (offset_ms >= 0),
  end_offset_ms   integer check (end_offset_ms is null or end_offset_ms > offset_ms),
  item_id         text,
  text            text not null check (length(text) between 1 and 2000),
  author_user_id  uuid references users(id) on delete set null,
  created_at      timestamptz not null default now()
);
create index qa_comments_evaluation_idx on qa_comments(evaluation_id, offset_ms);

-- An agent's dispute of a submitted evaluation and the supervisor's resolution (one per evaluation).
create table qa_disputes (
  evaluation_id     uuid primary key references qa_evaluations(id) on delete cascade,
  reason            text not null check (length(reason) between 1 and 2000),
  raised_by         uuid references users(id) on delete set null,
  raised_at         timestamptz not null default now(),
  resolution        text check (resolution is null or length(resolution) between 1 and 2000),
  outcome           text check (outcome in ('upheld', 'rescored')),
  previous_total    numeric(4, 1),
  resolved_by       uuid references users(id) on delete set null,
  resolved_at       timestamptz,
  check ((resolution is null) = (resolved_at is null) and (resolution is null) = (outcome is null))
);
