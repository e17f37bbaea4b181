import { describe, expect, it } from 'vitest';
import { nextBackoff } from '../../src/esl/backoff.ts';
import { parseChannelList, ChannelListParseError } from '../../src/esl/channels.ts';
import { loadConfig, ConfigError } from '../../src/config/config.ts';
import { directoryUser, notFound, queueRoute } from '../../src/fsxml/documents.ts';
import { normalizePhone } from '../../src/crm/customers.ts';
import { hasRole } from '../../src/auth/roles.ts';
import { sessionIdOf, generateSessionToken } from '../../src/auth/sessions.ts';
import { runtimeVarsXml } from '../../src/platform/freeswitch-process.ts';

describe('backoff', () => {
  it('grows exponentially up to the maximum', () => {
    const p = { initialMs: 500, maxMs: 10_000 };
    expect(nextBackoff(p, 0, () => 1)).toBe(500);
    expect(nextBackoff(p, 3, () => 1)).toBe(4000);
    expect(nextBackoff(p, 30, () => 1)).toBe(10_000);
    expect(nextBackoff(p, 5, () => 0)).toBe(250);
  });
});

describe('show channels as json', () => {
  it('parses the empty and the populated forms', () => {
    expect(parseChannelList('{"row_count": 0}\n')).toEqual([]);
    const rows = parseChannelList('{"row_count":1,"rows":[{"uuid":"u1","direction":"inbound","created_epoch":"1795301542","cid_num":"eslfix2","dest":"9101","application":"park","callstate":"ACTIVE"}]}');
    expect(rows[0]).toMatchObject({ uuid: 'u1', createdEpoch: 1795301542, application: 'park' });
  });
  it('rejects garbage with a typed error', () => {
    expect(() => parseChannelList('-ERR no')).toThrow(ChannelListParseError);
    expect(() => parseChannelList('{"rows":"x"}')).toThrow(ChannelListParseError);
  });
});

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.CC_HTTP_PORT).toBe(8080);
    expect(c.CC_SIP_WS_URLS).toEqual(['ws://127.0.0.1:5066']);
  });
  it('reports one line per mistake', () => {
    try {
      loadConfig({ CC_HTTP_PORT: 'http', CC_SIP_WS_URLS: 'http://x', CC_ICE_SERVERS: '{bad', CC_LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/CC_HTTP_PORT/);
      expect(problems.join('\n')).toMatch(/CC_ICE_SERVERS: must be a JSON array/);
    }
  });
});

describe('mod_xml_curl documents', () => {
  it('escapes values and names the user', () => {
    const xml = directoryUser({ domain: 'cc.local', extension: '1001', password: 'p<&>"', displayName: '王五', context: 'default' });
    expect(xml).toContain('<user id="1001">');
    expect(xml).toContain('value="p&lt;&amp;&gt;&quot;"');
    expect(xml).toContain('王五');
    expect(notFound()).toContain('<result status="not found"/>');
    expect(queueRoute('public', '+864000', 'q1')).toContain('expression="^\\+864000$"');
  });
});

describe('small pure helpers', () => {
  it('normalises phone numbers', () => {
    expect(normalizePhone('+86 138-0013-8000')).toBe('13800138000');
    expect(normalizePhone('008613800138000')).toBe('13800138000');
    expect(normalizePhone('010 6552 9988')).toBe('01065529988');
  });
  it('orders roles', () => {
    expect(hasRole('admin', 'supervisor')).toBe(true);
    expect(hasRole('agent', 'supervisor')).toBe(false);
  });
  it('stores only a hash of session tokens', () => {
    const t = generateSessionToken();
    expect(t).toMatch(/^[a-z2-7]{32}$/);
    expect(sessionIdOf(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionIdOf(t)).not.toContain(t);
  });
  it('writes FreeSWITCH runtime variables and refuses injection', () => {
    expect(runtimeVarsXml({ cc_esl_port: 8021 })).toContain('<X-PRE-PROCESS cmd="set" data="cc_esl_port=8021"/>');
    expect(() => runtimeVarsXml({ cc_x: 'a"/><evil' })).toThrow();
  });
});
