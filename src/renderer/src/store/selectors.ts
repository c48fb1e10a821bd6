import { latencyStats, type LatencyStats } from '../components/latency-stats'
import { isActiveStatus } from './session-slice'
import type { AppState } from './types'

/** Plain functions over the whole state; components pick one value each (STYLE 16). */

export const selectEndpoints = (s: AppState) => s.connection.endpoints
export const selectSelectedEndpointId = (s: AppState) => s.connection.selectedId
export const selectConnectedEndpointId = (s: AppState) => s.connection.connectedId
export const selectConnecting = (s: AppState) => s.connection.connecting
export const selectHealth = (s: AppState) => s.connection.health
export const selectConnectionError = (s: AppState) => s.connection.error
export const selectConnectedEndpoint = (s: AppState) =>
  s.connection.endpoints.find((e) => e.id === s.connection.connectedId)

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
export const selectIsActive = (s: AppState) => isActiveStatus(s.session.status)

/** Why Start is disabled, or undefined when it can start. */
export const selectStartBlocker = (s: AppState): string | undefined => {
  if (!s.connection.connectedId) return 'Connect to an endpoint first.'
  if (!s.models.selected) return 'Pick a model.'
  if (s.session.source === 'file' && !s.session.filePath) return 'Choose a file.'
  if (s.session.status === 'stopping') return 'Stopping…'
  return undefined
}

export const selectTranscriptFinals = (s: AppState) => s.results.finals
export const selectTranscriptPartial = (s: AppState) => s.results.partial
export const selectDetectionCount = (s: AppState) => s.results.detectionCount
export const selectRequestErrorCount = (s: AppState) => s.results.requestErrorCount
export const selectLastRequestError = (s: AppState) => s.results.lastRequestError
export const selectResultCount = (s: AppState) =>
  s.results.detectionCount + s.results.transcriptCount + s.results.requestErrorCount

export const selectLatencyValues = (s: AppState) => s.metrics.latencyMs
export const selectLatencyTimes = (s: AppState) => s.metrics.latencyAtMs
export const selectLatencyTotal = (s: AppState) => s.metrics.latencyTotal

/** Memoised on the window's identity, which changes only when samples arrive. */
let statsFor: readonly number[] | undefined
let statsCache: LatencyStats = { count: 0 }
export const selectLatencyStats = (s: AppState): LatencyStats => {
  if (s.metrics.latencyMs !== statsFor) {
    statsFor = s.metrics.latencyMs
    statsCache = latencyStats(s.metrics.latencyMs)
  }
  return statsCache
}
/** The whole metrics slice, for the throttled latency panel (one read keeps values and times aligned). */
export const selectMetrics = (s: AppState) => s.metrics

export const selectBreakdown = (s: AppState) => s.breakdown
export const selectServerMetrics = (s: AppState) => s.serverMetrics

export const selectBench = (s: AppState) => s.bench
export const selectBenchForm = (s: AppState) => s.bench.form
export const selectBenchRunning = (s: AppState) => s.bench.running
export const selectBenchProgress = (s: AppState) => s.bench.progress
export const selectBenchReport = (s: AppState) => s.bench.report
export const selectBenchError = (s: AppState) => s.bench.error
export const selectBenchSaved = (s: AppState) => s.bench.saved
export const selectBenchSaving = (s: AppState) => s.bench.saving
export const selectBenchSaveError = (s: AppState) => s.bench.saveError

/** What the session on screen (or the last one) can export, or undefined before any. */
export const selectExportTarget = (s: AppState) => s.session.plan
