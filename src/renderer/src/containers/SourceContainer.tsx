import { useCallback, useState } from 'react'
import type { UserError } from '../../../shared/ipc-contract'
import { useApi } from '../bridge'
import { useMediaDevices } from '../capture/devices'
import { SourcePanel } from '../components/SourcePanel'
import { useSessionController } from '../session/controller-context'
import { useAppStore } from '../store'
import {
  selectCameraDevice,
  selectCameraFpsCap,
  selectCameraResolution,
  selectChunkMs,
  selectFilePath,
  selectMicDevice,
  selectPace,
  selectSessionError,
  selectSessionFlow,
  selectSessionNotice,
  selectSessionPreset,
  selectSessionModel,
  selectSessionStatus,
  selectSessionSummary,
  selectSource,
  selectStartBlocker,
} from '../store/selectors'
import { MicLevelContainer } from './MicLevelContainer'

/** An element, not a render: the panel passes it through and memo keeps it. */
const LEVEL_METER = <MicLevelContainer />

export function SourceContainer() {
  const api = useApi()
  const controller = useSessionController()
  const source = useAppStore(selectSource)
  const status = useAppStore(selectSessionStatus)
  const startBlocker = useAppStore(selectStartBlocker)
  const sessionError = useAppStore(selectSessionError)
  const summary = useAppStore(selectSessionSummary)
  const flow = useAppStore(selectSessionFlow)
  const notice = useAppStore(selectSessionNotice)
  const preset = useAppStore(selectSessionPreset)
  const model = useAppStore(selectSessionModel)
  const micDeviceId = useAppStore(selectMicDevice)
  const chunkMs = useAppStore(selectChunkMs)
  const cameraDeviceId = useAppStore(selectCameraDevice)
  const cameraResolution = useAppStore(selectCameraResolution)
  const cameraFpsCap = useAppStore(selectCameraFpsCap)
  const filePath = useAppStore(selectFilePath)
  const pace = useAppStore(selectPace)
  const setSource = useAppStore((s) => s.setSource)
  const setMicDevice = useAppStore((s) => s.setMicDevice)
  const setChunkMs = useAppStore((s) => s.setChunkMs)
  const setCameraDevice = useAppStore((s) => s.setCameraDevice)
  const setCameraResolution = useAppStore((s) => s.setCameraResolution)
  const setCameraFpsCap = useAppStore((s) => s.setCameraFpsCap)
  const setFilePath = useAppStore((s) => s.setFilePath)
  const setPace = useAppStore((s) => s.setPace)
  const dismissSessionError = useAppStore((s) => s.dismissSessionError)
  // Labels appear only after a device was opened once, so re-read them when a session starts.
  const micDevices = useMediaDevices('audioinput', source === 'microphone' ? status : undefined)
  const cameraDevices = useMediaDevices('videoinput', source === 'camera' ? status : undefined)
  const [fileError, setFileError] = useState<UserError>()

  // Audio a stopped session could not get transcribed is a file now: send it, as fast as it goes.
  const onTranscribeKept = useCallback(
    (path: string) => {
      setSource('file')
      setFilePath(path)
      setPace('fast')
      void controller.start()
    },
    [controller, setSource, setFilePath, setPace],
  )

  const onPickFile = useCallback(() => {
    void api.files.pick('media').then((r) => {
      if (!r.ok) setFileError(r.error)
      else if (r.value) {
        setFileError(undefined)
        setFilePath(r.value)
      }
    })
  }, [api, setFilePath])

  const onDropFile = useCallback(
    (file: File) => {
      void api.files.dropped(file).then((r) => {
        if (!r.ok) setFileError(r.error)
        else if (r.value) {
          setFileError(undefined)
          setFilePath(r.value)
        } else {
          setFileError({
            message: `Could not read where "${file.name}" lives.`,
            hint: 'Use "Choose file…" instead.',
            kind: 'drop',
          })
        }
      })
    },
    [api, setFilePath],
  )

  const onStart = useCallback(() => void controller.start(), [controller])
  const onStop = useCallback(() => void controller.stop(), [controller])
  const onDismiss = useCallback(() => {
    setFileError(undefined)
    dismissSessionError()
  }, [dismissSessionError])

  return (
    <SourcePanel
      source={source}
      status={status}
      startBlocker={startBlocker}
      error={sessionError ?? fileError}
      summary={summary}
      flow={flow}
      notice={notice}
      preset={preset}
      onTranscribeKept={onTranscribeKept}
      model={model}
      micDevices={micDevices}
      micDeviceId={micDeviceId}
      chunkMs={chunkMs}
      levelMeter={LEVEL_METER}
      cameraDevices={cameraDevices}
      cameraDeviceId={cameraDeviceId}
      cameraResolution={cameraResolution}
      cameraFpsCap={cameraFpsCap}
      filePath={filePath}
      pace={pace}
      onSource={setSource}
      onMicDevice={setMicDevice}
      onChunkMs={setChunkMs}
      onCameraDevice={setCameraDevice}
      onCameraResolution={setCameraResolution}
      onCameraFpsCap={setCameraFpsCap}
      onPickFile={onPickFile}
      onDropFile={onDropFile}
      onPace={setPace}
      onStart={onStart}
      onStop={onStop}
      onDismissError={onDismiss}
    />
  )
}
