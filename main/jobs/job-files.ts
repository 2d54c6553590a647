/**
 * A job's files in its workspace: <workspace>/jobs/<jobId>/job.json (the JobInfo, written
 * atomically, with a schemaVersion) and events.jsonl (one JobEvent per line, appended, seq 1, 2, ...).
 * Readers skip a line cut short by a crash, as every reader of an append-only file must.
 */
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { JOB_KINDS, JOB_STATUSES, type JobEvent, type JobInfo } from '../contract/index.ts';
import { writeFileAtomic } from '../../engine/index.ts';

export const JOB_SCHEMA_VERSION = 1;

export const jobsFolder = (workspace: string) => join(workspace, 'jobs');
export const jobFolder = (workspace: string, jobId: string) => join(jobsFolder(workspace), jobId);

export async function writeJobFile(info: JobInfo): Promise<void> {
  const folder = jobFolder(info.workspace, info.id);
  await mkdir(folder, { recursive: true });
  await writeFileAtomic(join(folder, 'job.json'), `${JSON.stringify({ schemaVersion: JOB_SCHEMA_VERSION, ...info }, null, 2)}\n`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A job.json as JobInfo, or null when it is missing or not one (the folder is then not a job). */
export async function readJobFile(workspace: string, jobId: string): Promise<JobInfo | null> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(join(jobFolder(workspace, jobId), 'job.json'), 'utf8'));
  } catch {
    return null;
  }
  if (!isObject(document) || document['schemaVersion'] !== JOB_SCHEMA_VERSION || document['id'] !== jobId) return null;
  const { kind, status, params, progress } = document;
  if (!(JOB_KINDS as readonly unknown[]).includes(kind) || !(JOB_STATUSES as readonly unknown[]).includes(status) || !isObject(params) || !isObject(progress)) return null;
  if (typeof document['createdAt'] !== 'string' || typeof document['updatedAt'] !== 'string') return null;
  const { schemaVersion: _version, ...info } = document;
  // The folder it was found in wins over the path recorded: a workspace may have been moved.
  return { ...(info as unknown as JobInfo), workspace };
}

/**
 * owner.json beside job.json names the VoxNAS process that queued or runs the job, from the moment
 * it is queued until it ends. Another process (the desktop app and `npm run serve` on one workspace)
 * then shows the job as it is instead of taking it for one cut off by a crash, and does not run it twice.
 */
export interface JobOwner {
  pid: number;
  hostname: string;
  since: string;
  /** The process's identity where the platform gives one (processIdentity); a live pid with another identity was reused. */
  process?: string;
}

/**
 * Which process holds a pid, beyond the pid itself: on Linux "<boot id>:<start time in clock ticks
 * since boot>" (/proc), so a pid reused after the owner died, or after a reboot, does not pass for the
 * owner. Null elsewhere, and for a pid that does not exist; the pid alone is then all there is.
 */
export async function processIdentity(pid: number): Promise<string | null> {
  try {
    const [boot, stat] = await Promise.all([readFile('/proc/sys/kernel/random/boot_id', 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
    // Field 2 (the command name, in parentheses) may hold spaces and parentheses; field 22 is the
    // start time, the 20th field after the last ')'.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start && /^\d+$/.test(start) ? `${boot.trim()}:${start}` : null;
  } catch {
    return null;
  }
}

export async function writeJobOwner(workspace: string, jobId: string): Promise<void> {
  const folder = jobFolder(workspace, jobId);
  await mkdir(folder, { recursive: true });
  const identity = await processIdentity(process.pid);
  const owner: JobOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString(), ...(identity ? { process: identity } : {}) };
  await writeFileAtomic(join(folder, 'owner.json'), `${JSON.stringify(owner)}\n`);
}

export async function removeJobOwner(workspace: string, jobId: string): Promise<void> {
  await rm(join(jobFolder(workspace, jobId), 'owner.json'), { force: true });
}

/** Whether a process with this id exists on this machine (EPERM: it exists, owned by another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The other VoxNAS process that owns the job, or null when none does: no owner file, this process,
 * or a process of this machine that no longer exists (or whose pid another process now holds: the
 * identities differ). An owner on another machine (a workspace on a shared drive) cannot be checked
 * and counts as alive.
 */
export async function otherLiveOwner(workspace: string, jobId: string): Promise<JobOwner | null> {
  let owner: unknown;
  try {
    owner = JSON.parse(await readFile(join(jobFolder(workspace, jobId), 'owner.json'), 'utf8'));
  } catch {
    return null;
  }
  if (!isObject(owner) || typeof owner['pid'] !== 'number' || typeof owner['hostname'] !== 'string' || typeof owner['since'] !== 'string') return null;
  const found = owner as unknown as JobOwner;
  if (found.hostname !== hostname()) return found;
  if (found.pid === process.pid || !processAlive(found.pid)) return null;
  if (typeof found.process === 'string') {
    const current = await processIdentity(found.pid);
    if (current !== null && current !== found.process) return null;
  }
  return found;
}

/** Ids of the job folders of a workspace (none when it has no jobs folder yet). */
export async function listJobIds(workspace: string): Promise<string[]> {
  try {
    const entries = await readdir(jobsFolder(workspace), { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

export async function appendJobEvents(workspace: string, events: JobEvent[]): Promise<void> {
  if (events.length === 0) return;
  const folder = jobFolder(workspace, events[0]!.jobId);
  await mkdir(folder, { recursive: true });
  await appendFile(join(folder, 'events.jsonl'), events.map((event) => `${JSON.stringify(event)}\n`).join(''));
}

/**
 * Ends a line cut short by a crash (no trailing newline), so that the next event appended starts on
 * its own line instead of being glued to the torn one. Call it once before appending to a job's
 * events.jsonl that an earlier session wrote.
 */
export async function endTornEventLine(workspace: string, jobId: string): Promise<void> {
  const path = join(jobFolder(workspace, jobId), 'events.jsonl');
  const text = await readFile(path, 'utf8').catch(() => '');
  if (text !== '' && !text.endsWith('\n')) await appendFile(path, '\n');
}

export async function readJobEvents(workspace: string, jobId: string): Promise<JobEvent[]> {
  let text: string;
  try {
    text = await readFile(join(jobFolder(workspace, jobId), 'events.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    try {
      const event = line.trim() ? (JSON.parse(line) as JobEvent) : null;
      return event && typeof event.seq === 'number' ? [event] : [];
    } catch {
      return [];
    }
  });
}
