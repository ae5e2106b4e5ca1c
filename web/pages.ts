import type { FastifyInstance } from 'fastify';
import type { PageDeps } from './app';
import { registerCasePages } from './case-pages';
import { registerIntakePages } from './intake-pages';
import { registerListPages } from './list-pages';
import { registerReportPages } from './report-pages';

// The pages staff use (Chinese, server-rendered, no script): 我的待办, 登记新申请, the case page, the supervisor
// board, closed cases, the local mail capture. Every page needs a signed-in person (else /login); every form
// carries the CSRF token, and every act an update id, so a double click acts once.

export function registerPages(app: FastifyInstance, deps: PageDeps): void {
  registerListPages(app, deps);
  registerIntakePages(app, deps);
  registerCasePages(app, deps);
  registerReportPages(app, deps);
}
