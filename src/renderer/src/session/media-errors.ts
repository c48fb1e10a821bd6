import type { SourceKind, UserError } from '../../../shared/ipc-contract'

/** Turns getUserMedia and Web Audio failures into words a user can act on. */
export function mediaError(err: unknown, source: SourceKind): UserError {
  const device = source === 'camera' ? 'camera' : 'microphone'
  const name = err instanceof DOMException || err instanceof Error ? err.name : ''
  const detail = err instanceof Error ? err.message : String(err)
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return {
        message: `Access to the ${device} was denied.`,
        hint: `Allow ${device} access for triton-live in the system privacy settings, or play a file instead.`,
        kind: 'media-permission',
      }
    case 'NotFoundError':
      return {
        message: `No ${device} was found.`,
        hint: `Plug one in, or play a file instead.`,
        kind: 'media-not-found',
      }
    case 'NotReadableError':
    case 'AbortError':
      return {
        message: `The ${device} could not be opened.`,
        hint: 'Another application may be using it; close that one and try again.',
        kind: 'media-busy',
      }
    case 'OverconstrainedError':
      return {
        message: `The chosen ${device} is not available with these settings.`,
        hint: 'Pick another device or a lower resolution.',
        kind: 'media-constraints',
      }
    default:
      return {
        message: `The ${device} failed: ${detail}`,
        hint: 'Try another device, or play a file instead.',
        kind: 'media',
      }
  }
}

export function sourceMismatch(kind: string, source: SourceKind): UserError {
  const wantsVideo = kind === 'detection'
  return {
    message: wantsVideo
      ? `This model looks at pictures, but the source is the ${source}.`
      : `This model listens to audio, but the source is the ${source}.`,
    hint: wantsVideo ? 'Pick the camera or a video file.' : 'Pick the microphone or an audio file.',
    kind: 'source-mismatch',
  }
}

export function isUserError(v: unknown): v is UserError {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  return typeof o.message === 'string' && typeof o.hint === 'string' && typeof o.kind === 'string'
}
