import { createWriteStream, type WriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SessionResultEvent } from '../../shared/results'
import type { RequestRecord } from './request-ledger'
import { SharedTimer } from './shared-timer'

/**
 * Lines wait up to a second (every session's files on one timer), or until this many bytes, and
 * then go to disk in one write. A crash loses the last second or so of lines; `collect` and
 * `close` flush first.
 */
const flushTimer = new SharedTimer(1000)
const FLUSH_BYTES = 64 * 1024

/**
 * An append-only JSONL file written in batches: one write a second rather than one per line (a
 * write per line cost 64 real-time microphone sessions 0.12 ms of CPU a request; at four writes
 * a second their 128 files still woke a thread-pool thread 512 times a second).
 */
class LineFile {
  private lines: string[] = []
  private bytes = 0

  constructor(readonly stream: WriteStream) {}

  write(line: string): void {
    this.lines.push(line)
    this.bytes += line.length
    if (this.bytes >= FLUSH_BYTES) this.flush()
    else flushTimer.schedule(this.flush)
  }

  readonly flush = (): void => {
    flushTimer.cancel(this.flush)
    if (this.lines.length === 0) return
    this.stream.write(this.lines.join(''))
    this.lines = []
    this.bytes = 0
  }
}

/**
 * What a session produced, for exports: everything in append-only JSONL files in the session's
 * folder, so an hour-long run keeps flat memory and an export still sees every line.
 */
export class ResultsLog {
  private readonly events: LineFile
  private readonly records: LineFile
  private closed: Promise<void> | undefined

  constructor(private readonly dir: string) {
    const file = (name: string) =>
      new LineFile(createWriteStream(join(dir, name), { flags: 'a', mode: 0o600 }))
    this.events = file('results.jsonl')
    this.records = file('requests.jsonl')
  }

  append(event: SessionResultEvent): void {
    if (this.closed) return
    this.events.write(JSON.stringify(event) + '\n')
  }

  record(record: RequestRecord): void {
    if (!this.closed) this.records.write(JSON.stringify(record) + '\n')
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

function flush(file: LineFile): Promise<void> {
  file.flush()
  if (file.stream.writableEnded) return Promise.resolve()
  return new Promise((resolve) => file.stream.write('', () => resolve()))
}

function end(file: LineFile): Promise<void> {
  file.flush()
  return new Promise((resolve) => file.stream.end(() => resolve()))
}

async function readJsonl<T>(path: string): Promise<T[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  const out: T[] = []
  for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as T)
  return out
}
