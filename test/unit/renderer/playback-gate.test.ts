import { describe, expect, it } from 'vitest'
import { gateAction, type GateInput } from '../../../src/renderer/src/components/playback-gate'

const playing: GateInput = {
  holding: false,
  paused: false,
  producing: true,
  mediaTime: 2,
  newestSec: 2.6,
  hasResultNow: true,
}

describe('a file player that waits for its results', () => {
  it('keeps playing while the frame on screen has its result', () => {
    expect(gateAction(playing)).toBe('none')
  })

  it('pauses once the player passes the newest result', () => {
    expect(gateAction({ ...playing, mediaTime: 2.7, hasResultNow: false })).toBe('pause')
    expect(
      gateAction({ ...playing, mediaTime: 0, newestSec: undefined, hasResultNow: false }),
    ).toBe('pause')
  })

  it('does not hold a player across a gap before the newest result', () => {
    expect(gateAction({ ...playing, mediaTime: 2.3, hasResultNow: false })).toBe('none')
  })

  it('plays again once the results are half a second ahead, not sooner', () => {
    const held = { ...playing, holding: true, paused: true, mediaTime: 2 }
    expect(gateAction({ ...held, newestSec: 2.4 })).toBe('none')
    expect(gateAction({ ...held, newestSec: 2.5 })).toBe('play')
    expect(gateAction({ ...held, newestSec: undefined })).toBe('none')
  })

  it('lets go when the session has ended, and never fights a pause or a finished session', () => {
    expect(gateAction({ ...playing, holding: true, producing: false, newestSec: 1 })).toBe('play')
    expect(gateAction({ ...playing, paused: true, hasResultNow: false, mediaTime: 3 })).toBe('none')
    expect(gateAction({ ...playing, producing: false, hasResultNow: false, mediaTime: 3 })).toBe(
      'none',
    )
  })
})
