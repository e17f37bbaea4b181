import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The IVR core also runs in the browser (the editor's dry run): it may import only zod and other pure modules. */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const ALLOWED = new Set(['zod', '../acd/calendar.ts', '../acd/config.ts']);
/** Module specifiers of static imports/re-exports, side-effect imports and dynamic import() calls. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const patterns = [/^\s*(?:import|export)\b[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm, /^\s*import\s+['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]/g];
  return patterns.flatMap((re) => Array.from(text.matchAll(re), (m) => m[1] ?? ''));
}

describe('IVR core purity', () => {
  const files = fs.readdirSync(path.join(SRC, 'ivr')).filter((f) => f.endsWith('.ts'));

  it.each(files)('src/ivr/%s imports only browser-safe modules', (file) => {
    for (const spec of importsOf(path.join(SRC, 'ivr', file))) expect(spec.startsWith('./') || ALLOWED.has(spec), spec).toBe(true);
  });

  it('recognises imports and re-exports (so the checks above can fail)', () => {
    const file = path.join(SRC, 'acd/acd.ts');
    expect(importsOf(file)).toContain('node:events');
  });

  it('the modules it borrows from the ACD import nothing but zod', () => {
    for (const dep of ['acd/calendar.ts', 'acd/config.ts']) expect(importsOf(path.join(SRC, dep))).toEqual(['zod']);
  });

  it('reads no clock and no randomness', () => {
    for (const file of files) expect(fs.readFileSync(path.join(SRC, 'ivr', file), 'utf8'), file).not.toMatch(/Date\.now|new Date\(\)|Math\.random|performance\.now/);
  });
});
