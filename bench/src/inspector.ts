/**
 * A server's V8 heap through the inspector protocol (the instance runs with
 * --inspect on 127.0.0.1): force a full GC before reading the heap, so "back to
 * baseline" compares live memory, not garbage that has not been collected yet.
 */
import WebSocket from "ws";

async function call(port: number, methods: string[]): Promise<any[]> {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  try {
    const results: any[] = [];
    for (const [index, method] of methods.entries()) {
      results.push(
        await new Promise((resolve, reject) => {
          const onMessage = (raw: WebSocket.RawData) => {
            const message = JSON.parse(raw.toString());
            if (message.id !== index + 1) return;
            socket.off("message", onMessage);
            if (message.error) reject(new Error(`${method}: ${message.error.message}`));
            else resolve(message.result);
          };
          socket.on("message", onMessage);
          socket.send(JSON.stringify({ id: index + 1, method }));
        }),
      );
    }
    return results;
  } finally {
    socket.close();
  }
}

/** Runs a full GC in the server and returns its used heap in bytes. */
export async function heapAfterGc(port: number): Promise<number> {
  const [, , usage] = await call(port, ["HeapProfiler.collectGarbage", "HeapProfiler.collectGarbage", "Runtime.getHeapUsage"]);
  return usage.usedSize as number;
}
