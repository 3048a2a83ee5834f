import { useId, type ReactNode } from "react";

import { useAuth, useJanuaContext, useUser } from "../hooks.js";
import { cx, initials, useMenu } from "./ui.js";

export interface UserButtonProps {
  /** A "Manage account" item going there (through the provider's `navigate`). */
  userProfileUrl?: string;
  /** Where to go after signing out. */
  afterSignOutUrl?: string;
  /** Show the user's name beside the avatar. */
  showName?: boolean;
  className?: string;
}

/** The signed-in user's avatar; its menu shows who is signed in, "Manage account" and "Sign out". */
export function UserButton({ userProfileUrl, afterSignOutUrl, showName = false, className }: UserButtonProps): ReactNode {
  const { user } = useUser();
  const { signOut } = useAuth();
  const { navigate } = useJanuaContext();
  const menu = useMenu();
  const id = useId();
  if (!user) return null;
  const label = user.name || user.email;

  return (
    <div className={cx("janua-root janua-user-button", className)} ref={menu.rootRef}>
      <button
        type="button"
        className="janua-user-button__trigger"
        ref={menu.buttonRef}
        aria-haspopup="menu"
        aria-expanded={menu.open}
        aria-controls={menu.open ? `${id}-menu` : undefined}
        onClick={() => menu.setOpen(!menu.open)}
        onKeyDown={menu.onButtonKeyDown}
      >
        {/* The avatar is a picture of the user (their photo, or their initials in its place):
            hidden from assistive technology. The button's name is its text, "Account menu for
            <name>", of which the name shown beside the avatar (showName) is a part: a visible
            label is always inside the accessible name (WCAG 2.5.3), and translation tools
            translate it with the page (they skip aria-label). */}
        {user.picture_url ? (
          <img className="janua-avatar" src={user.picture_url} alt="" />
        ) : (
          <span className="janua-avatar" aria-hidden="true">
            {initials(user.name, user.email)}
          </span>
        )}
        {showName ? (
          <>
            <span className="janua-visually-hidden">Account menu for</span>{" "}
            <span className="janua-user-button__name">{label}</span>
          </>
        ) : (
          <span className="janua-visually-hidden">Account menu for {label}</span>
        )}
      </button>
      {menu.open ? (
        <div className="janua-popover" id={`${id}-menu`} role="menu" aria-label="Account" ref={menu.menuRef} onKeyDown={menu.onMenuKeyDown}>
          <div className="janua-popover__header" role="none">
            <span className="janua-popover__title">{user.name ?? user.email}</span>
            {user.name ? <span className="janua-popover__subtitle">{user.email}</span> : null}
          </div>
          {userProfileUrl ? (
            <button
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="janua-menu-item"
              onClick={() => {
                menu.close(false);
                void navigate(userProfileUrl);
              }}
            >
              Manage account
            </button>
          ) : null}
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="janua-menu-item"
            onClick={async () => {
              menu.close(false);
              await signOut();
              if (afterSignOutUrl) void navigate(afterSignOutUrl);
            }}
          >
            Sign out
          </button>
        </div>
      ) : null}
    </div>
  );
}
