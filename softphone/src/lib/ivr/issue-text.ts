/**
 * The core's validation messages are English ("onFail is required"). The
 * common ones are shown in the admin's language through these patterns; any
 * other message is shown as the core wrote it (it names the field, which is
 * the same in both languages).
 */
const PATTERNS: Array<[RegExp, string, string[]]> = [
  [/^(\S+) is required$/, 'ivr.issue.required', ['field']],
  [/^(\S+) points to missing node '([^']*)'$/, 'ivr.issue.missingNode', ['field', 'target']],
  [/^start points to missing node '([^']*)'$/, 'ivr.issue.missingStart', ['target']],
  [/^unreachable from start '([^']*)'$/, 'ivr.issue.unreachable', ['start']],
  [/^(\S+): must not be empty$/, 'ivr.issue.empty', ['field']],
  [/^(\S+): must be a node id .*$/, 'ivr.issue.nodeId', ['field']],
  [/^(\S+): must be a variable name .*$/, 'ivr.issue.varName', ['field']],
  [/^(\S+): needs at least one choice$/, 'ivr.issue.noChoice', ['field']],
  [/^(\S+): needs at least one assignment$/, 'ivr.issue.noAssignment', ['field']],
  [/^(\S+)\.tts has no (\S+) text \(the flow language\)$/, 'ivr.issue.noFlowLanguageText', ['field', 'language']],
  [/^(\S+)\.tts has no (\S+) text: callers who chose \S+ hear (\S+)$/, 'ivr.issue.noLanguageText', ['field', 'language', 'fallback']],
  [/^(\S+) uses variable '([^']*)' that no node sets and the flow does not declare$/, 'ivr.issue.unsetVariable', ['field', 'variable']],
  [/^loop without caller input: (.*?) \(.*\)$/, 'ivr.issue.loop', ['loop']],
  [/^queueId: give exactly one of queueId and queueVar$/, 'ivr.issue.queueChoice', []],
  [/^enabled: give exactly one of enabled and enabledVar$/, 'ivr.issue.noticeChoice', []],
  [/^(\S+): Invalid UUID$/, 'ivr.issue.uuid', ['field']],
  [/^(\S+): Too big: expected number to be <=(\S+)$/, 'ivr.issue.tooBig', ['field', 'max']],
  [/^(\S+): Too small: expected number to be >=(\S+)$/, 'ivr.issue.tooSmall', ['field', 'min']],
  [/^url: must start with http:\/\/ or https:\/\/ and a literal host.*$/, 'ivr.issue.url', []],
];

export type Translate = (key: string, options: { values: Record<string, string> }) => string;

export function localizeIssue(message: string, t: Translate): string {
  for (const [re, key, names] of PATTERNS) {
    const m = re.exec(message);
    if (!m) continue;
    const values: Record<string, string> = {};
    names.forEach((n, i) => (values[n] = m[i + 1] ?? ''));
    return t(key, { values });
  }
  return message;
}

/** The messages of a node that concern one field of it (the message starts with the field's path). */
export function fieldIssues(messages: readonly string[], path: string): string[] {
  return messages.filter((m) => m === path || m.startsWith(`${path} `) || m.startsWith(`${path}:`) || m.startsWith(`${path}.`));
}
