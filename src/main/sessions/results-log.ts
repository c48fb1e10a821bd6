import { createWriteStream, type WriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SessionResultEvent } from '../../shared/results'
import type { RequestRecord } from './request-ledger'

/** The newest results held in memory; the rest are on disk only. */
export const RESULTS_WINDOW = 2000

/**
 * What a session produced, for exports: the newest results in memory and everything in
 * append-only JSONL files in the session's folder, so an hour-long run keeps flat memory and
 * an export still sees every line.
 */
export class ResultsLog {
  private readonly window: SessionResultEvent[] = []
  private readonly events: WriteStream
  private readonly records: WriteStream
  private closed: Promise<void> | undefined

  constructor(
    private readonly dir: string,
    private readonly windowSize = RESULTS_WINDOW,
  ) {
    this.events = createWriteStream(join(dir, 'results.jsonl'), { flags: 'a', mode: 0o600 })
    this.records = createWriteStream(join(dir, 'requests.jsonl'), { flags: 'a', mode: 0o600 })
  }

  append(event: SessionResultEvent): void {
    if (this.closed) return
    this.window.push(event)
    if (this.window.length > this.windowSize) {
      this.window.splice(0, this.window.length - this.windowSize)
    }
    this.events.write(JSON.stringify(event) + '\n')
  }

  record(record: RequestRecord): void {
    if (!this.closed) this.records.write(JSON.stringify(record) + '\n')
  }

  /** The newest results, oldest first. */
  recent(): readonly SessionResultEvent[] {
    return this.window
  }

  /** Everything logged so far, read back from disk. */
  async collect(): Promise<{ events: SessionResultEvent[]; records: RequestRecord[] }> {
    await Promise.all([flush(this.events), flush(this.records)])
    const [events, records] = await Promise.all([
      readJsonl<SessionResultEvent>(join(this.dir, 'results.jsonl')),
      readJsonl<RequestRecord>(join(this.dir, 'requests.jsonl')),
    ])
    return { events, records }
  }

  /** Flushes and closes the files; `collect` still works afterwards. */
  close(): Promise<void> {
    this.closed ??= Promise.all([end(this.events), end(this.records)]).then(() => undefined)
    return this.closed
  }
}

function flush(stream: WriteStream): Promise<void> {
  if (stream.writableEnded) return Promise.resolve()
  return new Promise((resolve) => stream.write('', () => resolve()))
}

function end(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()))
}

async function readJsonl<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  const out: T[] = []
  for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as T)
  return out
}
