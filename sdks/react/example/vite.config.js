import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The Janua API is served same-origin through this proxy (`/api` -> the server), in `vite` and
// `vite preview` alike: the refresh cookie is then first-party and no CORS is needed.
// `/.well-known` too: the scenario page discovers the issuer and fetches the JWKS there.
const api = process.env.JANUA_BASE_URL ?? "http://127.0.0.1:4100";
const proxy = { "/api": { target: api, changeOrigin: false }, "/.well-known": { target: api, changeOrigin: false } };

export default defineConfig({
  plugins: [react()],
  // @janua/react is linked from `..` (file:..): use this app's one copy of React.
  resolve: { dedupe: ["react", "react-dom"] },
  server: { proxy },
  preview: { proxy },
});
