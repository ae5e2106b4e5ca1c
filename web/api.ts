import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SUPPORTED_ACTIONS, type SupportedAction } from '../domain/case-actions';
import { CASE_NUMBER_PATTERN } from '../domain/numbering';
import { verifyPassword } from '../workers/passwords';
import { type CaseService, type SignedIn, signedInAs } from './cases';
import { HttpError } from './errors';
import type { SessionTokens } from './session';

// The JSON API under /api, for outside systems (an online application portal) and scripts: bearer tokens from
// POST /api/session, zod at the edge, the OpenAPI document at /docs. Every route answers 4xx for a caller's
// mistake, 503 when no worker answers.

const caseNumber = z.string().regex(CASE_NUMBER_PATTERN, 'a case number such as LYG-ZRZY-2026-000001');
const errorBody = z.object({ error: z.string(), message: z.string(), problems: z.array(z.object({ field: z.string(), message: z.string() })).optional() });
const refusals = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody };
/** An id the caller chooses for an act or a submission: sending it again acts once. */
const callerId = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, '1-100 of A-Z a-z 0-9 . _ : -');

const openCaseRow = z.object({
  caseNumber: z.string(),
  agency: z.string().nullable(),
  stage: z.string().nullable(),
  handler: z.string().nullable(),
  receivedOn: z.string().nullable(),
  replyDue: z.string().nullable(),
  paused: z.boolean(),
  next: z.string().nullable(),
  nextDue: z.string().nullable(),
});

/** The signed-in person of an API request (bearer token), or 401. */
export function bearerUser(request: FastifyRequest, tokens: SessionTokens, config: Parameters<typeof signedInAs>[0]): SignedIn {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
  const signedIn = signedInAs(config, tokens.verify(token));
  if (!signedIn) throw new HttpError(401, 'unauthenticated', '请先登录 / sign in first: POST /api/session, then Authorization: Bearer <token>');
  return signedIn;
}

