// The console is served under /ui by Coffer's own HTTP server (server/http/ui.ts),
// which routes /v1/* itself and hands everything else to Next.
/** @type {import('next').NextConfig} */
export default {
  basePath: '/ui',
  serverExternalPackages: ['better-sqlite3'],
  reactStrictMode: true,
  poweredByHeader: false,
  images: { unoptimized: true },
};
