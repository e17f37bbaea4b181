/**
 * IVR text templates: literal text with `${name}` references to flow variables.
 * Nothing else is interpreted (no expressions, no formatting); a `$` that does
 * not open `${` is literal. Pure and browser-safe (used by the editor's dry run).
 */

/** Flow variable names: a-z or _ first, then a-z 0-9 _, at most 40 characters. */
export const VAR_NAME = /^[a-z_][a-z0-9_]{0,39}$/;

const REFERENCE = /\$\{([a-z_][a-z0-9_]{0,39})\}/g;

/** What is wrong with a template (empty when it is well-formed). */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  let from = 0;
  for (;;) {
    const open = template.indexOf('${', from);
    if (open < 0) break;
    const close = template.indexOf('}', open);
    if (close < 0) {
      problems.push(`unclosed '\${' (write \${name})`);
      break;
    }
    const name = template.slice(open + 2, close);
    if (!VAR_NAME.test(name)) problems.push(`'\${${name}}' is not a variable reference (write \${name} with a-z, 0-9 and _)`);
    from = close + 1;
  }
  return problems;
}

/** The variables a (well-formed) template references, in order, without repeats. */
export function templateVariables(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(REFERENCE), (m) => m[1] ?? ''))];
}


/** Fills every `${name}` with `lookup(name)`. */
export function renderTemplate(template: string, lookup: (name: string) => string): string {
  return template.replace(REFERENCE, (_m, name: string) => lookup(name));
}
