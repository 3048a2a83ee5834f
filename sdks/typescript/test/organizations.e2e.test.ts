// The facade on the organizations endpoints (live server): path parameters, a nested body
// (`updateBySlug`, whose body may rename the slug of its own path), paginated lists under a path,
// typed 404s.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";

import { Janua, NotFoundError } from "@janua/sdk";
import { requireEnv } from "@janua/e2e-support/env";

const { JANUA_BASE_URL: baseUrl } = requireEnv();

describe("organizations through the facade", async () => {
  describe("against a live server", () => {
    const janua = new Janua({ baseUrl });
    const slug = `ts-${randomUUID().slice(0, 8)}`;

    before(async () => {
      await janua.auth.register({ email: `ts-org-${randomUUID()}@example.com`, password: `amber lantern orchard ${randomUUID()}` });
    });

    it("creates, reads by id and slug, renames by slug (nested body), lists, deletes", async () => {
      const created = await janua.organizations.create({ name: "Acme TS", slug });
      assert.equal(created.slug, slug);
      assert.equal((await janua.organizations.get({ organization_id: created.id })).name, "Acme TS");
      assert.equal((await janua.organizations.getBySlug({ slug })).id, created.id);

      const renamed = await janua.organizations.updateBySlug({ slug, body: { slug: `${slug}-new`, name: "Acme Renamed" } });
      assert.equal(renamed.slug, `${slug}-new`);
      assert.equal(renamed.name, "Acme Renamed");

      const mine = await janua.organizations.list({ limit: 1 }).toArray();
      assert.ok(mine.some((o) => o.id === created.id));
      const members = await janua.organizations.listMembers({ organization_id: created.id }).toArray();
      assert.equal(members.length, 1);

      await janua.organizations.delete({ organization_id: created.id });
      const gone = await janua.organizations.get({ organization_id: created.id }).catch((e: unknown) => e);
      assert.ok(gone instanceof NotFoundError, String(gone));
    });
  });
});
