import type { SourceKind } from '../../../shared/ipc-contract'
import { emptyAnswersSentence } from '../../../shared/empty-answers'
import type { ModelKind } from '../../../shared/model-profile'
import { isActiveStatus } from './session-slice'
import type { AppState } from './types'

/** Plain functions over the whole state; components pick one value each (STYLE 16). */

export const selectEndpoints = (s: AppState) => s.connection.endpoints
export const selectSelectedEndpointId = (s: AppState) => s.connection.selectedId
export const selectConnectedEndpointId = (s: AppState) => s.connection.connectedId
export const selectConnecting = (s: AppState) => s.connection.connecting
export const selectHealth = (s: AppState) => s.connection.health
export const selectConnectionError = (s: AppState) => s.connection.error

export const selectModelList = (s: AppState) => s.models.list
export const selectModelsLoading = (s: AppState) => s.models.loading
export const selectModelsError = (s: AppState) => s.models.error
export const selectSelectedModel = (s: AppState) => s.models.selected
export const selectModelDetails = (s: AppState) => s.models.details
export const selectDetailsLoading = (s: AppState) => s.models.detailsLoading
export const selectDetailsError = (s: AppState) => s.models.detailsError
export const selectBusyModel = (s: AppState) => s.models.busyModel

export const selectSource = (s: AppState) => s.session.source
export const selectSessionStatus = (s: AppState) => s.session.status
export const selectSessionError = (s: AppState) => s.session.error
export const selectSessionSummary = (s: AppState) => s.session.summary
export const selectSessionFlow = (s: AppState) => s.session.flow
export const selectSessionNotice = (s: AppState) => s.session.notice
export const selectPlan = (s: AppState) => s.session.plan
export const selectFilePath = (s: AppState) => s.session.filePath
export const selectPace = (s: AppState) => s.session.pace
export const selectChunkMs = (s: AppState) => s.session.chunkMs
export const selectMicDevice = (s: AppState) => s.session.micDeviceId
export const selectCameraDevice = (s: AppState) => s.session.cameraDeviceId
export const selectCameraResolution = (s: AppState) => s.session.cameraResolution
export const selectCameraFpsCap = (s: AppState) => s.session.cameraFpsCap
export const selectMicLevel = (s: AppState) => s.session.micLevel
export const selectCameraStream = (s: AppState) => s.session.cameraStream

/** A session is on its way, running or draining: its model and source are fixed until it ends. */
export const selectSessionLocked = (s: AppState) =>
  isActiveStatus(s.session.status) || s.session.status === 'stopping'

/**
 * The session the centre shows: the one running, or the last one while its model is still the
 * one picked. Picking another model clears the stage for it.
 */
export const selectPlanOnScreen = (s: AppState) => {
  const plan = s.session.plan
  return plan && (selectSessionLocked(s) || plan.model === s.models.selected) ? plan : undefined
}

/** The preset line of the session on screen, as the CLI prints it when a stream starts. */
export const selectSessionPreset = (s: AppState) => selectPlanOnScreen(s)?.preset

/** The kind the centre view should prepare for: the session's on screen, else the picked model's. */
export const selectModelKind = (s: AppState) =>
  selectPlanOnScreen(s)?.kind ?? s.models.details?.kind

/**
 * The model a session is using on the server, or undefined when none runs: it cannot be
 * unloaded (or reloaded) from under the session.
 */
export const selectModelInUse = (s: AppState): string | undefined =>
  selectSessionLocked(s) ? (s.session.plan?.model ?? s.models.selected) : undefined

/** The model a session is running (its plan's once main answered), else the one picked. */
export const selectSessionModel = (s: AppState) =>
  (selectSessionLocked(s) ? s.session.plan?.model : undefined) ?? s.models.selected

/**
 * Why a live device cannot feed this kind of model, so Start refuses before the device opens.
 * Files can hold sound or pictures: main checks those once it has looked inside.
 */
