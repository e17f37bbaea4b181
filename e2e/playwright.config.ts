import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './support/browser.ts';
import { freeswitchBin } from './support/platform.ts';

if (!freeswitchBin()) console.log('tier 2 skipped: FreeSWITCH not found');

export default defineConfig({
  testDir: '.',
  testMatch: ['tier1/**/*.spec.ts', 'tier2/**/*.spec.ts'],
  timeout: 120_000,
  expect: { timeout: 15_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../.data/e2e-results',
  use: {
    headless: true,
    launchOptions: { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS },
    trace: 'off',
  },
});
