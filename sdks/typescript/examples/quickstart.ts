import { ConflictError, Janua } from "@janua/sdk";

const janua = new Janua({ baseUrl: process.env.JANUA_BASE_URL ?? "http://localhost:4100" });

// Sign up (or sign in): the client keeps the tokens and refreshes them by itself.
const email = `ada-${crypto.randomUUID()}@example.com`;
const password = `correct horse battery ${crypto.randomUUID()}`;
const { user } = await janua.auth.register({ email, password, name: "Ada" });
await janua.auth.login({ email, password, device_label: "Ada's laptop" });

const me = await janua.auth.me();
console.log(me.id === user.id, me.email);

// Lists are async iterators that fetch page after page.
for await (const session of janua.sessions.list({ limit: 10 })) {
  console.log(session.id, session.device_label ?? "-", session.current ? "(this one)" : "");
}

// Failures are typed: JanuaError subclasses with status, code, detail and requestId.
try {
  await janua.auth.register({ email, password });
} catch (error) {
  if (!(error instanceof ConflictError)) throw error;
  console.log(error.status, error.code, error.requestId);
}

await janua.auth.logout();
