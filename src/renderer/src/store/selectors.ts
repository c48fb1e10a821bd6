import type { SourceKind } from '../../../shared/ipc-contract'
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
/** The kind the centre view should prepare for: the running plan's, else the selected model's. */
export const selectModelKind = (s: AppState) => s.session.plan?.kind ?? s.models.details?.kind

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

export const selectBreakdown = (s: AppState) => s.breakdown
export const selectServerMetrics = (s: AppState) => s.serverMetrics

export const selectBench = (s: AppState) => s.bench

/** What the session on screen (or the last one) can export, or undefined before any. */
export const selectExportTarget = (s: AppState) => s.session.plan
