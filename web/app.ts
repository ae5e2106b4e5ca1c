import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Logger } from 'pino';
import { bilingualIssueMessage, fieldProblems, InvalidInputError } from '../domain/validation';
import type { Register } from '../register';
import { NoWorkerError, requireWorker } from '../workers/case-client';
import type { LoadedConfig } from '../workers/load-config';
import { verifyPassword } from '../workers/passwords';
import { registerApi } from './api';
import { CODEC_PATH, registerCodecEndpoint } from './codec-endpoint';
import { type CaseService, createCaseService, type SignedIn, signedInAs } from './cases';
import { answerClientError, HttpError, webErrorOf } from './errors';
import { registerPages } from './pages';
import { SESSION_COOKIE, SESSION_TTL_MS, type SessionTokens, sessionTokens } from './session';
import { loadViews, type PageContext, type Views } from './views';

// The web app: one Fastify server for the pages staff use and the JSON API outside systems use, thin over
// Temporal and the register (docs/temporal-api.md). No business rule lives here: web/cases.ts asks the workflow.

/** Large enough for an application with many items and attachments listed; larger bodies get 413. */
export const BODY_LIMIT_BYTES = 256 * 1024;
export const DEFAULT_WEB_PORT = 3000;

export interface WebAppDeps {
  config: LoadedConfig;
  client: Client;
  register: Register;
  sessionSecret: Buffer;
  /** The local mail capture's directory (web page 本地邮件), when mail is captured locally. */
  mailDirectory?: string;
  logger?: Logger;
}

/** What the page routes share: services, views, and who is signed in. */
export interface PageDeps {
  cases: CaseService;
  tokens: SessionTokens;
  views: Views;
  mailDirectory?: string;
  /** The signed-in person of a page request, or undefined. */
  pageUser(request: FastifyRequest): SignedIn | undefined;
  /** The signed-in person, or a 401 that sends a browser's GET to /login (and back here after). */
  requireUser(request: FastifyRequest): SignedIn;
  /** Renders a page with the header's user and a fresh CSRF token. */
  page(request: FastifyRequest, reply: FastifyReply, view: string, context: PageContext, status?: number): FastifyReply;
}

const ASSETS_DIR = join(__dirname, 'assets');
const ASSETS: Record<string, string> = { 'app.css': 'text/css; charset=utf-8' };

