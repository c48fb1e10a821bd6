import { useEffect, useRef, type ReactNode } from 'react'
import { ErrorBanner } from '../components/ErrorBanner'
import { formatMediaTime } from '../components/TranscriptPanel'
import { useAppStore } from '../store'
import {
  selectCameraStream,
  selectLastRequestError,
  selectModelKind,
  selectPlanOnScreen,
  selectRequestErrorCount,
  selectSessionStatus,
  selectSource,
} from '../store/selectors'
import { EmptyAnswersContainer } from './EmptyAnswersContainer'
import { ExportContainer } from './ExportContainer'
import { OverlayContainer } from './OverlayContainer'
import { TranscriptContainer } from './TranscriptContainer'

function RequestErrors() {
  const count = useAppStore(selectRequestErrorCount)
  const last = useAppStore(selectLastRequestError)
  if (!last) return null
  return (
    <ErrorBanner
      testId="request-error-banner"
      error={{
        message: `${count} request${count === 1 ? '' : 's'} failed; the last at ${formatMediaTime(last.timeSec)}: ${last.message}`,
        hint: 'The session keeps going; those chunks or frames have no result.',
        kind: 'request-error',
      }}
    />
  )
}

export interface StageContainerProps {
  /** Opens the Request tab, where a model without a live view is used. */
  onOpenRequest?(): void
}

/** The centre: the picture with its boxes, or the transcript, for whatever is running. */
export function StageContainer({ onOpenRequest }: StageContainerProps) {
  const source = useAppStore(selectSource)
  const plan = useAppStore(selectPlanOnScreen)
  const kind = useAppStore(selectModelKind)
  const stream = useAppStore(selectCameraStream)
  const status = useAppStore(selectSessionStatus)
  const videoRef = useRef<HTMLVideoElement>(null)
  const listens = kind === 'streaming-asr' || kind === 'offline-asr'
  const looks = kind === 'detection'

  useEffect(() => {
    const v = videoRef.current
    if (v && source === 'camera') v.srcObject = stream ?? null
  }, [stream, source])

  // A model without a live view (a text model, say) is used one request at a time.
  if (kind === 'generic') {
    return (
      <main className="stage" data-testid="stage" data-kind={kind}>
        <div className="stage-placeholder muted" data-testid="stage-no-live-view">
          This model takes no audio or frames, so it has no live view: send it requests one at a
          time.
          {onOpenRequest && (
            <button type="button" onClick={onOpenRequest} data-testid="stage-open-request">
              Open the Request tab
            </button>
          )}
        </div>
      </main>
    )
  }

  const fileUrl = source === 'file' && plan?.mediaUrl ? plan.mediaUrl : undefined
  const fileIsVideo = fileUrl && plan?.mediaKind !== 'audio'

  // With boxes on screen the export menu ends the filter row; without, it has its own line.
  const exportMenu = looks ? <ExportContainer placement="up" /> : null
  let overlaid = false
  let media: ReactNode = null
  if (source === 'camera' && stream) {
    overlaid = looks
    const video = (
      <video
        ref={videoRef}
        className="stage-video"
        autoPlay
        muted
        playsInline
        data-testid="camera-video"
      />
    )
    media = looks ? (
      <OverlayContainer mode="camera" mediaRef={videoRef} toolbarEnd={exportMenu}>
        {video}
      </OverlayContainer>
    ) : (
      video
    )
  } else if (fileUrl && fileIsVideo) {
    overlaid = looks
    const video = (
      <video
        key={plan?.sessionId}
        ref={videoRef}
        className="stage-video"
        src={fileUrl}
        // With boxes to draw, the player starts once the first results are in (usePlaybackGate).
        autoPlay={!looks}
        controls
        playsInline
        data-testid="file-video"
      />
    )
    media = looks ? (
      <OverlayContainer mode="file" mediaRef={videoRef} toolbarEnd={exportMenu}>
        {video}
      </OverlayContainer>
    ) : (
      video
    )
  } else if (fileUrl) {
    media = <audio key={plan?.sessionId} src={fileUrl} autoPlay controls data-testid="file-audio" />
  }

  const placeholder =
    status === 'starting'
      ? 'Starting…'
      : source === 'file'
        ? 'Choose a file (or drop one on the source bar) and press Start.'
        : source === 'camera'
          ? 'The camera picture appears here when the session starts.'
          : 'Press Start and speak; the transcript appears below.'

  return (
    <main className="stage" data-testid="stage" data-kind={kind ?? 'unknown'}>
      <RequestErrors />
      {media ?? (!listens && <div className="stage-placeholder muted">{placeholder}</div>)}
      {looks && <EmptyAnswersContainer />}
      {looks && !overlaid && exportMenu}
      {listens && <TranscriptContainer />}
    </main>
  )
}
