import type { FastifyInstance } from 'fastify';
import type { PageDeps } from './app';

export function registerCasePages(_app: FastifyInstance, _deps: PageDeps): void {
  // to be written
}
