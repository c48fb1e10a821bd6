import { TranscriptPanel } from '../components/TranscriptPanel'
import { useAppStore } from '../store'
import { selectTranscriptFinals, selectTranscriptPartial } from '../store/selectors'

export function TranscriptContainer() {
  const finals = useAppStore(selectTranscriptFinals)
  const partial = useAppStore(selectTranscriptPartial)
  const clear = useAppStore((s) => s.clearTranscript)
  return <TranscriptPanel finals={finals} partial={partial} onClear={clear} />
}
