import type { FastifyInstance } from 'fastify';
import type { PageDeps } from './app';

// The pages staff use (Chinese, server-rendered, no script): 我的待办, 登记新申请, the case page, the supervisor
// board, closed cases, the local mail capture.

export function registerPages(app: FastifyInstance, deps: PageDeps): void {
  app.get('/', (request, reply) => {
    const signedIn = deps.pageUser(request);
    if (!signedIn) return reply.redirect('/login?next=%2F', 303);
    return deps.page(request, reply, 'error', { title: '我的待办', status: 200, error: { message: 'pages to come' } });
  });
}
