/** A p-queue-compatible queue for zarrita running at most `limit` tasks at once (zarrita's `createQueue`). */
export function boundedQueue(limit: number): { add(fn: () => Promise<void>): void; onIdle(): Promise<undefined[]> } {
  const tasks: (() => Promise<void>)[] = [];
  return {
    // zarrita adds every task before awaiting onIdle, so starting them there loses nothing.
    add: (fn) => void tasks.push(fn),
    onIdle: async () => {
      let next = 0;
      const worker = async () => {
        while (next < tasks.length) await tasks[next++]();
      };
      await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
      return [];
    },
  };
}
