import type { CodecKeyRingSettings } from '../domain/config';
import { aesGcmDecrypt, aesGcmEncrypt, keyRingBuffers, keyRingFromSettings } from './aes-gcm';

const FORMAT_VERSION = 1;
const utf8 = new TextEncoder();

/**
 * Encrypts personal data the register keeps (applications, letters, case files), with the same key ring
 * as the Temporal payload codec. A sealed value names its key and is bound to a context string
 * (e.g. the case number and column), so a blob copied to another row does not open.
 * Layout: version (1 byte) ‖ key-id length (1 byte) ‖ key id ‖ IV ‖ ciphertext ‖ tag.
 */
export class Sealer {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    private readonly activeKeyId: string,
    keys: ReadonlyMap<string, Buffer>,
  ) {
    this.keys = keyRingBuffers(activeKeyId, keys);
  }

  static fromSettings(ring: CodecKeyRingSettings): Sealer {
    return new Sealer(ring.activeKeyId, keyRingFromSettings(ring));
  }

  seal(plain: Uint8Array, context: string): Buffer {
    const keyId = Buffer.from(this.activeKeyId, 'utf8');
    const body = aesGcmEncrypt(this.keys.get(this.activeKeyId)!, plain, utf8.encode(`${context}\u0000${this.activeKeyId}`));
    return Buffer.concat([Buffer.from([FORMAT_VERSION, keyId.length]), keyId, body]);
  }

  open(sealed: Uint8Array, context: string): Buffer {
    const bytes = Buffer.from(sealed);
    if (bytes[0] !== FORMAT_VERSION) throw new Error(`sealed data of an unknown format (${context})`);
    const idLength = bytes[1] ?? 0;
    const keyId = bytes.subarray(2, 2 + idLength).toString('utf8');
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`No key "${keyId}" in the key ring to open sealed data (${context})`);
    return aesGcmDecrypt(key, bytes.subarray(2 + idLength), utf8.encode(`${context}\u0000${keyId}`));
  }

  sealJson(value: unknown, context: string): Buffer {
    return this.seal(utf8.encode(JSON.stringify(value)), context);
  }

  openJson<T>(sealed: Uint8Array, context: string): T {
    return JSON.parse(this.open(sealed, context).toString('utf8')) as T;
  }
}
