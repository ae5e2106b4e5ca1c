import { randomUUID } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CASE_NUMBER_PATTERN, agencyCodeOfCaseNumber } from '../domain/numbering';
import type { Role } from '../domain/roles';
import { InvalidInputError } from '../domain/validation';
import type { Register } from '../register';
import { RegisterError } from '../register/register';
import type { LoadedConfig } from '../workers/load-config';
import { type SignedIn, signedInAs } from './cases';
import { HttpError } from './errors';
import { SESSION_COOKIE, type SessionTokens } from './session';

// Temporal's remote codec protocol, so that the Temporal Web UI (and `temporal workflow show --codec-endpoint`) can show
// the payloads the worker encrypted: POST <endpoint>/decode and /encode with `{ payloads: [{ metadata: { key: base64 },
// data: base64 }] }` (proto3 JSON), the namespace in X-Namespace. The keys never leave the web app; the codecs are those
// of its own Temporal client. Decoded payloads hold applicants' personal data, so only a signed-in GIP office head may
// call it (see CODEC_ROLES), from the configured UI origins, and each decode is written to the audit trail of the cases
// it reveals.

export const CODEC_PATH = '/codec';
/** Temporal's payloads are at most 2 MB by default; base64 adds a third, and the UI may send several at once. */
export const CODEC_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
const MAX_PAYLOADS = 1000;

/**
 * Who may read decrypted payloads. The UI shows every workflow of the namespace, not the cases of one handler, so only
 * the person answerable for all of an agency's requests: the GIP office head (政府信息公开工作机构负责人), who already
 * opens every case of the agency. Not supervisors (they watch deadlines, never contents: domain/roles
 * `view-personal-data`), not the system administrator (runs the system, has no part in cases — the separation of the
 * system administrator from business data), not registrars, handlers or reviewers (each sees only their own cases).
 */
export const CODEC_ROLES: readonly Role[] = ['gip-office-head'];

const ALLOWED_REQUEST_HEADERS = 'Content-Type, X-Namespace, Authorization';

/** proto3 JSON writes bytes as base64, standard or URL-safe, padding optional. */
const base64 = z
  .string()
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, '不是 base64 / not base64')
  .refine((text) => text.replace(/=+$/, '').length % 4 !== 1, '不是 base64 / not base64');
const payloadJson = z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() });
const codecBody = z.object({ payloads: z.array(payloadJson).max(MAX_PAYLOADS) });
type PayloadJson = z.output<typeof payloadJson>;

const fromJson = ({ metadata, data }: PayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});

const toJson = ({ metadata, data }: Payload): { metadata: Record<string, string>; data: string } => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
});

/** Case numbers anywhere in a JSON payload's text (workflow inputs, activity arguments and case views name theirs). */
const CASE_NUMBERS_IN_TEXT = new RegExp(`(?<![A-Z0-9-])${CASE_NUMBER_PATTERN.source.replace(/^\^|\$$/g, '')}(?![0-9])`, 'g');

function caseNumbersIn(payloads: readonly Payload[]): string[] {
  const found = new Set<string>();
  for (const payload of payloads) {
    const encoding = Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString('utf8');
    if (!encoding.startsWith('json/')) continue;
    for (const match of Buffer.from(payload.data ?? new Uint8Array()).toString('utf8').matchAll(CASE_NUMBERS_IN_TEXT)) found.add(match[0]);
  }
  return [...found].sort();
}

export interface CodecEndpointDeps {
  config: Pick<LoadedConfig, 'users' | 'web' | 'temporal'>;
  /** The codecs of the web app's Temporal client (`client.options.loadedDataConverter.payloadCodecs`), in encode order. */
  codecs: readonly PayloadCodec[];
  tokens: SessionTokens;
  register: Pick<Register, 'recordCaseEvent'>;
}

