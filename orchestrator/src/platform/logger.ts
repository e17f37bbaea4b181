import pino, { type Logger } from 'pino';

export function createLogger(level: string, name = 'orchestrator'): Logger {
  return pino({ name, level, redact: ['password', '*.password', 'sipPassword', '*.sipPassword', 'token'] });
}
