import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../workers/encryption-codec';

const personalData = { name: '王小明', idNumber: '11010519491231002X', phone: '13800138000' };
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const text = (bytes: Uint8Array | null | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

test('encoded payloads carry no plaintext, name their key, and decode to the original', async () => {
  const codec = new AesGcmPayloadCodec('a', new Map([['a', keyA]]));
  const original = defaultPayloadConverter.toPayload(personalData);

  const [encoded] = await codec.encode([original]);

  expect(text(encoded!.metadata?.[METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
  expect(text(encoded!.metadata?.[KEY_ID_METADATA])).toBe('a');
  for (const value of Object.values(personalData)) expect(text(encoded!.data)).not.toContain(value);
  expect(text(encoded!.metadata?.[METADATA_ENCODING_KEY])).not.toContain('json');

  const [decoded] = await codec.decode([encoded!]);
  expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(personalData);
});

test('the same value encrypts differently each time (fresh IV)', async () => {
  const codec = new AesGcmPayloadCodec('a', new Map([['a', keyA]]));
  const payload = defaultPayloadConverter.toPayload('同一个值');
  const [first] = await codec.encode([payload]);
  const [second] = await codec.encode([payload]);
  expect(Buffer.compare(Buffer.from(first!.data!), Buffer.from(second!.data!))).not.toBe(0);
});

test('after rotation, payloads written with the old key still decode and new ones use the new key', async () => {
  const before = new AesGcmPayloadCodec('a', new Map([['a', keyA]]));
  const after = new AesGcmPayloadCodec('b', new Map([['a', keyA], ['b', keyB]]));
  const [old] = await before.encode([defaultPayloadConverter.toPayload('旧')]);
  const [fresh] = await after.encode([defaultPayloadConverter.toPayload('新')]);

  expect(text(fresh!.metadata?.[KEY_ID_METADATA])).toBe('b');
  const decoded = await after.decode([old!, fresh!]);
  expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual(['旧', '新']);
});

test('a payload it did not encrypt passes through decode unchanged', async () => {
  const codec = new AesGcmPayloadCodec('a', new Map([['a', keyA]]));
  const plain = defaultPayloadConverter.toPayload({ stage: '登记' });
  expect(await codec.decode([plain])).toEqual([plain]);
});

test('a missing key, a tampered ciphertext or a swapped key id is refused, never decoded to garbage', async () => {
  const writer = new AesGcmPayloadCodec('a', new Map([['a', keyA], ['b', keyB]]));
  const [encoded] = await writer.encode([defaultPayloadConverter.toPayload(personalData)]);

  const withoutKeyA = new AesGcmPayloadCodec('b', new Map([['b', keyB]]));
  await expect(withoutKeyA.decode([encoded!])).rejects.toThrow('No key "a"');

  const tampered = Buffer.from(encoded!.data!);
  tampered[20] = tampered[20]! ^ 0xff;
  await expect(writer.decode([{ ...encoded!, data: tampered }])).rejects.toThrow();

  const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
  await expect(writer.decode([relabelled])).rejects.toThrow();
});

test('keys of the wrong length and an active key outside the ring are refused at construction', () => {
  expect(() => new AesGcmPayloadCodec('a', new Map([['a', randomBytes(16)]]))).toThrow('must be 32 bytes');
  expect(() => new AesGcmPayloadCodec('z', new Map([['a', keyA]]))).toThrow('not in the key ring');
});
