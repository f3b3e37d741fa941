import { GraphiQL } from "graphiql";
import { setNonce } from "get-nonce";
import { useCallback, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import "graphiql/graphiql.css";
import "./console.css";
import { examples } from "./examples.js";
import { graphiqlStorage, post, session } from "./session.js";

const root = document.getElementById("console");
const endpoint = root.dataset.endpoint || "/graphql";
// the per-page nonce the Content-Security-Policy allows for GraphiQL's dialogs' <style>
if (root.dataset.styleNonce) setNonce(root.dataset.styleNonce);

const LOGIN = `mutation ConsoleLogin($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on AuthSession { token user { displayName role } }
    ... on RateLimited { retryAfterSeconds }
    ... on Error { message }
  }
}`;
const ME = "query ConsoleViewer { me { displayName role } }";

// GraphiQL 3.9 can send the previous tab's operationName when Run follows a tab switch at
// once; a name the document does not define is dropped, so its one operation runs.
const withOwnOperation = (params) => {
  const name = params.operationName;
  const defined = name && new RegExp(`\\b(query|mutation|subscription)\\s+${name}\\b`).test(params.query);
  return name && !defined ? { ...params, operationName: undefined } : params;
};
const LOGOUT = "mutation ConsoleLogout { logout }";

const firstError = (result) => result.errors?.[0]?.message;

function loginProblem(result) {
  const login = result.data?.login;
  if (!login) return firstError(result) || "The service did not answer the sign-in.";
  if (login.__typename === "RateLimited") {
    return `Too many attempts: try again in ${login.retryAfterSeconds} s.`;
  }
  return login.message || login.__typename;
}

function SignIn({ onSignedIn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      session.forget();
      const result = await post(endpoint, { query: LOGIN, variables: { input: { email, password } } });
      if (result.data?.login?.__typename === "AuthSession") {
        session.save(result.data.login.token);
        setPassword("");
        onSignedIn(result.data.login.user);
      } else {
        setProblem(loginProblem(result));
      }
    } catch (error) {
      setProblem(`The service did not answer: ${error.message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="btl-signin" onSubmit={submit} aria-label="Sign in">
      <input type="email" name="email" placeholder="moderator email" autoComplete="username"
        required value={email} onChange={(e) => setEmail(e.target.value)} aria-label="Email" />
      <input type="password" name="password" placeholder="password" autoComplete="current-password"
        required value={password} onChange={(e) => setPassword(e.target.value)} aria-label="Password" />
      <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      {problem && <span className="btl-problem" role="alert">{problem}</span>}
    </form>
  );
}

function SignedIn({ viewer, onSignOut }) {
  const reader = viewer.role === "READER";
  return (
    <div className="btl-signedin">
      <span className="btl-viewer" data-role={viewer.role}>
        Signed in as <strong>{viewer.displayName}</strong> ({viewer.role.toLowerCase()})
      </span>
      {reader && (
        <span className="btl-problem" role="alert">
          Readers get FORBIDDEN from the moderation operations.
        </span>
      )}
      <button type="button" onClick={onSignOut}>Sign out</button>
    </div>
  );
}

function Console() {
  const [viewer, setViewer] = useState(null);

  // a token from earlier in this tab: ask who it belongs to (it may have expired)
  useEffect(() => {
    if (!session.token()) return;
    post(endpoint, { query: ME })
      .then((result) => (result.data?.me ? setViewer(result.data.me) : session.forget()))
      .catch(() => {});
  }, []);

  const signOut = async () => {
    try {
      await post(endpoint, { query: LOGOUT });
    } catch {
      // the token is dropped from this tab whatever the service answered
    }
    session.forget();
    setViewer(null);
  };

  const fetcher = useCallback(
    (params, options) => post(endpoint, withOwnOperation(params), options?.headers || {}),
    [],
  );

  return (
    <div className="btl-console">
      <header className="btl-bar">
        <span className="btl-title"><strong>btl</strong> moderators’ console</span>
        {viewer ? <SignedIn viewer={viewer} onSignOut={signOut} /> : <SignIn onSignedIn={setViewer} />}
      </header>
      <main className="btl-graphiql">
        <GraphiQL
          fetcher={fetcher}
          defaultTabs={examples}
          storage={graphiqlStorage}
          defaultEditorToolsVisibility="variables"
          shouldPersistHeaders={false}
          showPersistHeadersSettings={false}
        >
          <GraphiQL.Logo>btl</GraphiQL.Logo>
        </GraphiQL>
      </main>
    </div>
  );
}

createRoot(root).render(<Console />);
