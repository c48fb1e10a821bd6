import { z } from 'zod'
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

/** About 60 s of 48 kHz audio: far more than any capture sends at once, bounded all the same. */
export const MAX_SAMPLES_PER_MESSAGE = 48_000 * 60
/** 4096 × 4096 RGB: the largest frame a model input plausibly takes. */
export const MAX_FRAME_SIDE = 4096

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
const capturedAtMs = z.number().finite().min(0)

/** Page to main: one captured chunk of mono float32 PCM at the plan's rate. */
export const audioMessageSchema = z.object({
  type: z.literal('audio'),
  seq,
  samples: z.custom<Float32Array>(
    (v) => v instanceof Float32Array && v.length > 0 && v.length <= MAX_SAMPLES_PER_MESSAGE,
    `samples must be a Float32Array of 1 to ${MAX_SAMPLES_PER_MESSAGE} samples`,
  ),
  capturedAtMs,
})

const side = z.number().int().positive().max(MAX_FRAME_SIDE)

/** Page to main: one camera frame, RGB24, letterboxed in the page to the plan's size. */
export const frameMessageSchema = z
  .object({
    type: z.literal('frame'),
    seq,
    rgb: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'rgb must be a Uint8Array'),
    width: side,
    height: side,
    sourceWidth: z.number().int().positive().max(16384),
    sourceHeight: z.number().int().positive().max(16384),
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
