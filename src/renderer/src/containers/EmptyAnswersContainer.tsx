import { EmptyAnswers } from '../components/EmptyAnswers'
import { useAppStore } from '../store'
import { selectEmptyAnswers, selectSessionModelDescription } from '../store/selectors'

export function EmptyAnswersContainer() {
  const message = useAppStore(selectEmptyAnswers)
  const description = useAppStore(selectSessionModelDescription)
  return message ? <EmptyAnswers message={message} description={description} /> : null
}
