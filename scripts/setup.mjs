#!/usr/bin/env node
// Prepares a fresh machine for `npm start` or `npm test`: installs the npm
// dependencies (from package-lock.json) and, for tests, the Debian packages the
// browser and SIP tests use. Safe to run again: it only does what is missing.
// Uses nothing but Node's standard library, because it runs before `npm ci`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const purpose = process.argv.includes('--for') ? process.argv[process.argv.indexOf('--for') + 1] : 'start';

function say(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: repo, ...opts });
  if (r.status !== 0) {
    process.stderr.write(`[setup] failed: ${cmd} ${args.join(' ')}\n`);
    process.exit(r.status ?? 1);
  }
}

// 1. npm dependencies, exactly as locked.
const stamp = path.join(repo, 'node_modules', '.package-lock.json');
const lock = path.join(repo, 'package-lock.json');
if (!fs.existsSync(stamp) || fs.statSync(stamp).mtimeMs < fs.statSync(lock).mtimeMs) {
  say('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// 2. Debian packages: espeak-ng + sox speak queue announcements and IVR prompts, sox's MP3 format
//    converts uploaded MP3 prompts (both uses); for the tests also
//    Chromium for Playwright, sipp for SIP callers, openssl for the WSS certificate.
{
  const wanted = [
    ['/usr/bin/espeak-ng', 'espeak-ng'],
    ['/usr/bin/sox', 'sox'],
    ['/usr/lib/x86_64-linux-gnu/sox/libsox_fmt_mp3.so', 'libsox-fmt-mp3'],
    ['/usr/bin/openssl', 'openssl'],
    ...(purpose === 'test' ? [['/usr/bin/chromium', 'chromium'], ['/usr/bin/sipp', 'sip-tester']] : []),
  ];
  const needed = wanted.filter(([bin]) => !fs.existsSync(bin));
  if (needed.length > 0) {
    const pkgs = needed.map(([, pkg]) => pkg);
    if (process.getuid?.() !== 0) {
      process.stderr.write(`[setup] missing Debian packages: ${pkgs.join(' ')}. Install them with: sudo apt-get install -y ${pkgs.join(' ')}\n`);
      if (purpose === 'test') process.exit(1);
    } else {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      say(`installing Debian packages: ${pkgs.join(' ')}`);
      run('apt-get', ['update', '-qq'], { env });
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { env });
    }
  }
}
if (purpose === 'test') {
  try {
    execFileSync('/usr/bin/chromium', ['--version'], { stdio: 'ignore' });
  } catch {
    process.stderr.write('[setup] /usr/bin/chromium does not run\n');
    process.exit(1);
  }
}
say('ready');