export async function buildWebApp(deps: WebAppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Refusals before routing (no hooks have run, so no session or page): the JSON every other refusal has.
    frameworkErrors: (err, _request, reply: FastifyReply) => {
      const { status, body } = webErrorOf(err);
      void reply.code(status).send(body);
    },
    clientErrorHandler: answerClientError,
  });
  // zod at the edge, with the domain's bilingual messages and field naming (an unknown key is named only when it
  // looks like a field name: keys can carry what the caller typed).
  app.setValidatorCompiler(({ schema, httpPart }) => (data) => {
    const result = (schema as z.ZodType).safeParse(data, { error: bilingualIssueMessage });
    if (result.success) return { value: result.data };
    const problems = fieldProblems(result.error).map((p) => ({ field: p.field === '(root)' ? (httpPart ?? 'body') : p.field.replace(/^\*$/, 'documentId'), message: p.message }));
    return { error: new InvalidInputError('Request', problems) };
  });
  app.setSerializerCompiler(serializerCompiler);

  await app.register(helmet, {
    // No script anywhere, no outside origin: a page can only load its own CSS and post its own forms.
    contentSecurityPolicy: {
      // Only these directives: helmet's defaults would add script-src 'self' and upgrade-insecure-requests.
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'"], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
    },
  });
  await app.register(cookie, { secret: deps.sessionSecret });
  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(csrf, { sessionPlugin: '@fastify/cookie', cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', path: '/' } });
  await app.register(swagger, {
    openapi: {
      info: { title: 'gongkai API', version: '1', description: 'Requests for disclosure of government information: submit, list, view, act, download.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    // Only the JSON API belongs in the document; pages are for browsers.
    hideUntagged: true,
  });

  const tokens = sessionTokens(deps.sessionSecret);
  const cases = createCaseService(deps);
  const views = loadViews();
  const pageUser = (request: FastifyRequest) => signedInAs(deps.config, tokens.verify(request.cookies[SESSION_COOKIE]));
  const agencyName = (code: string) => deps.config.agencies.find((a) => a.code === code)?.name ?? code;
  const page: PageDeps['page'] = (request, reply, view, context, status = 200) => {
    const signedIn = pageUser(request);
    const user = signedIn && {
      id: signedIn.user.id,
      name: signedIn.user.name,
      roles: signedIn.user.roles.join(', '),
      agencyName: agencyName(signedIn.user.agencyCode),
      isSupervisor: signedIn.user.roles.includes('supervisor'),
      isRegistrar: signedIn.user.roles.includes('registrar'),
      isAdmin: signedIn.user.roles.includes('admin'),
      isOfficeHead: signedIn.user.roles.includes('gip-office-head'),
    };
    const html = views.render(view, { ...context, ...(user ? { user } : {}), csrfToken: reply.generateCsrf() });
    return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  };

  const requireUser = (request: FastifyRequest): SignedIn => {
    const signedIn = pageUser(request);
    if (!signedIn) throw new HttpError(401, 'unauthenticated', '请先登录 / sign in first');
    return signedIn;
  };

  // Pages post urlencoded forms only: anything else (JSON with other types than strings) is refused before it is read.
  app.addHook('preValidation', async (request) => {
    if (request.method !== 'POST' || request.url.startsWith('/api/') || request.url.startsWith(`${CODEC_PATH}/`)) return;
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      throw new HttpError(415, 'unsupported-media-type', '表单应以 application/x-www-form-urlencoded 提交 / forms post application/x-www-form-urlencoded');
    }
  });

  app.setErrorHandler((err, request, reply) => {
    const { status, body } = webErrorOf(err);
    if (status >= 500 && status !== 503) request.log.error({ err }, 'request failed');
    if (request.url.startsWith('/api/') || !request.headers.accept?.includes('text/html')) return reply.code(status).send(body);
    if (status === 401 && request.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    return page(request, reply, 'error', { title: `${status}`, status, error: body }, status);
  });
  app.setNotFoundHandler((request, reply) => {
    const body = { error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` };
    if (request.url.startsWith('/api/') || !request.headers.accept?.includes('text/html')) return reply.code(404).send(body);
    return page(request, reply, 'error', { title: '404', status: 404, error: body }, 404);
  });

  // Liveness: the process answers. Readiness: Temporal answers, a worker polls the task queue, the register reads.
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks = await readiness(deps);
    const ready = Object.values(checks).every((check) => check === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });
  app.get('/docs', { schema: { hide: true } }, () => app.swagger());
  app.get('/docs/json', { schema: { hide: true } }, () => app.swagger());
  app.get<{ Params: { file: string } }>('/assets/:file', (request, reply) => {
    const type = Object.hasOwn(ASSETS, request.params.file) ? ASSETS[request.params.file] : undefined;
    if (!type) throw new HttpError(404, 'not-found', 'no such asset');
    return reply.type(type).header('cache-control', 'public, max-age=3600').send(readFileSync(join(ASSETS_DIR, request.params.file)));
  });

  // Sign-in for the pages: a session cookie (httpOnly, SameSite=Strict; Secure behind https).
  app.get<{ Querystring: { next?: string } }>('/login', (request, reply) => page(request, reply, 'login', { title: '登录', next: safeNext(request.query.next) }));
  app.post<{ Body: Record<string, unknown> | undefined }>('/login', { preHandler: app.csrfProtection }, async (request, reply) => {
    // One value each: a repeated field (an array) is no password.
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    const userId = text(request.body?.userId);
    const password = text(request.body?.password);
    const next = text(request.body?.next) || undefined;
    const user = deps.config.users.find((u) => u.id === userId);
    const ok = password.length > 0 && password.length <= 1024 && (await verifyPassword(password, user?.passwordHash));
    if (!user || !ok) return page(request, reply, 'login', { title: '登录', next: safeNext(next), userId, flash: { kind: 'error', text: '用户名或密码不正确' } }, 401);
    const { token } = tokens.issue(user.id);
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: deps.config.web.publicUrl.startsWith('https://'),
      maxAge: SESSION_TTL_MS / 1000,
    });
    return reply.redirect(safeNext(next), 303);
  });
  app.post('/logout', { preHandler: app.csrfProtection }, (_request, reply) => reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/login', 303));

  registerApi(app, cases, tokens);
  registerCodecEndpoint(app, { config: deps.config, codecs: deps.client.options.loadedDataConverter.payloadCodecs, tokens, register: deps.register });
  registerPages(app, { cases, tokens, views, pageUser, requireUser, page, ...(deps.mailDirectory ? { mailDirectory: deps.mailDirectory } : {}) });
  return app;
}

/** Each dependency's state for /readyz: 'ok', or what failed (no detail that could carry data). */
async function readiness({ config, client, register }: WebAppDeps): Promise<Record<'temporal' | 'worker' | 'register', string>> {
  const outcome = async (check: () => Promise<void>): Promise<string> => {
    try {
      await check();
      return 'ok';
    } catch (err) {
      return err instanceof NoWorkerError ? 'no worker polls the task queue' : 'unreachable';
    }
  };
  const [temporal, worker, registerState] = await Promise.all([
    outcome(async () => void (await client.workflowService.getSystemInfo({}))),
    outcome(() => requireWorker(client, config.temporal)),
    outcome(async () => void (await register.holidayNotices())),
  ]);
  return { temporal, worker, register: registerState };
}

/** Where to go after sign-in: a path on this site only (never an open redirect). */
function safeNext(next: string | undefined): string {
  return next && /^\/(?!\/)[A-Za-z0-9/_.?=&%-]*$/.test(next) ? next : '/';
}
