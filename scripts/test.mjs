#!/usr/bin/env node
// Runs every test stage in order and ends with one summary line,
// "N passed, N failed, N skipped". Stops at the first failing stage.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stages = [
  { name: 'setup', cmd: ['node', 'scripts/setup.mjs', '--for', 'test'] },
  { name: 'typecheck', cmd: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'build web app', cmd: ['npm', 'run', '--silent', 'build', '-w', 'softphone'] },
  { name: 'orchestrator (unit + integration, tier 1)', cmd: ['npm', 'test', '--silent', '-w', 'orchestrator'], counts: 'vitest' },
  { name: 'browser end-to-end (tier 1, and tier 2 when FreeSWITCH is installed)', cmd: ['npm', 'test', '--silent', '-w', 'e2e'], counts: 'playwright' },
];

const total = { passed: 0, failed: 0, skipped: 0 };
// eslint-disable-next-line no-control-regex
const plain = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

function count(kind, output) {
  const text = plain(output);
  if (kind === 'vitest') {
    const line = text.split('\n').reverse().find((l) => /^\s*Tests\s/.test(l)) ?? '';
    for (const key of ['passed', 'failed', 'skipped']) total[key] += Number(new RegExp(`(\\d+) ${key}`).exec(line)?.[1] ?? 0);
  } else {
    for (const key of ['passed', 'failed', 'skipped']) total[key] += Number(new RegExp(`^\\s*(\\d+) ${key}`, 'm').exec(text)?.[1] ?? 0);
  }
}

for (const stage of stages) {
  process.stdout.write(`\n=== ${stage.name} ===\n`);
  const [cmd, ...args] = stage.cmd;
  const code = await new Promise((resolve) => {
    let output = '';
    const child = spawn(cmd, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (c) => {
      if (stage.counts) count(stage.counts, output);
      resolve(c ?? 1);
    });
  });
  if (code !== 0) {
    process.stdout.write(`\nstage "${stage.name}" failed (exit ${code})\n${total.passed} passed, ${total.failed || 1} failed, ${total.skipped} skipped\n`);
    process.exit(code);
  }
}
process.stdout.write(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
