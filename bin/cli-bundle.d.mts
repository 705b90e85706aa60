// Types for cli-bundle.mjs (plain JavaScript: it runs before anything can compile TypeScript).
export interface BundleOpts {
  root?: string;
  name?: 'client' | 'server';
  cacheDir?: string;
  entry?: string;
  format?: 'cjs' | 'esm';
}
export declare const REPO_ROOT: string;
export declare const BUNDLES: Record<'client' | 'server', { entry: string; format: 'cjs' | 'esm' }>;
export declare const SERVER_COMMANDS: string[];
export declare function cacheDirOf(root: string, name: string): string;
export declare function freshEntry(opts?: BundleOpts): string | null;
export declare function buildBundle(opts?: BundleOpts): Promise<string>;
export declare function ensureBundle(opts?: BundleOpts & { onBuild?: () => void }): Promise<string>;
