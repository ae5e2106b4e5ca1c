import type { CodecKeyRingSettings } from '../../domain/config';

/**
 * A fixed key for tests only, committed so that recorded histories in test/histories replay.
 * It protects nothing: never use it outside tests.
 */
export const TEST_CODEC_KEYS: CodecKeyRingSettings = {
  activeKeyId: 'test-only-2026',
  keys: { 'test-only-2026': '2S0nXrib04HKZwMfJ6+7P7h6/g6/30UlwP3KLgJ5LFs=' },
};
