import type { ModelProfile } from '../../../shared/model-profile'

/** The profile with its image input and `vision` resized to width x height. */
export function withVisionSize(profile: ModelProfile, width: number, height: number): ModelProfile {
  const vision = profile.vision
  if (!vision) return profile
  const nchw = vision.layout === 'NCHW'
  return {
    ...profile,
    vision: { ...vision, width, height },
    inputs: profile.inputs.map((i) => {
      if (i.source !== 'video-frame') return i
      const shape = [...i.shape]
      const hAt = nchw ? shape.length - 2 : shape.length - 3
      shape[hAt] = height
      shape[hAt + 1] = width
      return { ...i, shape }
    }),
  }
}

/** 640×640, or 1280×720: the size as people read it. */
export function sizeText(profile: ModelProfile): string {
  return profile.vision ? `${profile.vision.width}×${profile.vision.height}` : '?'
}
