/**
 * `npm run serve`: VoxNAS in a browser, for machines where Electron cannot run and for a laptop
 * reaching a headless GPU workstation through an SSH tunnel. Starts the same services as the
 * desktop app (jobs in a child_process.fork worker) behind the browser-mode server, prints the
 * link with its token, and stops cleanly (the worker too) on Ctrl+C or SIGTERM.
 * It builds nothing: the renderer must have been built with `npm run build`.
 */
import { parseServeArguments, SERVE_USAGE, UsageError, type ServeOptions } from './cli-options.ts';
import { openServeSession, type ServeSession } from './serve-session.ts';

async function main(): Promise<number> {
  let options: ServeOptions;
  try {
    options = parseServeArguments(process.argv.slice(2), process.env, process.cwd());
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  let session: ServeSession;
  try {
    session = await openServeSession(options);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
  process.stdout.write(`VoxNAS is running at ${session.server.url}\n`);
  process.stdout.write(`Open that link in a browser on this machine (or through an SSH tunnel to port ${session.server.port}). Press Ctrl+C to stop.\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`Second ${signal}: exiting without waiting for the worker.\n`);
        resolve(130);
        return;
      }
      stopping = true;
      process.stdout.write(`${signal}: stopping VoxNAS and its job worker...\n`);
      session.close().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`Could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

process.exitCode = await main();
// Sockets or timers the services may still hold must not keep a stopped server alive.
process.exit();
