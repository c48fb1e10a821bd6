/**
 * "The model answered N times with no text" (or no boxes): how a session whose every answer was
 * empty says so, in the app and the CLI alike, so that nothing recognised does not look like
 * nothing happened.
 */

/** What an answer of the session's kind would have carried. */
export type EmptyThing = 'text' | 'boxes'

export function emptyAnswersSentence(
  model: string,
  answered: number,
  nothing: EmptyThing,
  running = false,
): string {
  const times = answered === 1 ? 'once' : `${answered} times`
  return running
    ? `${model} has answered ${times}, with no ${nothing} so far.`
    : `${model} answered ${times} with no ${nothing}.`
}
