// Types for cli-bundle.mjs (plain JavaScript: it runs before anything can compile TypeScript).
export declare const REPO_ROOT: string;
export declare const BUNDLES: { client: string; server: string };
export declare const SERVER_COMMANDS: string[];
export interface BundleOpts {
  root?: string;
  name?: keyof typeof BUNDLES;
  cacheDir?: string;
  entry?: string;
}
export declare function cacheDirOf(root: string, name: string): string;
export declare function freshEntry(opts?: BundleOpts): Promise<string | null>;
export declare function buildBundle(opts?: BundleOpts): Promise<string>;
export declare function ensureBundle(opts?: BundleOpts & { onBuild?: () => void }): Promise<string>;
