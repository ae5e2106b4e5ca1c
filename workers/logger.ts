import pino from 'pino';

/** Process logger for workers, the web app and the CLI. Never log applicant data: log case numbers. */
export const logger = pino({
  name: 'gongkai',
  level: process.env.GONGKAI_LOG_LEVEL ?? 'info',
  redact: { paths: ['*.applicant', '*.name', '*.idNumber', '*.phone', '*.email', '*.address'], censor: '[redacted]' },
});
