// node audit.mjs URL -> one JSON line per audit: {id, name, status, reason}
import { serverAudits } from "graphql-http";

const url = process.argv[2];
const audits = serverAudits({ url, fetchFn: fetch });
const results = [];
for (const audit of audits) {
  const result = await audit.fn();
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason ?? null });
}
console.log(JSON.stringify(results));
