/**
 * Whether a profile can ever produce a request for what it is used for. A stream turns audio
 * chunks or video frames into requests through the input whose source is `audio` or
 * `video-frame`; a profile without one would wait forever with 0 requests, so it is refused
 * when it is loaded or saved, with the field to fix. Used by main (sessions, saving, the CLI)
 * and the profile editor.
 */
import type { ModelProfile } from './model-profile'

/**
 * `stream`: file, microphone or camera sessions; `bench`: load tests; `save`: kept for later
 * (the model browser's Save): refused only when it could not work for its own kind, so a
 * generic profile, which bench uses, can be saved. (One request needs no profile at all.)
 */
export type ProfilePurpose = 'stream' | 'bench' | 'save'

const MEDIA_SOURCE = {
  'streaming-asr': 'audio',
  'offline-asr': 'audio',
  detection: 'video-frame',
} as const

function mediaProblem(profile: ModelProfile): string | undefined {
  if (profile.kind === 'generic') return undefined
  const wanted = MEDIA_SOURCE[profile.kind]
  const fed = profile.inputs.filter((i) => i.source === wanted)
  const names = profile.inputs.map((i) => `${i.name} (${i.source})`).join(', ')
  if (fed.length === 0) {
    const what = wanted === 'audio' ? 'chunk of sound' : 'video frame'
    return `the ${profile.kind} profile of '${profile.model}' has no input with "source": "${wanted}" (it has ${names}), so no ${what} would ever become a request; give the tensor that takes it "source": "${wanted}"`
  }
  if (fed.length > 1) {
    return `the ${profile.kind} profile of '${profile.model}' feeds ${fed.map((i) => i.name).join(' and ')} both from "${wanted}"; only one input can take the media, mark the others "constant"`
  }
  const foreign = profile.inputs.find(
    (i) => (i.source === 'audio' || i.source === 'video-frame') && i.source !== wanted,
  )
  if (foreign) {
    return `input '${foreign.name}' of '${profile.model}' has "source": "${foreign.source}", which a ${profile.kind} profile cannot feed`
  }
  const length = profile.inputs.find((i) => i.source === 'audio-length')
  if (length && wanted !== 'audio') {
    return `input '${length.name}' of '${profile.model}' has "source": "audio-length", which only ASR profiles feed`
  }
  return undefined
}

/** Why `profile` can never produce a request when used for `purpose`; undefined when it can. */
export function profileProblem(profile: ModelProfile, purpose: ProfilePurpose): string | undefined {
  if (purpose === 'stream' && profile.kind === 'generic') {
    return `'${profile.model}' has a generic profile: a stream needs an ASR or detection model, whose requests come from audio or video; send this model single requests instead (triton-live infer, or the Request view in the app)`
  }
  return mediaProblem(profile)
}