export function registerApi(app: FastifyInstance, cases: CaseService, tokens: SessionTokens): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // Who calls is settled first (onRequest), so a caller without a token learns nothing of the request's schema.
  const signedIn = new WeakMap<FastifyRequest, SignedIn>();
  const authenticate = async (request: FastifyRequest): Promise<void> => {
    signedIn.set(request, bearerUser(request, tokens, cases.config));
  };
  const who = (request: FastifyRequest): SignedIn => {
    const known = signedIn.get(request);
    if (!known) throw new HttpError(401, 'unauthenticated', '请先登录 / sign in first');
    return known;
  };

  api.post(
    '/api/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign in: a bearer token for the API (12 hours)',
        body: z.strictObject({ userId: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
        response: { 200: z.object({ token: z.string(), expiresAt: z.string() }), 400: errorBody, 401: errorBody },
      },
    },
    async (request) => {
      const user = cases.config.users.find((u) => u.id === request.body.userId);
      // The same answer and the same work for an unknown user as for a wrong password.
      const ok = await verifyPassword(request.body.password, user?.passwordHash);
      if (!user || !ok) throw new HttpError(401, 'unauthenticated', '用户名或密码不正确 / wrong user or password');
      return tokens.issue(user.id);
    },
  );

  api.post(
    '/api/submissions',
    {
      onRequest: authenticate,
      schema: {
        tags: ['cases'],
        summary: 'Register a request (registrars); the same submissionId again returns the same case',
        security: [{ bearer: [] }],
        body: z.strictObject({ submissionId: callerId, application: z.record(z.string(), z.unknown()) }),
        response: { 200: z.object({ caseNumber: z.string(), created: z.boolean() }), 201: z.object({ caseNumber: z.string(), created: z.boolean() }), ...refusals },
      },
    },
    async (request, reply) => {
      const result = await cases.submit(who(request).actor, request.body);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  api.get(
    '/api/cases',
    {
      onRequest: authenticate,
      schema: {
        tags: ['cases'],
        summary: 'Open cases the signed-in person may see, by reply deadline (the CLI’s filters)',
        security: [{ bearer: [] }],
        querystring: z.strictObject({
          overdue: z.enum(['true', 'false']).optional(),
          dueWithin: z.coerce.number().int().min(1).max(200).optional(),
          paused: z.enum(['true', 'false']).optional(),
          handler: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
          agency: z.string().regex(/^[A-Z][A-Z0-9-]{1,31}$/).optional(),
        }),
        response: { 200: z.object({ cases: z.array(openCaseRow) }), ...refusals },
      },
    },
    async (request) => {
      const { overdue, dueWithin, paused, handler, agency } = request.query;
      const rows = await cases.listOpen(who(request).actor, {
        ...(overdue ? { overdue: overdue === 'true' } : {}),
        ...(paused ? { paused: paused === 'true' } : {}),
        ...(dueWithin ? { dueWithin } : {}),
        ...(handler ? { handler } : {}),
        ...(agency ? { agency } : {}),
      });
      return { cases: rows };
    },
  );

  api.get(
    '/api/cases/:caseNumber',
    {
      onRequest: authenticate,
      schema: {
        tags: ['cases'],
        summary: 'A case: stage, deadlines with the clock’s explanation, timeline, documents, and the actions this person may take now',
        security: [{ bearer: [] }],
        params: z.strictObject({ caseNumber }),
        response: { 200: z.object({ source: z.enum(['workflow', 'register']), case: z.record(z.string(), z.unknown()), permittedActions: z.array(z.string()) }), ...refusals },
      },
    },
    async (request) => {
      const { actor } = who(request);
      const found = await cases.view(actor, request.params.caseNumber);
      if (found.source === 'register') return { source: found.source, case: found.record, permittedActions: [] };
      return { source: found.source, case: found.view as unknown as Record<string, unknown>, permittedActions: cases.permitted(actor, found.view) };
    },
  );

  api.get(
    '/api/cases/:caseNumber/application',
    {
      onRequest: authenticate,
      schema: {
        tags: ['cases'],
        summary: 'The application with the applicant’s personal data (case staff of the agency; each view audited)',
        security: [{ bearer: [] }],
        params: z.strictObject({ caseNumber }),
        response: { 200: z.object({ application: z.record(z.string(), z.unknown()) }), ...refusals },
      },
    },
    async (request) => ({ application: (await cases.application(who(request).actor, request.params.caseNumber)) as unknown as Record<string, unknown> }),
  );

  api.post(
    '/api/cases/:caseNumber/actions',
    {
      onRequest: authenticate,
      schema: {
        tags: ['cases'],
        summary: 'Take an action on a case (docs/temporal-api.md lists each action’s data); updateId makes a retry act once',
        security: [{ bearer: [] }],
        params: z.strictObject({ caseNumber }),
        body: z.strictObject({ action: z.enum(SUPPORTED_ACTIONS as [SupportedAction, ...SupportedAction[]]), data: z.record(z.string(), z.unknown()).optional(), updateId: callerId.optional() }),
        response: { 200: z.object({ case: z.record(z.string(), z.unknown()) }), ...refusals },
      },
    },
    async (request) => {
      const view = await cases.act(who(request).actor, request.params.caseNumber, request.body);
      return { case: view as unknown as Record<string, unknown> };
    },
  );

  api.get(
    '/api/documents/*',
    {
      onRequest: authenticate,
      schema: {
        tags: ['documents'],
        summary: 'Download a stored letter (PDF or DOCX) by its id, e.g. /api/documents/LYG-ZRZY-2026-000001/reply/v1.pdf (audited)',
        security: [{ bearer: [] }],
        params: z.strictObject({ '*': z.string().regex(/^[A-Z][A-Z0-9-]{1,15}-\d{4}-\d{6}\/[a-z-]+\/[A-Za-z0-9]+\.(pdf|docx)$/, 'a document id such as LYG-ZRZY-2026-000001/reply/v1.pdf') }),
        response: { 200: z.unknown().describe('the file: application/pdf or the DOCX media type'), ...refusals },
      },
    },
    async (request, reply) => {
      const document = await cases.document(who(request).actor, request.params['*']);
      return reply
        .header('content-type', document.mediaType)
        .header('content-disposition', `attachment; filename="${document.fileName}"`)
        .send(document.content);
    },
  );
}
