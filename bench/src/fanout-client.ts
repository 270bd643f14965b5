/**
 * A swarm of graphql-ws clients in its own process (the fan-out scenario runs
 * two, so one event loop does not have to keep up with every socket). Driven
 * by the parent over IPC:
 *
 *   connect  open `add` more sockets, subscribe each; answer "connected"
 *   reset    forget the receipts so far; from now on, mark k is the one for lectures[k] (answers "reset-done")
 *   count    answer "count": receipts so far
 *   collect  answer "receipts": [client, mark number, receipt time (epoch ms, sub-ms)] triples
 *   churn    subscribe/complete cycles over a few sockets; answer "churned"
 *   close    dispose every socket; answer "closed"
 *
 * A receipt's mark number comes from its lectureId: each mark of a burst is for
 * a lecture of its own, so the smallest payload (`{ lectureId }`) identifies it.
 */
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

interface ConnectMessage {
  type: "connect";
  add: number;
  /** Global index of the first new client: client i goes to urls[i % urls.length] with tokens[i % tokens.length]. */
  startIndex: number;
  urls: string[];
  tokens: string[];
  query: string;
  variables: Record<string, unknown>;
}

interface ChurnMessage {
  type: "churn";
  urls: string[];
  token: string;
  sockets: number;
  cycles: number;
  /** Subscriptions each socket keeps in flight. */
  slots: number;
  holdMs: number;
  query: string;
  variables: Record<string, unknown>;
}

type Message = ConnectMessage | ChurnMessage | { type: "reset"; lectures: string[] } | { type: "count" | "collect" | "close" };

const now = () => performance.timeOrigin + performance.now();
const clients: { client: Client; index: number }[] = [];
let receipts: number[] = [];
let other = 0;
const closes = new Map<string, number>();
let markOfLecture = new Map<string, number>();

const send = (message: unknown) => process.send!(message);

function open(url: string, token: string, onClosed?: (code: number) => void): Promise<Client> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const client = createClient({
      url: url.replace(/^http/, "ws") + "/graphql",
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
      on: {
        connected: () => {
          connected = true;
          resolve(client);
        },
        closed: (event) => {
          const code = String((event as { code?: number }).code ?? "?");
          if (!connected) reject(new Error(`socket closed before connecting (${code} ${(event as { reason?: string }).reason ?? ""})`));
          else {
            closes.set(code, (closes.get(code) ?? 0) + 1);
            onClosed?.(Number(code));
          }
        },
        error: (error) => {
          if (!connected) reject(error instanceof Error ? error : new Error(String((error as { message?: string }).message ?? error)));
        },
      },
    });
  });
}

async function connect(message: ConnectMessage) {
  let failed = 0;
  const errors: string[] = [];
  const batch = 100;
  for (let offset = 0; offset < message.add; offset += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, message.add - offset) }, async (_, i) => {
        const index = message.startIndex + offset + i;
        try {
          const client = await open(message.urls[index % message.urls.length]!, message.tokens[index % message.tokens.length]!);
          client.subscribe(
            { query: message.query, variables: message.variables },
            {
              next: (result) => {
                const t = now();
                const k = markOfLecture.get((result.data as any)?.attendanceUpdated?.lectureId);
                if (result.errors || k === undefined) return void other++;
                receipts.push(index, k, t);
              },
              error: () => void other++,
              complete: () => {},
            },
          );
          clients.push({ client, index });
        } catch (error) {
          failed++;
          if (errors.length < 3) errors.push((error as Error).message);
        }
      }),
    );
  }
  send({ type: "connected", total: clients.length, failed, errors });
}

async function churn(message: ChurnMessage) {
  const sockets = await Promise.all(Array.from({ length: message.sockets }, (_, i) => open(message.urls[i % message.urls.length]!, message.token)));
  let started = 0;
  let done = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const begun = performance.now();
  await Promise.all(
    sockets.flatMap((socket) =>
      Array.from({ length: message.slots }, async () => {
        while (started < message.cycles) {
          started++;
          await new Promise<void>((resolve) => {
            let finished = false;
            const finish = () => {
              if (!finished) {
                finished = true;
                resolve();
              }
            };
            const stop = socket.subscribe(
              { query: message.query, variables: message.variables },
              {
                next: () => {},
                error: (error) => {
                  errors++;
                  if (errorSamples.length < 3) errorSamples.push(JSON.stringify(error).slice(0, 200));
                  finish();
                },
                complete: finish,
              },
            );
            setTimeout(() => {
              stop();
              finish();
            }, message.holdMs);
          });
          done++;
        }
      }),
    ),
  );
  const seconds = (performance.now() - begun) / 1000;
  await Promise.all(sockets.map((socket) => socket.dispose()));
  send({ type: "churned", done, errors, errorSamples, seconds });
}

process.on("message", (message: Message) => {
  switch (message.type) {
    case "connect":
      void connect(message);
      break;
    case "reset":
      receipts = [];
      other = 0;
      closes.clear();
      markOfLecture = new Map(message.lectures.map((id, k) => [id, k]));
      send({ type: "reset-done" });
      break;
    case "count":
      send({ type: "count", receipts: receipts.length / 3 });
      break;
    case "collect":
      send({ type: "receipts", receipts: Float64Array.from(receipts), other, closes: Object.fromEntries(closes) });
      break;
    case "churn":
      void churn(message).catch((error) => send({ type: "churned", done: 0, errors: 1, errorSamples: [String(error)], seconds: 0 }));
      break;
    case "close":
      void Promise.all(clients.splice(0).map(({ client }) => client.dispose())).then(() => send({ type: "closed" }));
      break;
  }
});
process.on("disconnect", () => process.exit(0));
send({ type: "ready" });
