import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { actorOf, type GongkaiConfig } from '../domain/gongkai-config';
import type { Actor } from '../domain/roles';
import { InvalidInputError } from '../domain/validation';
import { actUpdate, type CaseView } from '../workflows/request/messages';

// What interfaces (CLI, web app) do to act on a case: resolve people from the configuration, then send the
// `act` update. The workflow's validator decides; nothing here re-implements a rule.

export function actorFor(config: Pick<GongkaiConfig, 'users'>, userId: string, field = 'actor'): Actor {
  const user = config.users.find((u) => u.id === userId);
  if (!user) throw new InvalidInputError('Actor', [{ field, message: '未配置的用户 / not a configured user' }]);
  return actorOf(user);
}

const PERSON_ACTIONS = new Set(['assign-handler', 'reassign-handler', 'hand-over']);

/** `{ handlerId }` in an assignment becomes the resolved person the workflow checks (`{ handler }`). */
export function resolvePayload(config: Pick<GongkaiConfig, 'users'>, action: string, data: unknown): unknown {
  if (!PERSON_ACTIONS.has(action) || data === null || typeof data !== 'object' || !('handlerId' in data)) return data;
  const { handlerId, ...rest } = data as { handlerId: unknown };
  const { userId, roles, agencyCode } = actorFor(config, String(handlerId), 'data.handlerId');
  return { ...rest, handler: { userId, roles, agencyCode } };
}

export interface ActOptions {
  action: string;
  actor: Actor;
  data?: unknown;
  /** The caller's id for this act (a form token): sending it twice applies it once. */
  updateId?: string;
}

export async function actOnCase(client: Client, caseNumber: string, options: ActOptions): Promise<CaseView> {
  return client.workflow.getHandle(caseNumber).executeUpdate(actUpdate, {
    args: [{ action: options.action, actor: options.actor, data: options.data }],
    updateId: options.updateId ?? randomUUID(),
  });
}
