import {
  invokeSchemas,
  sendSchemas,
  type InvokeChannel,
  type InvokeResults,
  type Result,
  type SendChannel,
} from '../../shared/ipc-contract'
import type { AppServices } from './app-services'
import { toUserError } from './user-error'

export function isInvokeChannel(channel: string): channel is InvokeChannel {
  return Object.prototype.hasOwnProperty.call(invokeSchemas, channel)
}

/**
 * Validates a payload against the contract's schema, then calls the handler. Every failure,
 * a bad payload included, comes back as a Result the renderer can show; nothing throws across IPC.
 */
export async function dispatchInvoke<C extends InvokeChannel>(
  services: AppServices,
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
    const handler = services.handlers[channel] as (p: unknown) => Promise<InvokeResults[C]>
    return { ok: true, value: await handler(parsed.data) }
  } catch (e) {
    return { ok: false, error: toUserError(e) }
  }
}

/** Fire-and-forget media messages: invalid ones are dropped (and counted), never thrown. */
export function dispatchSend(
  services: AppServices,
  channel: SendChannel,
  payload: unknown,
): boolean {
  if (channel === 'session:audio') {
    const parsed = sendSchemas['session:audio'].safeParse(payload)
    if (!parsed.success) return false
    services.pushAudio(parsed.data.sessionId, parsed.data.samples, parsed.data.capturedAtMs)
    return true
  }
  const parsed = sendSchemas['session:frame'].safeParse(payload)
  if (!parsed.success) return false
  if (parsed.data.rgb.length !== parsed.data.width * parsed.data.height * 3) return false
  services.pushFrame(parsed.data)
  return true
}
