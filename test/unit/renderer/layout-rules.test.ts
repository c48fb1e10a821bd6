import { describe, expect, it } from 'vitest'
import { splitForMiddleEllipsis } from '../../../src/renderer/src/components/middle-ellipsis'
import {
  fitSidebarWidth,
  layoutModeFor,
  openByDefault,
  placementOf,
  SIDEBAR_MAX_PX,
  SIDEBAR_MIN_PX,
} from '../../../src/renderer/src/layout/layout-rules'

describe('how the window is shared at each size', () => {
  it('docks both side panels at 1280, the sidebar only at 1024, neither at 800', () => {
    expect(layoutModeFor(1280)).toBe('wide')
    expect(layoutModeFor(1024)).toBe('medium')
    expect(layoutModeFor(800)).toBe('narrow')
    expect(placementOf('wide', 'figures')).toBe('dock')
    expect(placementOf('medium', 'sidebar')).toBe('dock')
    expect(placementOf('medium', 'figures')).toBe('drawer')
    expect(placementOf('narrow', 'sidebar')).toBe('drawer')
    expect(openByDefault('wide')).toEqual({ sidebar: true, figures: true })
    expect(openByDefault('medium')).toEqual({ sidebar: true, figures: false })
    // Drawers start closed: the stage has the window.
    expect(openByDefault('narrow')).toEqual({ sidebar: false, figures: false })
  })

  it('keeps a dragged sidebar within its bounds and leaves the stage 480 px', () => {
    expect(fitSidebarWidth(undefined, 1280)).toBe(300)
    expect(fitSidebarWidth(undefined, 1024)).toBe(280)
    expect(fitSidebarWidth(100, 1280)).toBe(SIDEBAR_MIN_PX)
    expect(fitSidebarWidth(2000, 1920)).toBe(SIDEBAR_MAX_PX)
    // 1280 - 300 (figures) - 480 (stage) - 40 (gaps) = 460
    expect(fitSidebarWidth(2000, 1280)).toBe(460)
    // 1024 - 480 - 40 = 504
    expect(fitSidebarWidth(2000, 1024)).toBe(504)
    expect(fitSidebarWidth(333.4, 1280)).toBe(333)
  })
})

describe('model names cut in the middle', () => {
  it('keeps the part that tells a family apart', () => {
    expect(splitForMiddleEllipsis('color-box-detector-efficientnms')).toEqual([
      'color-box-detector-',
      'efficientnms',
    ])
    expect(splitForMiddleEllipsis('tone-transcriber-streaming')).toEqual([
      'tone-transcriber-',
      'streaming',
    ])
    // A long last part: its last 12 characters.
    expect(splitForMiddleEllipsis('ensemble_averyveryverylongsuffix')).toEqual([
      'ensemble_averyveryve',
      'rylongsuffix',
    ])
    expect(splitForMiddleEllipsis('yolov8n')).toEqual(['yolov8n', ''])
  })
})
