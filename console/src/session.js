// The moderator's bearer token lives in sessionStorage (this browser tab only, gone when
// it closes) and goes into the Authorization header of every request the console sends.

const TOKEN_KEY = "btl:console:token";

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  save: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

// GraphiQL's own state (tabs, history) also stays in this tab's sessionStorage, under its
// own prefix, so "clear storage" in its settings leaves the sign-in alone.
const PREFIX = "graphiql:";
const ownKeys = () => Object.keys(sessionStorage).filter((key) => key.startsWith(PREFIX));

// the query editor takes two thirds of the width (GraphiQL's own default halves it), so
// the examples' longest lines show whole at 1400 px; dragging the divider still wins
const DEFAULTS = { [`${PREFIX}editorFlex`]: "2" };

export const graphiqlStorage = {
  getItem: (key) => sessionStorage.getItem(key) ?? DEFAULTS[key] ?? null,
  setItem: (key, value) => sessionStorage.setItem(key, value),
  removeItem: (key) => sessionStorage.removeItem(key),
  get length() {
    return ownKeys().length;
  },
  clear: () => ownKeys().forEach((key) => sessionStorage.removeItem(key)),
};

const hasAuthorization = (headers) =>
  Object.keys(headers).some((name) => name.toLowerCase() === "authorization");

// POST one operation to btl; an Authorization header typed in GraphiQL's headers editor wins.
export async function post(endpoint, body, headers = {}) {
  const all = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
    ...headers,
  };
  const token = session.token();
  if (token && !hasAuthorization(all)) all.Authorization = `Bearer ${token}`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: all,
    body: JSON.stringify(body),
    credentials: "omit",
    cache: "no-store",
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
  }
}
