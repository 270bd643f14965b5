import "graphiql/setup-workers/vite";
import "graphiql/style.css";
import { GraphiQL } from "graphiql";
import { explore } from "../api/client";

export default function GraphiQLPanel() {
  return <GraphiQL fetcher={explore} defaultQuery={"{\n  me {\n    firstName\n    membership {\n      roles\n    }\n  }\n}\n"} />;
}
