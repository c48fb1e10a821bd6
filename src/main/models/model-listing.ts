import type { ModelDetails } from '../../shared/ipc-contract'
import type { ModelIndexEntry, TritonApi } from '../triton/triton-api'
import { inspectModel } from './model-facts'

/** One repository entry with what the app made of it, or why it could not read it. */
export interface ListedModel {
  entry: ModelIndexEntry
  /** Read for READY models only: an unloaded model has no metadata to read. */
  details?: ModelDetails
  /** Why this model's metadata or config could not be read; the others are still listed. */
  error?: unknown
}

/** Metadata and config calls in flight at once: a repository of thousands must not open thousands. */
export const INSPECT_CONCURRENCY = 8

async function mapInBatches<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i])
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
  return out
}

/**
 * Every model of the index with its details, as `triton-live models` and the app's model browser
 * list them: one broken model (metadata or config that cannot be read) carries its error and
 * spoils no other entry.
 */
export function inspectRepository(
  client: TritonApi,
  index: readonly ModelIndexEntry[],
  width = INSPECT_CONCURRENCY,
): Promise<ListedModel[]> {
  return mapInBatches(index, width, async (entry) => {
    if (entry.state !== 'READY') return { entry }
    try {
      return { entry, details: await inspectModel(client, entry.name, undefined, entry.version) }
    } catch (error) {
      return { entry, error: error ?? new Error('the server gave no reason') }
    }
  })
}
