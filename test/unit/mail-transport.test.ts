import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smtpSettingsSchema } from '../../domain/gongkai-config';
import { InvalidInputError } from '../../domain/validation';
import { loadConfig } from '../../workers/load-config';
import { usesLocalCapture } from '../../workers/mail-transport';

// SMTP_URL and when `npm start` runs the local mail capture; sending over it is in test/integration/mail-capture.

const smtpFromEnv = (env: NodeJS.ProcessEnv) =>
  loadConfig({ env: { GONGKAI_DATA_DIR: mkdtempSync(join(tmpdir(), 'gongkai-smtp-')), ...env } }).smtp;

function refusal(env: NodeJS.ProcessEnv): InvalidInputError {
  try {
    smtpFromEnv(env);
  } catch (err) {
    if (err instanceof InvalidInputError) return err;
    throw err;
  }
  throw new Error('expected the configuration to be refused');
}

test('SMTP_URL sets smtp.url, beside the file and GONGKAI_SMTP_* settings', () => {
  expect(smtpFromEnv({ SMTP_URL: 'smtps://gongkai:pw@smtp.gov.internal:465' })).toMatchObject({
    url: 'smtps://gongkai:pw@smtp.gov.internal:465',
    host: '127.0.0.1',
  });
  expect(smtpFromEnv({}).url).toBeUndefined();
});

test.each([
  'http://gongkai:hunter2@smtp.gov.internal',
  'smtp://gongkai:hunter2@',
  'smtp:/gongkai:hunter2',
  'gongkai:hunter2@smtp.gov.internal:587',
])('a malformed SMTP_URL %# is refused naming the variable, never echoing it', (url) => {
  const error = refusal({ SMTP_URL: url });
  expect(error.problems).toEqual([expect.objectContaining({ field: 'smtp.url', label: '环境变量 SMTP_URL' })]);
  expect(error.message).toContain('smtp.url（环境变量 SMTP_URL）: 应为 smtp:// 或 smtps:// 地址');
  expect(error.message).not.toContain('hunter2');
});

test.each([
  [{}, true],
  [{ host: 'localhost' }, true],
  [{ host: '::1' }, true],
  [{ host: '127.0.0.2' }, true],
  [{ host: 'smtp.gov.internal' }, false],
  [{ host: '10.0.0.7' }, false],
  [{ url: 'smtp://127.0.0.1:2525' }, false],
])('usesLocalCapture(%j) is %s', (settings, expected) => {
  expect(usesLocalCapture(smtpSettingsSchema.parse(settings))).toBe(expected);
});
