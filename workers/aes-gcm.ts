import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a fresh random IV: returns IV ‖ ciphertext ‖ tag. `aad` is authenticated, not encrypted. */
export function aesGcmEncrypt(key: Buffer, plain: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The inverse of `aesGcmEncrypt`; throws on a wrong key, wrong `aad` or any altered byte. */
export function aesGcmDecrypt(key: Buffer, body: Uint8Array, aad: Uint8Array): Buffer {
  const bytes = Buffer.from(body);
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted data is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
}

/** A key ring as buffers, checked: every key 32 bytes, the active one present. */
export function keyRingBuffers(activeKeyId: string, keys: ReadonlyMap<string, Buffer>): ReadonlyMap<string, Buffer> {
  for (const [id, key] of keys) {
    if (key.length !== 32) throw new Error(`Encryption key "${id}" must be 32 bytes, got ${key.length}`);
  }
  if (!keys.has(activeKeyId)) throw new Error(`Active encryption key "${activeKeyId}" is not in the key ring`);
  return keys;
}

/** The key ring of the settings (`{ activeKeyId, keys: { id: base64 } }`) as checked buffers. */
export function keyRingFromSettings(ring: { activeKeyId: string; keys: Record<string, string> }): ReadonlyMap<string, Buffer> {
  return keyRingBuffers(ring.activeKeyId, new Map(Object.entries(ring.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')])));
}
