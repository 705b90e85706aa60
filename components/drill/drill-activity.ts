'use client';
// "A drill is running in this tab." A drill demotes, stops and promotes the
// very cluster that may be serving this console: while one runs, the frame
// must neither send the tab to the DR-secondary screen (the gate) nor forget
// the session on a 403 from lookup-self, or the page holding the drill's only
// state would unmount mid-disaster. A module-level store, read with
// useSyncExternalStore, because the gate and the frame sit above the page.
import { useSyncExternalStore } from 'react';

let active = false;
const listeners = new Set<() => void>();

export function setDrillActive(next: boolean): void {
  if (active === next) return;
  active = next;
  for (const l of listeners) l();
}

export function isDrillActive(): boolean {
  return active;
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useDrillActive(): boolean {
  return useSyncExternalStore(subscribe, isDrillActive, () => false);
}
