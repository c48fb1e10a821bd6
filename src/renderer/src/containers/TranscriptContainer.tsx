import { EmptyAnswers } from '../components/EmptyAnswers'
import { TranscriptPanel } from '../components/TranscriptPanel'
import { useAppStore } from '../store'
import {
  selectEmptyAnswers,
  selectSessionModelDescription,
  selectTranscriptFinals,
  selectTranscriptPartial,
} from '../store/selectors'
import { ExportContainer } from './ExportContainer'

export function TranscriptContainer() {
  const finals = useAppStore(selectTranscriptFinals)
  const partial = useAppStore(selectTranscriptPartial)
  const emptyAnswers = useAppStore(selectEmptyAnswers)
  const description = useAppStore(selectSessionModelDescription)
  const clear = useAppStore((s) => s.clearTranscript)
  const notePainted = useAppStore((s) => s.notePainted)
  return (
    <TranscriptPanel
      finals={finals}
      partial={partial}
      onClear={clear}
      onPainted={notePainted}
      emptyState={
        emptyAnswers ? <EmptyAnswers message={emptyAnswers} description={description} /> : undefined
      }
      toolbar={<ExportContainer />}
    />
  )
}
