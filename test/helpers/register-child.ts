// A second process on the same register, for concurrency and crash tests:
//   npx tsx test/helpers/register-child.ts '<json>'   (see RegisterChildJob)
import type { RegisterDbSettings } from '../../register/database';
import { openRegister } from '../../register';
import { TEST_CODEC_KEYS } from './test-keys';

export interface RegisterChildJob {
  settings: RegisterDbSettings;
  applicantIndexKeyHex: string;
  /** 'allocate': allocate every key and print the results; 'allocate-then-crash': allocate the first key, print, then die by SIGKILL. */
  op: 'allocate' | 'allocate-then-crash';
  agencyCode: string;
  year: number;
  documentType: string;
  keys: string[];
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '{}') as RegisterChildJob;
  const register = await openRegister({ database: job.settings, keys: TEST_CODEC_KEYS, applicantIndexKey: Buffer.from(job.applicantIndexKeyHex, 'hex') });
  const allocate = (key: string) =>
    register.allocateDocumentNumber({
      agencyCode: job.agencyCode,
      year: job.year,
      documentType: job.documentType,
      format: '测政公开〔{year}〕{seq}号',
      key,
      at: new Date().toISOString(),
    });
  if (job.op === 'allocate-then-crash') {
    process.stdout.write(JSON.stringify(await allocate(job.keys[0]!)) + '\n', () => process.kill(process.pid, 'SIGKILL'));
    return;
  }
  const results = await Promise.all(job.keys.map(allocate));
  process.stdout.write(JSON.stringify(results) + '\n');
  await register.close();
}

void main();
