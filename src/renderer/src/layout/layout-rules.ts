/**
 * How the window is shared at each width, as pure rules a test can pin. The stage (video or
 * transcript) always gets the room; the side panels step aside as the window narrows:
 *   wide   (≥ 1180 px): the sidebar and the figures both docked beside the stage;
 *   medium (≥ 900 px):  the sidebar docked, the figures in a drawer;
 *   narrow (< 900 px):  both in drawers over the stage, one at a time.
 */

export type LayoutMode = 'wide' | 'medium' | 'narrow'
export type Placement = 'dock' | 'drawer'
export type SidePanel = 'sidebar' | 'figures'

export const WIDE_MIN_PX = 1180
export const MEDIUM_MIN_PX = 900

/** The stage never gets narrower than this because of a docked sidebar. */
export const STAGE_MIN_PX = 480
/** The figures column when docked. */
export const FIGURES_PX = 300

export const SIDEBAR_MIN_PX = 220
export const SIDEBAR_MAX_PX = 560
const SIDEBAR_DEFAULT_PX: Record<LayoutMode, number> = { wide: 300, medium: 280, narrow: 320 }

export function layoutModeFor(windowWidth: number): LayoutMode {
  if (windowWidth >= WIDE_MIN_PX) return 'wide'
  if (windowWidth >= MEDIUM_MIN_PX) return 'medium'
  return 'narrow'
}

export function placementOf(mode: LayoutMode, panel: SidePanel): Placement {
  if (mode === 'wide') return 'dock'
  if (mode === 'medium') return panel === 'sidebar' ? 'dock' : 'drawer'
  return 'drawer'
}

/** What shows when the window enters a mode: docked panels open, drawers closed. */
export function openByDefault(mode: LayoutMode): Record<SidePanel, boolean> {
  return {
    sidebar: placementOf(mode, 'sidebar') === 'dock',
    figures: placementOf(mode, 'figures') === 'dock',
  }
}

export function defaultSidebarWidth(mode: LayoutMode): number {
  return SIDEBAR_DEFAULT_PX[mode]
}

/**
 * A sidebar width the window can afford: within its bounds, and leaving the stage (and the
 * docked figures, in wide mode) their room. Undefined asks for the mode's default.
 */
export function fitSidebarWidth(wanted: number | undefined, windowWidth: number): number {
  const mode = layoutModeFor(windowWidth)
  const width = wanted ?? defaultSidebarWidth(mode)
  if (mode === 'narrow') return Math.min(SIDEBAR_DEFAULT_PX.narrow, windowWidth - 40)
  const figures = mode === 'wide' ? FIGURES_PX : 0
  const room = windowWidth - figures - STAGE_MIN_PX - 40
  const max = Math.max(SIDEBAR_MIN_PX, Math.min(SIDEBAR_MAX_PX, room))
  return Math.round(Math.min(max, Math.max(SIDEBAR_MIN_PX, width)))
}
