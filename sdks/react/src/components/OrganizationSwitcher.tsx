import { useId, useState, type ReactNode } from "react";

import { errorMessage } from "../errors.js";
import { useAuth, useJanuaContext, useOrganization } from "../hooks.js";
import type { Organization } from "../provider.js";
import { cx, initials, useMenu } from "./ui.js";

export interface OrganizationSwitcherProps {
  /** Offer "Personal account" (no active organization); default true. */
  hidePersonal?: boolean;
  /** A "Create organization" item going there. */
  createOrganizationUrl?: string;
  /** Called after the active organization changed (null: personal account). */
  onSwitch?(organization: Organization | null): void;
  className?: string;
}

/**
 * Shows the active organization; its menu lists the user's organizations (refetched each time it
 * opens) as radio items and switches the session to the chosen one (`switchOrganization`: a new
 * access token with that organization's `org_id`, `org_role` and `org_permissions`).
 */
export function OrganizationSwitcher({ hidePersonal = false, createOrganizationUrl, onSwitch, className }: OrganizationSwitcherProps): ReactNode {
  const { isSignedIn, orgId } = useAuth();
  const { navigate } = useJanuaContext();
  const { organization, memberships, setActive } = useOrganization();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const menu = useMenu();
  const id = useId();
  if (!isSignedIn) return null;

  const current = organization?.name ?? (orgId ? "Organization" : "Personal account");

  async function choose(next: Organization | null) {
    menu.close(true);
    if ((next?.id ?? null) === orgId) return;
    setBusy(true);
    setError(null);
    try {
      await setActive(next?.id ?? null);
      onSwitch?.(next);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  function toggle(open: boolean) {
    menu.setOpen(open);
    if (open) void memberships.revalidate().catch(() => undefined);
  }

  return (
    <div className={cx("janua-root janua-org-switcher", className)} ref={menu.rootRef}>
      <button
        type="button"
        className="janua-org-switcher__trigger"
        ref={menu.buttonRef}
        aria-haspopup="menu"
        aria-expanded={menu.open}
        aria-controls={menu.open ? `${id}-menu` : undefined}
        aria-busy={busy}
        onClick={() => toggle(!menu.open)}
        onKeyDown={(event) => {
          if (["ArrowDown", "ArrowUp", "Enter", " "].includes(event.key)) void memberships.revalidate().catch(() => undefined);
          menu.onButtonKeyDown(event);
        }}
      >
        {/* Named by its text, "Active organization: <name>": the name shown is part of it (WCAG
            2.5.3); the monogram is a picture, hidden from assistive technology. */}
        <span className="janua-avatar janua-avatar--square" aria-hidden="true">
          {initials(organization?.name ?? (orgId ? "O" : "P"), null)}
        </span>
        <span className="janua-visually-hidden">Active organization:</span>{" "}
        <span className="janua-org-switcher__name">{current}</span>
        <span className="janua-chevron" aria-hidden="true" />
      </button>
      {menu.open ? (
        <div className="janua-popover" id={`${id}-menu`} role="menu" aria-label="Switch organization" ref={menu.menuRef} onKeyDown={menu.onMenuKeyDown}>
          {hidePersonal ? null : (
            <button type="button" role="menuitemradio" aria-checked={orgId === null} tabIndex={-1} className="janua-menu-item" onClick={() => void choose(null)}>
              Personal account
            </button>
          )}
          {memberships.data.map((org) => (
            <button
              key={org.id}
              type="button"
              role="menuitemradio"
              aria-checked={org.id === orgId}
              tabIndex={-1}
              className="janua-menu-item"
              onClick={() => void choose(org)}
            >
              <span className="janua-menu-item__label">{org.name}</span>
              {org.role ? <span className="janua-menu-item__meta">{org.role}</span> : null}
            </button>
          ))}
          {memberships.isLoading && memberships.data.length === 0 ? (
            <div className="janua-menu-note" role="none">
              Loading…
            </div>
          ) : null}
          {createOrganizationUrl ? (
            <button
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="janua-menu-item janua-menu-item--action"
              onClick={() => {
                menu.close(false);
                void navigate(createOrganizationUrl);
              }}
            >
              Create organization
            </button>
          ) : null}
        </div>
      ) : null}
      <div className="janua-error" role="alert" aria-live="assertive">
        {error}
      </div>
    </div>
  );
}
