import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { create } from 'xmlbuilder2';

/**
 * The outbound gateways FreeSWITCH has: `<gateway name="…">` elements in the
 * files of freeswitch/conf/gateways (the same files the trunks profile includes).
 * A file that does not parse is skipped with a warning.
 */
export async function gatewaysInDirectory(dir: string, logger?: Logger): Promise<string[]> {
  let files: string[];
  try {
    files = (await fs.readdir(dir)).filter((f) => f.endsWith('.xml')).sort();
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const file of files) {
    try {
      const doc = create(await fs.readFile(path.join(dir, file), 'utf8'));
      doc.root().each((n) => {
        const element = n.node as unknown as { nodeName: string; getAttribute(name: string): string | null };
        if (element.nodeName === 'gateway') {
          const name = element.getAttribute('name');
          if (name) names.add(name);
        }
      }, true, true);
    } catch (err) {
      logger?.warn({ err, file }, 'gateway file does not parse: its gateways are unknown to the dialplan');
    }
  }
  return [...names].sort();
}

/** The gateway of the platform's default dial prefix (CC_EXTERNAL_DIAL_PREFIX=sofia/gateway/<name>/), if it names one. */
export function gatewayOfDialPrefix(prefix: string): string | null {
  return /^sofia\/gateway\/([A-Za-z0-9_.-]{1,64})\/$/.exec(prefix)?.[1] ?? null;
}