export function sourceKindBlocker(
  model: string,
  kind: ModelKind,
  source: SourceKind,
): string | undefined {
  if (source === 'file') return undefined
  const listens = kind === 'streaming-asr' || kind === 'offline-asr'
  if (source === 'camera' && listens) return `${model} takes audio: choose Microphone or a file.`
  if (source === 'microphone' && kind === 'detection')
    return `${model} takes pictures: choose Camera or a file.`
  if (kind === 'generic')
    return `${model} is neither speech nor detection: pick an ASR or detection model.`
  return undefined
}

/** Why Start is disabled, or undefined when it can start. */
export const selectStartBlocker = (s: AppState): string | undefined => {
  if (!s.connection.connectedId) return 'Connect to an endpoint first.'
  const model = s.models.selected
  if (!model) return 'Pick a model.'
  const details = s.models.details
  if (details?.name === model) {
    const blocker = sourceKindBlocker(model, details.kind, s.session.source)
    if (blocker) return blocker
  }
  if (s.session.source === 'file' && !s.session.filePath) return 'Choose a file.'
  if (s.session.status === 'stopping') return 'Stopping…'
  return undefined
}

export const selectTranscriptFinals = (s: AppState) => s.results.finals
export const selectTranscriptPartial = (s: AppState) => s.results.partial
export const selectRequestErrorCount = (s: AppState) => s.results.requestErrorCount
export const selectLastRequestError = (s: AppState) => s.results.lastRequestError

/**
 * Requests of the session on screen that the model answered: main's own count once the session
 * has ended, the round trips recorded so far while it runs (one latency sample per answer).
 */
export const selectAnsweredCount = (s: AppState): number =>
  s.session.summary?.successes ?? s.breakdown.recorder.roundTripCount

/** Whether any frame of a file session had a box; only the newest is kept for a camera. */
const boxedScan = new WeakMap<readonly unknown[], { scanned: number; found: boolean }>()
function anyBoxes(r: AppState['results']): boolean {
  if (r.latestDetection && r.latestDetection.boxes.length > 0) return true
  const list = r.detections
  const seen = boxedScan.get(list) ?? { scanned: 0, found: false }
  if (seen.found) return true
  // The buffer only grows (or is trimmed at the front): scan what is new since the last look.
  for (let i = Math.min(seen.scanned, list.length); i < list.length && !seen.found; i++)
    seen.found = list[i].boxes.length > 0
  seen.scanned = list.length
  boxedScan.set(list, seen)
  return seen.found
}

/**
 * "The model answered N times with no text" (or boxes) when every answer of the session so far
 * was empty, so nothing recognised does not look like nothing happened; undefined otherwise.
 */
export const selectEmptyAnswers = (s: AppState): string | undefined => {
  const plan = selectPlanOnScreen(s)
  if (!plan) return undefined
  const answered = selectAnsweredCount(s)
  if (answered === 0) return undefined
  const listens = plan.kind === 'streaming-asr' || plan.kind === 'offline-asr'
  const r = s.results
  if (listens && (r.transcriptCount > 0 || r.finals.length > 0)) return undefined
  if (plan.kind === 'detection' && (r.detectionCount === 0 || anyBoxes(r))) return undefined
  if (!listens && plan.kind !== 'detection') return undefined
  return emptyAnswersSentence(
    plan.model,
    answered,
    listens ? 'text' : 'boxes',
    isActiveStatus(s.session.status),
  )
}

/** What the session's model understands, when its config says so. */
export const selectSessionModelDescription = (s: AppState): string | undefined => {
  const d = s.models.details
  const model = s.session.plan?.model ?? s.models.selected
  return d && d.name === model ? d.description : undefined
}

export const selectBreakdown = (s: AppState) => s.breakdown
export const selectServerMetrics = (s: AppState) => s.serverMetrics

export const selectBench = (s: AppState) => s.bench

/** What the session on screen (or the last one) can export, or undefined before any. */
export const selectExportTarget = (s: AppState) => s.session.plan
