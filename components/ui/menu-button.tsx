'use client';
// A keyboard-usable menu button (WAI-ARIA APG "menu button" pattern):
// Enter/Space/ArrowDown open on the first item, ArrowUp on the last; inside,
// arrows/Home/End move, Escape closes and returns focus, Tab closes, a click
// outside closes. Items are elements with role="menuitem" (see MenuLink and
// MenuAction below); anything else inside the menu is plain content.
import Link from 'next/link';
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

type FocusTarget = 'first' | 'last';

interface MenuButtonProps {
  /** Visible content of the button; its text is the button's name. */
  label: ReactNode;
  /** The menu's accessible name, e.g. "Status". */
  menuLabel: string;
  align?: 'left' | 'right';
  buttonClassName?: string;
  menuClassName?: string;
  children: ReactNode;
}

const ITEM_SELECTOR = '[role="menuitem"]:not([aria-disabled="true"])';

export function MenuButton({ label, menuLabel, align = 'right', buttonClassName = '', menuClassName = '', children }: MenuButtonProps) {
  const [open, setOpen] = useState(false);
  const focusOnOpen = useRef<FocusTarget>('first');
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const id = useId();
  const buttonId = `${id}-button`;
  const menuId = `${id}-menu`;

  const items = useCallback(
    () => Array.from(menuRef.current?.querySelectorAll<HTMLElement>(ITEM_SELECTOR) ?? []),
    [],
  );

  const close = useCallback((returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    const list = items();
    (focusOnOpen.current === 'last' ? list[list.length - 1] : list[0])?.focus();
    const onPointerDown = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open, items]);

  function openAt(target: FocusTarget) {
    focusOnOpen.current = target;
    setOpen(true);
  }

  function onButtonKeyDown(e: KeyboardEvent<HTMLButtonElement>) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      openAt(e.key === 'ArrowUp' ? 'last' : 'first');
    }
  }

  function onMenuKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    const move = (i: number) => {
      e.preventDefault();
      list[(i + list.length) % list.length]?.focus();
    };
    switch (e.key) {
      case 'ArrowDown':
        return move(at + 1);
      case 'ArrowUp':
        return move(at < 0 ? list.length - 1 : at - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(list.length - 1);
      case 'Escape':
        e.preventDefault();
        return close(true);
      case 'Tab':
        return close(false);
    }
  }

  return (
    <div ref={rootRef} className="relative">
      <button
        ref={buttonRef}
        id={buttonId}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? close(false) : openAt('first'))}
        onKeyDown={onButtonKeyDown}
        className={buttonClassName}
      >
        {label}
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={menuLabel}
          tabIndex={-1}
          onKeyDown={onMenuKeyDown}
          onClick={(e) => {
            if ((e.target as HTMLElement).closest('[role="menuitem"]')) close(false);
          }}
          className={`absolute z-30 mt-2 min-w-64 overflow-hidden rounded-md border border-gray-200 bg-white py-1 text-gray-900 shadow-lg ${
            align === 'right' ? 'right-0' : 'left-0'
          } ${menuClassName}`}
        >
          {children}
        </div>
      ) : null}
    </div>
  );
}

const ITEM_CLASS =
  'flex w-full items-center justify-between gap-4 px-4 py-2 text-left text-sm text-gray-800 outline-none hover:bg-gray-100 focus:bg-blue-50 focus:text-brand-dark';

export function MenuLink({ href, children, prefetch }: { href: string; children: ReactNode; prefetch?: boolean }) {
  return (
    <Link href={href} role="menuitem" tabIndex={-1} prefetch={prefetch} className={ITEM_CLASS}>
      {children}
    </Link>
  );
}

export function MenuAction({ onSelect, children }: { onSelect: () => void; children: ReactNode }) {
  return (
    <button type="button" role="menuitem" tabIndex={-1} onClick={onSelect} className={ITEM_CLASS}>
      {children}
    </button>
  );
}

export function MenuSeparator() {
  return <div role="separator" className="my-1 border-t border-gray-200" />;
}
