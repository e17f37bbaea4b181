/**
 * The pure IVR core: flow schema and validation, the step-wise interpreter,
 * the dry run and per-node statistics. No Node-only imports (the browser
 * editor runs the same code); I/O belongs to the runtime that carries out the
 * engine's effects.
 * Storage (Postgres) lives in store/, outside this browser-safe core.
 */
export * from './schema.ts';
export * from './engine.ts';
export * from './dry-run.ts';
export * from './statistics.ts';
export { normaliseSayValue, spokenText, SAY_KINDS, type SayKind } from './say.ts';
export { renderTemplate, templateProblems, templateVariables } from './template.ts';
