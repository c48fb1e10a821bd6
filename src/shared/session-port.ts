import { z } from 'zod'
import { MAX_AUDIO_MESSAGE_SAMPLES, MAX_SOURCE_SIZE, MAX_VISION_SIZE } from './limits'
import type { SessionEvent } from './session-events'

/**
 * Each session talks to its page over its own MessagePort (as VS Code hands ports to its
 * windows): events and credits one way, audio chunks and frames the other. Main posts the port
 * to the page with the nonce the page put in its start request; the page takes only a port
 * whose nonce it is waiting for.
 */

/** The window message that carries a session's port into the page (main world). */
export const SESSION_PORT_MESSAGE = 'triton-live:session-port'

export interface SessionPortEnvelope {
  type: typeof SESSION_PORT_MESSAGE
  nonce: string
  sessionId: string
}

/** Main to page: a batch of the session's events, in order. */
export interface SessionEventsMessage {
  type: 'events'
  events: SessionEvent[]
}

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const capturedAtMs = z.number().finite().min(0)

/**
 * Page to main: one captured chunk of mono 16-bit PCM at the plan's rate (see `pcm16.ts`): half
 * the bytes of floats across the port and in main's queue.
 */
export const audioMessageSchema = z.object({
  type: z.literal('audio'),
  seq,
  samples: z.custom<Int16Array>(
    (v) => v instanceof Int16Array && v.length > 0 && v.length <= MAX_AUDIO_MESSAGE_SAMPLES,
    `samples must be an Int16Array of 1 to ${MAX_AUDIO_MESSAGE_SAMPLES} samples`,
  ),
  capturedAtMs,
})

const side = z.number().int().positive().max(MAX_VISION_SIZE)

/** Page to main: one camera frame, RGB24, letterboxed in the page to the plan's size. */
export const frameMessageSchema = z
  .object({
    type: z.literal('frame'),
    seq,
    rgb: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'rgb must be a Uint8Array'),
    width: side,
    height: side,
    sourceWidth: z.number().int().positive().max(MAX_SOURCE_SIZE),
    sourceHeight: z.number().int().positive().max(MAX_SOURCE_SIZE),
    capturedAtMs,
  })
  .refine((f) => f.rgb.length === f.width * f.height * 3, {
    message: 'rgb must hold width × height × 3 bytes',
  })

export const pageToMainSchema = z.discriminatedUnion('type', [
  audioMessageSchema,
  frameMessageSchema,
])
export type PageToMainMessage = z.infer<typeof pageToMainSchema>
export type AudioMessage = z.infer<typeof audioMessageSchema>
export type FrameMessage = z.infer<typeof frameMessageSchema>
