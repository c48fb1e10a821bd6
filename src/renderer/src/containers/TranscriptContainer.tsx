import { TranscriptPanel } from '../components/TranscriptPanel'
import { useAppStore } from '../store'
import { selectTranscriptFinals, selectTranscriptPartial } from '../store/selectors'
import { ExportContainer } from './ExportContainer'

export function TranscriptContainer() {
  const finals = useAppStore(selectTranscriptFinals)
  const partial = useAppStore(selectTranscriptPartial)
  const clear = useAppStore((s) => s.clearTranscript)
  const notePainted = useAppStore((s) => s.notePainted)
  return (
    <TranscriptPanel
      finals={finals}
      partial={partial}
      onClear={clear}
      onPainted={notePainted}
      toolbar={<ExportContainer />}
    />
  )
}
