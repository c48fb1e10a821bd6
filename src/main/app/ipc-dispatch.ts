import {
  invokeSchemas,
  type InvokeChannel,
  type InvokeResults,
  type Result,
} from '../../shared/ipc-contract'
import type { AppHandlers } from './app-core'
import { toUserError } from './user-error'

export function isInvokeChannel(channel: string): channel is InvokeChannel {
  return Object.prototype.hasOwnProperty.call(invokeSchemas, channel)
}

/**
 * Validates a payload against the contract's schema, then calls the handler. Every failure,
 * a bad payload included, comes back as a Result the renderer can show; nothing throws across IPC.
 */
export async function dispatchInvoke<C extends InvokeChannel>(
  handlers: AppHandlers,
  channel: C,
  payload: unknown,
): Promise<Result<InvokeResults[C]>> {
  const parsed = invokeSchemas[channel].safeParse(payload)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return {
      ok: false,
      error: {
        message: `invalid request to ${channel}: ${issue.path.join('.') || 'payload'} ${issue.message}`,
        hint: 'this is a bug in the window; reload it',
        kind: 'invalid-payload',
      },
    }
  }
  try {
    const handler = handlers[channel] as (p: unknown) => Promise<InvokeResults[C]>
    return { ok: true, value: await handler(parsed.data) }
  } catch (e) {
    return { ok: false, error: toUserError(e) }
  }
}
