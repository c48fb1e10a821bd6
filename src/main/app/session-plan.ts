import { stat } from 'node:fs/promises'
import type { SessionPlan, SessionStartRequest } from '../../shared/ipc-contract'
import type { ModelProfile } from '../../shared/model-profile'
import { MediaError } from '../media/media-error'
import { probeMedia } from '../media/media-probe'
import { isAudioProfile } from '../sessions/session-factory'
import { TritonError } from '../triton/triton-error'

/**
 * Checks that the source fits the model and settles what the page must capture: the sample
 * rate and chunk length, or the frame size; for a file, that it exists and has the right track.
 * Returns the profile the session will use (with the microphone's chunk length applied).
 */
export async function planSession(
  req: SessionStartRequest,
  resolved: ModelProfile,
  sessionId: string,
  mediaUrlFor: (path: string) => string,
): Promise<{ plan: SessionPlan; profile: ModelProfile }> {
  const profile: ModelProfile = { ...resolved }
  const plan: SessionPlan = {
    sessionId,
    model: req.model,
    kind: profile.kind,
    labels: profile.labels,
  }
  const audioModel = isAudioProfile(profile)
  if (audioModel) {
    if (!profile.audio)
      throw new TritonError(
        'invalid-argument',
        `profile for '${req.model}' has no audio settings`,
        'edit the model profile',
      )
    const chunkSamples =
      req.source === 'microphone' && req.chunkMs
        ? Math.round((req.chunkMs / 1000) * profile.audio.sampleRate)
        : profile.audio.chunkSamples
    profile.audio = { ...profile.audio, chunkSamples }
    plan.audio = { sampleRate: profile.audio.sampleRate, chunkSamples }
  } else if (profile.kind === 'detection' && profile.vision) {
    plan.vision = { width: profile.vision.width, height: profile.vision.height }
  } else {
    throw new TritonError(
      'invalid-argument',
      `'${req.model}' is a ${profile.kind} model; live sessions need an ASR or detection model`,
      'send it single requests in the Request view, pick another model, or save a profile that says what the model is',
    )
  }
  if (req.source === 'microphone' && !audioModel)
    throw new TritonError(
      'invalid-argument',
      `'${req.model}' takes images, not audio`,
      'use the camera or a video file with this model',
    )
  if (req.source === 'camera' && audioModel)
    throw new TritonError(
      'invalid-argument',
      `'${req.model}' takes audio, not images`,
      'use the microphone or an audio file with this model',
    )
  if (req.source === 'file') {
    const path = req.filePath
    if (!path)
      throw new TritonError(
        'invalid-argument',
        'no file chosen',
        'open a file or drop one on the window',
      )
    const info = await stat(path).catch(() => undefined)
    if (!info?.isFile())
      throw new MediaError(
        'not-found',
        `cannot open '${path}': no such file`,
        'choose the file again',
      )
    const media = await probeMedia(path)
    if (audioModel && !media.audio)
      throw new MediaError(
        'no-audio',
        `'${path}' has no audio track`,
        'choose a file with sound for a speech model',
      )
    if (!audioModel && !media.video)
      throw new MediaError(
        'no-video',
        `'${path}' has no video track`,
        'choose a video file for a detection model',
      )
    plan.mediaUrl = mediaUrlFor(path)
    plan.mediaKind = media.video ? 'video' : 'audio'
  }
  return { plan, profile }
}
