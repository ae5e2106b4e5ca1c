import { type Payload, type PayloadCodec, METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { CodecKeyRingSettings } from '../domain/config';
import { aesGcmDecrypt, aesGcmEncrypt, keyRingBuffers, keyRingFromSettings } from './aes-gcm';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * Encrypts whole payloads (data and metadata) with AES-256-GCM before they leave the process,
 * so the Temporal server stores only ciphertext. The key id travels in plaintext metadata and is
 * bound to the ciphertext as associated data; decryption picks the key by that id, which lets keys rotate.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    private readonly activeKeyId: string,
    keys: ReadonlyMap<string, Buffer>,
  ) {
    this.keys = keyRingBuffers(activeKeyId, keys);
  }

  static fromSettings(ring: CodecKeyRingSettings): AesGcmPayloadCodec {
    return new AesGcmPayloadCodec(ring.activeKeyId, keyRingFromSettings(ring));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const body = aesGcmEncrypt(this.keys.get(this.activeKeyId)!, plain, utf8.encode(this.activeKeyId));
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: utf8.encode(this.activeKeyId),
      },
      data: body,
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!keyIdBytes) throw new Error('Encrypted payload has no encryption-key-id');
    const keyId = fromUtf8.decode(keyIdBytes);
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`No key "${keyId}" in the key ring to decrypt this payload (rotated out too early?)`);
    return temporal.api.common.v1.Payload.decode(aesGcmDecrypt(key, payload.data ?? new Uint8Array(), keyIdBytes));
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && fromUtf8.decode(encoding) === ENCRYPTED_ENCODING;
}
