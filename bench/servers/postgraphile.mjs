/**
 * PostGraphile 5 for the comparison: the amber preset on node:http (grafserv),
 * schema `public`, connected as the owner and switching to Roster's row-level
 * security per request through pgSettings — the same three settings Roster's
 * server/db/scope.ts makes (role roster_app, app.tenant_id, app.user_id), fixed
 * to the bench's admin of tenant A.
 *
 * One deviation from the bare preset: PgIndexBehaviorsPlugin is off, so every
 * column may be ordered and filtered by (Roster orders courses by name and
 * lectures by date; neither is a leading index column). Nothing else is added.
 */
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";

const { DATABASE_URL, PORT, BENCH_TENANT_ID, BENCH_USER_ID } = process.env;

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [
    makePgService({
      connectionString: DATABASE_URL,
      schemas: ["public"],
      pgSettings: () => ({ role: "roster_app", "app.tenant_id": BENCH_TENANT_ID, "app.user_id": BENCH_USER_ID }),
    }),
  ],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.keepAliveTimeout = 65_000;
serv.addTo(server).catch((error) => {
  console.error(error);
  process.exit(1);
});
server.listen(Number(PORT), "127.0.0.1");

const stop = async () => {
  server.close();
  await pgl.release();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
