/**
 * Entry point of the job worker (bundled as out/main/worker.js). Main starts it as an Electron
 * utilityProcess; the browser-mode server and the tests start the same file with child_process.fork.
 * It loads no engine code up front (engine/jobs/registry.ts imports each job kind on first use),
 * so it is ready to answer within a moment of starting.
 */
import { serveWorker } from './worker-session.ts';
import { connectToParent } from './worker-transport.ts';

// tfjs-node-gpu otherwise reserves all GPU memory at start-up, which makes memory budgets meaningless.
process.env['TF_FORCE_GPU_ALLOW_GROWTH'] ??= 'true';

const transport = connectToParent();
if (transport === null) {
  process.stderr.write(
    'The VoxNAS worker must be started by the VoxNAS app or server (utilityProcess or child_process.fork), ' +
      'not from a shell. Use the `voxnas` command line instead.\n',
  );
  process.exit(2);
}
// Forked by a server that has gone away: nobody can see this job's results any more.
if (transport.kind === 'node-fork') process.once('disconnect', () => process.exit(1));
serveWorker(transport, (code) => process.exit(code));