/** POST /codec/decode and /codec/encode, and their CORS preflights. */
export function registerCodecEndpoint(app: FastifyInstance, { config, codecs, tokens, register }: CodecEndpointDeps): void {
  const allowedOrigins = new Set(config.web.codecCorsOrigins);
  const signedIn = new WeakMap<FastifyRequest, SignedIn>();

  /** CORS for the allowed origins only; a browser on any other origin is refused outright, not just left unread. */
  const cors = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const origin = request.headers.origin;
    reply.header('vary', 'Origin');
    if (origin === undefined) return; // not a browser: the CLI, a script
    if (!allowedOrigins.has(origin.toLowerCase())) {
      throw new HttpError(403, 'origin-not-allowed', 'Origin: 不是允许的来源（GONGKAI_CODEC_CORS_ORIGIN） / not an allowed origin (GONGKAI_CODEC_CORS_ORIGIN)', [
        { field: 'Origin', message: '不是允许的来源 / not an allowed origin' },
      ]);
    }
    reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true');
  };

  /**
   * A gongkai bearer token in Authorization (`temporal … --codec-auth 'Bearer <token>'`, scripts), else the session
   * cookie of the web app (the Web UI with "include cross-origin credentials", served from the same site).
   */
  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : request.cookies[SESSION_COOKIE];
    const who = signedInAs(config, tokens.verify(token));
    if (!who) throw new HttpError(401, 'unauthenticated', '请先登录 / sign in first: POST /api/session, then Authorization: Bearer <token>');
    if (!who.actor.roles.some((role) => CODEC_ROLES.includes(role))) {
      throw new HttpError(403, 'wrong-role', '查看解密后的载荷仅限政府信息公开工作机构负责人 / decrypted payloads are for the GIP office head only');
    }
    // The CLI sends an empty X-Namespace; the UI the namespace it shows.
    const namespace = request.headers['x-namespace'];
    if (namespace !== undefined && namespace !== '' && namespace !== config.temporal.namespace) {
      const message = `此端点只服务于命名空间 ${config.temporal.namespace} / this endpoint serves namespace ${config.temporal.namespace} only`;
      throw new HttpError(400, 'wrong-namespace', `X-Namespace: ${message}`, [{ field: 'X-Namespace', message }]);
    }
    signedIn.set(request, who);
  };
  /** JSON only: a text/plain POST would be a CORS "simple request", sent by a browser without asking first. */
  const jsonOnly = async (request: FastifyRequest): Promise<void> => {
    if (!/^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
      throw new HttpError(415, 'unsupported-media-type', 'Content-Type: 应为 application/json / expected application/json', [{ field: 'Content-Type', message: '应为 application/json / expected application/json' }]);
    }
  };
  const who = (request: FastifyRequest): SignedIn => {
    const known = signedIn.get(request);
    if (!known) throw new HttpError(401, 'unauthenticated', '请先登录 / sign in first');
    return known;
  };

  const preflight = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowedOrigins.has(origin.toLowerCase())) return reply.code(403).header('vary', 'Origin').send();
    return reply
      .code(204)
      .header('vary', 'Origin')
      .header('access-control-allow-origin', origin)
      .header('access-control-allow-credentials', 'true')
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', ALLOWED_REQUEST_HEADERS)
      .header('access-control-max-age', '600')
      .send();
  };

  const route = { onRequest: [cors, authenticate, jsonOnly], bodyLimit: CODEC_BODY_LIMIT_BYTES, schema: { hide: true, body: codecBody } };
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(`${CODEC_PATH}/decode`, route, async (request, reply) => {
    const { user, actor } = who(request);
    const decoded: Payload[] = [];
    // One at a time, so that a payload that does not open is named.
    for (const [index, payload] of request.body.payloads.entries()) {
      let current = [fromJson(payload)];
      try {
        for (const codec of [...codecs].reverse()) current = await codec.decode(current);
      } catch {
        const message = '无法解密：密钥不在密钥环中，或数据被改动 / cannot be decrypted: its key is not in the key ring, or the data was altered';
        throw new InvalidInputError('Codec request', [{ field: `payloads.${index}`, message }]);
      }
      decoded.push(...current);
    }
    const cases = caseNumbersIn(decoded);
    const otherAgency = cases.find((caseNumber) => agencyCodeOfCaseNumber(caseNumber) !== actor.agencyCode);
    if (otherAgency !== undefined) throw new HttpError(403, 'wrong-agency', '载荷属于其他机关的案件 / these payloads belong to a case of another agency');
    const at = new Date().toISOString();
    for (const caseNumber of cases) {
      try {
        await register.recordCaseEvent({ caseNumber, eventKey: `${caseNumber}:view:${randomUUID()}`, at, actorId: user.id, action: 'decode-payloads', changes: {} });
      } catch (err) {
        if (!(err instanceof RegisterError)) throw err; // a number the text mentions that is no case of the register
      }
    }
    // Who read how much of which cases; never what.
    request.log.info({ userId: user.id, namespace: config.temporal.namespace, payloads: decoded.length, cases }, 'codec decode');
    return reply.header('cache-control', 'no-store').send({ payloads: decoded.map(toJson) });
  });

  api.post(`${CODEC_PATH}/encode`, route, async (request, reply) => {
    who(request);
    let encoded = request.body.payloads.map(fromJson);
    for (const codec of codecs) encoded = await codec.encode(encoded);
    return reply.header('cache-control', 'no-store').send({ payloads: encoded.map(toJson) });
  });

  app.options(`${CODEC_PATH}/decode`, { schema: { hide: true } }, preflight);
  app.options(`${CODEC_PATH}/encode`, { schema: { hide: true } }, preflight);
}
