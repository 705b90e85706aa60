import { spawn } from 'node:child_process';
import { COFFER_BIN, REPO_ROOT } from './cluster';

// Runs the real `bin/coffer` CLI for integration tests, with a clean
// environment: no inherited VAULT_*/COFFER_* variables, HOME pointed at a
// temp dir (so ~/.coffer-token is the test's own).
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCoffer(args: string[], opts: { addr: string; home: string; token?: string | null; stdin?: string }): Promise<CliRun> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(VAULT|COFFER)_/.test(k)) delete env[k];
  env.HOME = opts.home;
  env.COFFER_ADDR = opts.addr;
  if (opts.token) env.COFFER_TOKEN = opts.token;
  return new Promise((resolve, reject) => {
    const child = spawn(COFFER_BIN, args, { cwd: REPO_ROOT, env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
