/** Small building blocks shared by the components: card, field, error region, menu keyboard logic. */

import { useCallback, useEffect, useId, useRef, useState, type InputHTMLAttributes, type KeyboardEvent, type ReactNode, type RefObject } from "react";

export function cx(...names: (string | false | null | undefined)[]): string {
  return names.filter(Boolean).join(" ");
}

export function Card({ title, subtitle, className, children, titleRef }: {
  title: string;
  subtitle?: ReactNode;
  className?: string | undefined;
  children: ReactNode;
  titleRef?: RefObject<HTMLHeadingElement | null>;
}): ReactNode {
  const id = useId();
  return (
    <section className={cx("janua-root janua-card", className)} aria-labelledby={`${id}-title`}>
      <h2 className="janua-card__title" id={`${id}-title`} tabIndex={-1} ref={titleRef}>
        {title}
      </h2>
      {subtitle ? <p className="janua-card__subtitle">{subtitle}</p> : null}
      {children}
    </section>
  );
}

/**
 * The form's error, announced by screen readers (`aria-live`): the region is always rendered, so
 * assistive technology is listening before the text arrives.
 */
export function FormError({ id, message }: { id: string; message: string | null }): ReactNode {
  return (
    <div id={id} className={cx("janua-error", !message && "janua-error--empty")} role="alert" aria-live="assertive" aria-atomic="true">
      {message}
    </div>
  );
}

export interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  name: string;
  hint?: string;
  error?: string | undefined;
  inputRef?: RefObject<HTMLInputElement | null>;
}

/** A labelled input; its hint and error are tied to it with `aria-describedby`. */
export function Field({ label, name, hint, error, inputRef, ...input }: FieldProps): ReactNode {
  const id = `${useId()}-${name}`;
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="janua-field">
      <label className="janua-field__label" htmlFor={id}>
        {label}
      </label>
      <input
        {...input}
        ref={inputRef}
        id={id}
        name={name}
        className="janua-input"
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
      />
      {hint ? (
        <p className="janua-field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="janua-field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Spinner(): ReactNode {
  return <span className="janua-spinner" aria-hidden="true" />;
}

/**
 * A menu button's state and keyboard behaviour (WAI-ARIA APG "menu button"): Enter, Space or
 * ArrowDown open it on the first item, ArrowUp on the last; arrows, Home and End move; Escape
 * closes it and gives focus back to the button; Tab and a click outside close it.
 */
export function useMenu(): {
  open: boolean;
  setOpen(open: boolean, focus?: "first" | "last"): void;
  buttonRef: RefObject<HTMLButtonElement | null>;
  menuRef: RefObject<HTMLDivElement | null>;
  rootRef: RefObject<HTMLDivElement | null>;
  onButtonKeyDown(event: KeyboardEvent<HTMLButtonElement>): void;
  onMenuKeyDown(event: KeyboardEvent<HTMLDivElement>): void;
  close(returnFocus?: boolean): void;
} {
  const [open, setOpenState] = useState(false);
  const [focusTarget, setFocusTarget] = useState<"first" | "last">("first");
  const buttonRef = useRef<HTMLButtonElement | null>(null);
  const menuRef = useRef<HTMLDivElement | null>(null);
  const rootRef = useRef<HTMLDivElement | null>(null);

  const items = useCallback(
    () => Array.from(menuRef.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]:not([aria-disabled="true"])') ?? []),
    [],
  );

  const setOpen = useCallback((next: boolean, focus: "first" | "last" = "first") => {
    setFocusTarget(focus);
    setOpenState(next);
  }, []);

  const close = useCallback((returnFocus = true) => {
    setOpenState(false);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    const list = items();
    const checked = list.find((el) => el.getAttribute("aria-checked") === "true");
    (focusTarget === "last" ? list[list.length - 1] : (checked ?? list[0]))?.focus();
  }, [open, focusTarget, items]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent | MouseEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) close(false);
    };
    document.addEventListener("mousedown", onPointer);
    return () => document.removeEventListener("mousedown", onPointer);
  }, [open, close]);

  const onButtonKeyDown = useCallback(
    (event: KeyboardEvent<HTMLButtonElement>) => {
      if (event.key === "ArrowDown" || event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        setOpen(true, "first");
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setOpen(true, "last");
      }
    },
    [setOpen],
  );

  const onMenuKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      const list = items();
      const index = list.indexOf(document.activeElement as HTMLElement);
      const move = (to: number) => {
        event.preventDefault();
        list[(to + list.length) % list.length]?.focus();
      };
      switch (event.key) {
        case "ArrowDown":
          return move(index + 1);
        case "ArrowUp":
          return move(index - 1);
        case "Home":
          return move(0);
        case "End":
          return move(list.length - 1);
        case "Escape":
          event.preventDefault();
          return close(true);
        case "Tab":
          return close(false);
        case "Enter":
        case " ":
          if (index >= 0) {
            event.preventDefault();
            list[index]?.click();
          }
          return;
        default:
          return;
      }
    },
    [items, close],
  );

  return { open, setOpen, buttonRef, menuRef, rootRef, onButtonKeyDown, onMenuKeyDown, close };
}

/** Two letters for an avatar: "Ada Lovelace" -> "AL", "ada@example.com" -> "A". */
export function initials(name: string | null | undefined, email: string | null | undefined): string {
  const source = (name ?? "").trim();
  if (source) {
    const words = source.split(/\s+/);
    return ((words[0]?.[0] ?? "") + (words.length > 1 ? (words[words.length - 1]?.[0] ?? "") : "")).toUpperCase();
  }
  return (email?.[0] ?? "?").toUpperCase();
}
