import { timingSafeEqual } from 'node:crypto'
import * as grpc from '@grpc/grpc-js'
import type { GRPCInferenceServiceHandlers } from '../triton/generated/inference/GRPCInferenceService'

/** What a gateway in front of Triton says to a request without a token, and with a wrong one. */
export const DEMO_AUTH_MISSING = 'bearer token required'
export const DEMO_AUTH_WRONG = 'wrong bearer token'

function matches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Why a request's authorization header does not carry the token; undefined when it does. */
export function bearerRefusal(given: string | undefined, token: string): string | undefined {
  if (matches(given, `Bearer ${token}`)) return undefined
  return given === undefined ? DEMO_AUTH_MISSING : DEMO_AUTH_WRONG
}

type AnyHandler = (
  call: { metadata: grpc.Metadata; emit(event: 'error', e: Partial<grpc.ServiceError>): boolean },
  callback?: (e: Partial<grpc.ServiceError>) => void,
) => void

/**
 * Every RPC answers UNAUTHENTICATED unless the request carries `authorization: Bearer <token>`,
 * as an auth proxy in front of Triton does; so the client's handling of a wrong token can be
 * tried against the demo endpoint.
 */
export function requireBearerToken(
  handlers: GRPCInferenceServiceHandlers,
  token: string,
): GRPCInferenceServiceHandlers {
  const guarded: Record<string, AnyHandler> = {}
  for (const [name, handler] of Object.entries(handlers as unknown as Record<string, AnyHandler>)) {
    guarded[name] = (call, callback) => {
      const value = call.metadata.get('authorization')[0]
      const refusal = bearerRefusal(typeof value === 'string' ? value : undefined, token)
      if (!refusal) return handler(call, callback)
      const error = { code: grpc.status.UNAUTHENTICATED, details: refusal }
      if (callback) callback(error)
      else call.emit('error', error)
    }
  }
  return guarded as unknown as GRPCInferenceServiceHandlers
}
