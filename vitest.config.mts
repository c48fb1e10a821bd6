import { defineConfig } from 'vitest/config'

// Vitest's reporter calls Map.groupBy, which Node 20 lacks; without this a failing test cannot
// be printed. The config runs in the reporter's process, so the shim lands where it is needed.
const mapWithGroupBy = Map as unknown as { groupBy?: unknown }
if (typeof mapWithGroupBy.groupBy !== 'function') {
  mapWithGroupBy.groupBy = <K, V>(
    items: Iterable<V>,
    key: (item: V, index: number) => K,
  ): Map<K, V[]> => {
    const out = new Map<K, V[]>()
    let i = 0
    for (const item of items) {
      const k = key(item, i++)
      const list = out.get(k)
      if (list) list.push(item)
      else out.set(k, [item])
    }
    return out
  }
}

export default defineConfig({
  test: {
    // Vitest's default on a 2-core machine is one worker, which runs every file in turn. Most
    // integration files wait on sockets, timers and child processes, so four workers overlap them.
    maxWorkers: 4,
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'test/unit/**/*.test.ts',
            'test/unit/**/*.test.tsx',
            'test/integration/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 30_000,
          // Files share a worker's modules instead of importing everything again each time:
          // about a quarter of the project's CPU on two cores. The tests keep no module-level
          // state between files (servers, timers, env and stubs are restored in each file); the
          // one shared thing is the frame converter's worker, which holds nothing between frames.
          isolate: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
