import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { isGrpcServiceError, ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyError } from 'fastify';
import { InvalidInputError } from '../domain/validation';
import { NoWorkerError } from '../workers/case-client';

// Every refusal the web app gives, as a status and a JSON body naming the field where there is one — never a
// 500 for a person's mistake or a worker's absence. Messages name fields and rules, never an applicant.

export interface WebErrorBody {
  error: string;
  message: string;
  problems?: { field: string; message: string }[];
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: { field: string; message: string }[],
  ) {
    super(message);
  }
}

/** The workflow's refusal types (update validators, domain/roles `authorize`) and the status each answers with. */
const REFUSAL_STATUS: Record<string, number> = {
  'wrong-role': 403,
  'wrong-agency': 403,
  'not-assigned': 403,
  'same-person': 403,
  'invalid-actor': 403,
  'wrong-stage': 409,
  'clock-rule': 409,
  'invalid-payload': 400,
  'unknown-action': 400,
  minimisation: 400,
};

/** A refusal's `data.field: message; …` list, as the workflow words it, into problems naming each field. */
function problemsOf(message: string): { field: string; message: string }[] | undefined {
  const problems = message
    .split('; ')
    .map((part) => /^((?:data|actor|action)(?:\.[A-Za-z0-9_[\]-]+)*):\s*(.+)$/s.exec(part))
    .filter((m) => m !== null)
    .map((m) => ({ field: m[1]!, message: m[2]! }));
  return problems.length ? problems : undefined;
}

/**
 * Refusals given before any route runs — by Fastify's router (a path that is no valid URL, a path parameter over its
 * length) and by Node's HTTP parser (headers over its limit, a malformed request) — in the shape of every other. They
 * do not echo the path: it is whatever the caller typed.
 */
const PRE_ROUTE_REFUSALS = new Map<string, { status: number; body: WebErrorBody }>([
  ['FST_ERR_BAD_URL', { status: 400, body: { error: 'bad-url', message: '请求地址无效 / the URL is not valid' } }],
  ['FST_ERR_MAX_PARAM_LENGTH', { status: 414, body: { error: 'uri-too-long', message: '请求地址中的参数过长 / a path parameter is too long' } }],
  ['HPE_HEADER_OVERFLOW', { status: 431, body: { error: 'headers-too-large', message: '请求头过大 / the request headers are too large' } }],
  ['ERR_HTTP_REQUEST_TIMEOUT', { status: 408, body: { error: 'request-timeout', message: '请求超时 / the request took too long to arrive' } }],
]);
const MALFORMED_REQUEST = { status: 400, body: { error: 'malformed-request', message: '请求格式错误 / the HTTP request is malformed' } };

/** Fastify's `clientErrorHandler`: Node could not parse the request, so there is no request to answer but the socket. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, body } = PRE_ROUTE_REFUSALS.get(err.code ?? '') ?? MALFORMED_REQUEST;
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
  }
  socket.destroy(err);
}

/** The HTTP answer for an error thrown while handling a request. */
export function webErrorOf(err: unknown): { status: number; body: WebErrorBody } {
  if (err instanceof HttpError) return { status: err.status, body: { error: err.code, message: err.message, ...(err.problems ? { problems: err.problems } : {}) } };
  const preRoute = PRE_ROUTE_REFUSALS.get((err as Partial<FastifyError> | undefined)?.code ?? '');
  if (preRoute != null) return preRoute;
  // Fastify's own codes (FST_ERR_…) are its internals: callers get a stable name.
  const fastifyCodes: Record<string, string> = { FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-body', FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-body', FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large', FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type', FST_CSRF_INVALID_TOKEN: 'csrf', FST_CSRF_MISSING_SECRET: 'csrf' };
  if (err instanceof InvalidInputError) {
    const problems = err.problems.map((p) => ({ field: p.field, message: p.message }));
    return { status: 400, body: { error: 'invalid-input', message: problems.map((p) => `${p.field}: ${p.message}`).join('; '), problems } };
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as { type?: string; message?: string } | undefined;
    const type = cause?.type ?? 'refused';
    const message = cause?.message ?? err.message;
    const problems = problemsOf(message);
    return { status: REFUSAL_STATUS[type] ?? 409, body: { error: type, message, ...(problems ? { problems } : {}) } };
  }
  if (err instanceof WorkflowNotFoundError) return { status: 404, body: { error: 'not-found', message: 'no such case' } };
  if (err instanceof ServiceError || isGrpcServiceError(err)) return { status: 503, body: { error: 'temporal-unavailable', message: 'Temporal 服务暂不可用，请稍后再试 / Temporal is unavailable; try again shortly' } };
  if (err instanceof NoWorkerError) return { status: 503, body: { error: 'no-worker', message: '暂无工作进程响应，请稍后再试 / no worker answered; try again shortly' } };
  const fastifyError = err as Partial<FastifyError>;
  // Fastify's own refusals: malformed JSON, a body too large, an unsupported media type, a bad CSRF token.
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const code = fastifyError.code ?? '';
    return { status: fastifyError.statusCode, body: { error: fastifyCodes[code] ?? (code.startsWith('FST_') ? 'bad-request' : code || 'bad-request'), message: fastifyError.message ?? 'bad request' } };
  }
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}
