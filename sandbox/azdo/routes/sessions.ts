// The agent side: sessions (online while one exists) and the long-polled message queue.
import type { Emulator, RequestContext, Route } from '../context.ts';
import { agentNotFound, badArgument, sessionConflict, sessionExpired } from '../errors.ts';
import { intParam, readObject } from '../http.ts';
import { randomGuid } from '../state.ts';
import type { Pool, Session } from '../state.ts';
import { requirePool } from './lookup.ts';

function requireSession(emu: Emulator, pool: Pool, sessionId: string | null | undefined): Session {
  if (!sessionId) throw badArgument('sessionId is required.');
  const session = emu.state.sessions.get(sessionId.toLowerCase());
  if (!session || session.poolId !== pool.id) throw sessionExpired(sessionId);
  return session;
}

/** Waits until the scheduler wakes the session, the client goes away, or the poll times out. */
function waitForWake(ctx: RequestContext, session: Session): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.waiters.delete(finish);
      ctx.req.off('close', finish);
      resolve();
    };
    const timer = setTimeout(finish, ctx.emu.messageLongPollMs);
    session.waiters.add(finish);
    ctx.req.on('close', finish);
  });
}

export const sessionRoutes: Route[] = [
  {
    method: 'POST', pattern: 'distributedtask/pools/{poolId}/sessions',
    handler: async ({ emu, params, req }) => {
      const pool = requirePool(emu, params.poolId);
      const body = await readObject(req, 'a TaskAgentSession');
      const agentRef = body.agent as Record<string, unknown> | null | undefined;
      if (!agentRef || typeof agentRef !== 'object' || typeof agentRef.id !== 'number') {
        throw badArgument('Value cannot be null. Parameter name: session.Agent (send agent: {id, name, version}).');
      }
      const agent = emu.state.agents.get(agentRef.id);
      if (!agent || agent.poolId !== pool.id) throw agentNotFound(agentRef.id, pool.id);
      if (emu.state.sessionOfAgent(agent.id)) throw sessionConflict(agent.name);
      const now = Date.now();
      const session: Session = {
        sessionId: randomGuid(),
        poolId: pool.id,
        agentId: agent.id,
        ownerName: typeof body.ownerName === 'string' ? body.ownerName : agent.name,
        createdAt: now,
        lastPollAt: now,
        waiters: new Set(),
      };
      emu.state.sessions.set(session.sessionId, session);
      agent.statusChangedOn = now;
      emu.scheduler.tick();
      return { status: 200, body: emu.wire.session(session) };
    },
  },
  {
    method: 'DELETE', pattern: 'distributedtask/pools/{poolId}/sessions/{sessionId}',
    handler: ({ emu, params }) => {
      const pool = requirePool(emu, params.poolId);
      const session = emu.state.sessions.get((params.sessionId ?? '').toLowerCase());
      // Deleting a session that is already gone is not an error for the agent.
      if (session && session.poolId === pool.id) {
        emu.scheduler.removeSession(session);
        emu.scheduler.tick();
      }
      return { status: 204 };
    },
  },
  {
    method: 'GET', pattern: 'distributedtask/pools/{poolId}/messages',
    handler: async (ctx) => {
      const { emu, params, query } = ctx;
      const pool = requirePool(emu, params.poolId);
      intParam(query.get('lastMessageId'), 'lastMessageId');
      const session = requireSession(emu, pool, query.get('sessionId'));
      session.lastPollAt = Date.now();
      let message = emu.scheduler.takeMessage(session);
      if (!message && !emu.closing) {
        await waitForWake(ctx, session);
        if (!emu.state.sessions.has(session.sessionId)) throw sessionExpired(session.sessionId);
        message = emu.scheduler.takeMessage(session);
      }
      session.lastPollAt = Date.now();
      // No message within the poll: 200 with an empty body, which the client turns into null.
      return message ? { status: 200, body: message } : { status: 200 };
    },
  },
  {
    method: 'DELETE', pattern: 'distributedtask/pools/{poolId}/messages/{messageId}',
    handler: ({ emu, params, query }) => {
      const pool = requirePool(emu, params.poolId);
      intParam(params.messageId, 'messageId');
      requireSession(emu, pool, query.get('sessionId'));
      return { status: 204 };
    },
  },
];
