'use client';
// /ui/wall: every watched cluster as a tile, for a NOC screen. Add a cluster by
// address once; the list lives in the URL (shareable) and localStorage, and
// the wall then runs unattended.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { WALL_STORAGE_KEY, clustersSearch, initialClusters, normalizeClusterAddr } from '@/lib/api/status-feed-wall';
import { ClusterTile } from './cluster-tile';

function readStored(): string | null {
  try {
    return window.localStorage.getItem(WALL_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function StatusWall() {
  const id = useId();
  const [clusters, setClusters] = useState<string[] | null>(null);
  const [input, setInput] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  // Stable across renders, so typing in the address box does not re-render the memoised tiles.
  const remove = useCallback((addr: string) => setClusters((c) => (c ?? []).filter((x) => x !== addr)), []);

  // The URL and localStorage exist only in the browser: read them after mount.
  useEffect(() => {
    setClusters(initialClusters(window.location.search, readStored()));
  }, []);

  useEffect(() => {
    if (clusters === null) return;
    try {
      window.localStorage.setItem(WALL_STORAGE_KEY, JSON.stringify(clusters));
    } catch {
      // storage disabled: the URL still carries the list
    }
    const url = `${window.location.pathname}${clustersSearch(clusters)}`;
    if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, '', url);
  }, [clusters]);

  function add(e: FormEvent) {
    e.preventDefault();
    const addr = normalizeClusterAddr(input);
    if (!addr) return setProblem('Enter a cluster address such as http://127.0.0.1:8200.');
    if (clusters?.includes(addr)) return setProblem(`${addr} is already on the wall.`);
    setProblem(null);
    setInput('');
    setClusters((c) => [...(c ?? []), addr]);
  }

  return (
    <div className="min-h-screen bg-slate-950 px-8 py-6 text-slate-100">
      <header className="mb-6 flex flex-wrap items-end justify-between gap-6">
        <div>
          <h1 className="text-3xl font-bold tracking-tight text-white">Coffer status wall</h1>
          <p className="mt-1 text-lg text-slate-400">Live replication and seal status of every cluster below.</p>
        </div>
        <form onSubmit={add} noValidate className="flex items-end gap-3">
          <div>
            <label htmlFor={`${id}-addr`} className="block text-sm font-semibold text-slate-300">
              Cluster address
            </label>
            <input
              id={`${id}-addr`}
              type="text"
              inputMode="url"
              spellCheck={false}
              autoComplete="off"
              placeholder="http://127.0.0.1:8200"
              value={input}
              onChange={(e) => setInput(e.target.value)}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? `${id}-problem` : undefined}
              className="mt-1 w-80 rounded-md border border-slate-600 bg-slate-900 px-3 py-2 font-mono text-base text-white outline-none placeholder:text-slate-500 focus:border-sky-400 focus:ring-2 focus:ring-sky-400/40"
            />
          </div>
          <button
            type="submit"
            className="rounded-md bg-sky-600 px-4 py-2 text-base font-semibold text-white outline-none hover:bg-sky-500 focus-visible:ring-2 focus-visible:ring-sky-300 focus-visible:ring-offset-2 focus-visible:ring-offset-slate-950"
          >
            Add cluster
          </button>
        </form>
      </header>
      <p id={`${id}-problem`} role="alert" className="-mt-3 mb-4 min-h-6 text-base text-red-300">
        {problem ?? ''}
      </p>
      {clusters === null ? null : clusters.length === 0 ? (
        <p className="mt-24 text-center text-2xl text-slate-400">No clusters yet. Add one by its address above.</p>
      ) : (
        <div className="grid gap-6 [grid-template-columns:repeat(auto-fill,minmax(34rem,1fr))]">
          {clusters.map((addr) => (
            <ClusterTile key={addr} addr={addr} onRemove={remove} />
          ))}
        </div>
      )}
    </div>
  );
}
