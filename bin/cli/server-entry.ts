// Entry point of `bin/coffer server|lab`: the server side, bundled apart from
// the client commands (main.ts) so neither rebuilds when only the other's
// sources change. Stack traces point at the TypeScript sources.
process.setSourceMapsEnabled(true);

const [command, ...args] = process.argv.slice(2);
if (command === 'lab') {
  const { runLab } = await import('../../server/lab');
  await runLab(args);
} else {
  const { runServer } = await import('../../server/main');
  await runServer(args);
}
export {};
