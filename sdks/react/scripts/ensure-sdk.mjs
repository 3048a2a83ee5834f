// `@janua/sdk` is linked from ../typescript in development (the `file:` devDependency; users get
// it as a peer dependency): build it first when its dist is missing, so `npm run build` works in
// a fresh clone. (`nox -s react` builds it anyway.)
import { existsSync } from "node:fs";
import { execSync } from "node:child_process";

const sdk = new URL("../../typescript/", import.meta.url);
if (!existsSync(new URL("dist/esm/index.js", sdk))) {
  console.log("building @janua/sdk (../typescript)");
  execSync("npm run build", { cwd: sdk, stdio: "inherit" });
}
