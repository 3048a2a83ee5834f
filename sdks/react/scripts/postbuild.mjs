// After the two tsc builds (dist/esm, dist/cjs): mark dist/cjs as CommonJS (the package itself is
// "type": "module"), ship the stylesheet (`import "@janua/react/styles.css"`), and make sure both
// entry modules start with the "use client" directive, which React Server Components frameworks
// (Next.js) need to treat this library of hooks and components as client code.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";

const dist = new URL("../dist/", import.meta.url);

writeFileSync(new URL("cjs/package.json", dist), '{ "type": "commonjs" }\n');
copyFileSync(new URL("../src/styles.css", import.meta.url), new URL("styles.css", dist));

const USE_CLIENT = '"use client";';
for (const entry of ["esm/index.js", "cjs/index.js"]) {
  const file = new URL(entry, dist);
  const lines = readFileSync(file, "utf8").split("\n");
  // tsc keeps src/index.ts's directive, but puts its own "use strict" first in the CommonJS
  // build; both are prologue directives, so moving "use client" to the top changes nothing else.
  const at = lines.findIndex((line) => line.trim() === USE_CLIENT);
  const prologue = lines.slice(0, at).every((line) => /^\s*"use [a-z]+";\s*$/.test(line));
  if (at < 0 || !prologue) throw new Error(`dist/${entry} lacks the "use client" directive at its top (src/index.ts)`);
  if (at > 0) writeFileSync(file, [USE_CLIENT, ...lines.slice(0, at), ...lines.slice(at + 1)].join("\n"));
}
