import path from 'node:path';
import { loadConfig, ConfigError, voicemailDir, type Config } from './config/config.ts';
import { createLogger } from './platform/logger.ts';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './platform/embedded-postgres.ts';
import { freeswitchBinary, launchFreeswitch, type FreeswitchProcess } from './platform/freeswitch-process.ts';
import { startContactCenter } from './platform/contact-center.ts';

function freeswitchVars(config: Config): Record<string, string | number> {
  return {
    cc_sip_ip: '127.0.0.1',
    cc_ext_ip: '127.0.0.1',
    cc_agent_sip_port: config.CC_SIP_PORT,
    cc_agent_ws_binding: `127.0.0.1:${config.CC_SIP_WS_PORT}`,
    cc_agent_wss_binding: `127.0.0.1:${config.CC_SIP_WS_PORT + 1}`,
    cc_trunk_sip_port: config.CC_SIP_TRUNK_PORT,
    cc_candidate_cidr: '127.0.0.0/8',
    cc_esl_ip: config.CC_ESL_HOST,
    cc_esl_port: config.CC_ESL_PORT,
    cc_esl_password: config.CC_ESL_PASSWORD,
    cc_fsxml_url: `http://${config.CC_HTTP_HOST}:${config.CC_HTTP_PORT}/fsxml`,
    cc_fsxml_credentials: `${config.CC_FSXML_USER}:${config.CC_FSXML_PASSWORD}`,
    cc_external_dial_prefix: config.CC_EXTERNAL_DIAL_PREFIX,
    cc_external_dial_suffix: config.CC_EXTERNAL_DIAL_SUFFIX,
    cc_rtp_start: config.CC_RTP_START,
    cc_rtp_end: config.CC_RTP_END,
    cc_voicemail_dir: voicemailDir(config),
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.CC_LOG_LEVEL);
  let pg: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.CC_DATABASE_URL;
  if (!databaseUrl) {
    pg = await startEmbeddedPostgres(path.join(config.CC_DATA_DIR, 'postgres'), config.CC_EMBEDDED_PG_PORT, logger.child({ component: 'postgres' }));
    await pg.createDatabase('callcenter');
    databaseUrl = pg.url('callcenter');
    logger.info({ port: config.CC_EMBEDDED_PG_PORT }, 'embedded PostgreSQL started');
  }
  const center = await startContactCenter(config, databaseUrl, logger);

  let freeswitch: FreeswitchProcess | undefined;
  const bin = config.CC_FREESWITCH === 'launch' ? freeswitchBinary() : null;
  if (bin) {
    try {
      freeswitch = await launchFreeswitch({ bin, runDir: path.join(config.CC_DATA_DIR, 'freeswitch'), vars: freeswitchVars(config), logger: logger.child({ component: 'freeswitch' }) });
    } catch (err) {
      logger.error({ err }, 'could not launch FreeSWITCH; waiting for an external one');
    }
  } else if (config.CC_FREESWITCH === 'launch') {
    logger.warn('no FreeSWITCH binary found (FREESWITCH_BIN or /usr/local/freeswitch/bin/freeswitch): waiting for an external FreeSWITCH');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await center.stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
    await freeswitch?.stop();
    await pg?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
