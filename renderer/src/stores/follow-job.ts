/**
 * Follows one job to its end for a store: its live events ('job.event'), a catch-up read of
 * jobs.events every `catchUpMs` (the socket may connect late or drop), and at the end the job as
 * jobs.list records it (with its result or error). Each event is applied once, in seq order.
 */
import type { JobEvent, JobInfo, JobStatus, VoxnasApi } from '../../../main/contract/index.ts';

export const FINISHED_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

export const isFinished = (job: Pick<JobInfo, 'status'>): boolean => FINISHED_STATUSES.includes(job.status);

export interface FollowedJob {
  /** The job as recorded when it ended (succeeded, failed, cancelled or interrupted). */
  done: Promise<JobInfo>;
  /** Stops following (the job keeps running). */
  stop(): void;
}

/** The job after its events (status and progress); events of other jobs or already applied are ignored. */
export function applyJobEvents(job: JobInfo, events: readonly JobEvent[], lastSeq: number): { job: JobInfo; lastSeq: number } {
  let next = job;
  let seq = lastSeq;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    if (event.jobId !== job.id || event.seq <= seq) continue;
    seq = event.seq;
    if (event.type === 'status' && event.status) next = { ...next, status: event.status, updatedAt: event.time };
    else if (event.type === 'progress') next = { ...next, progress: { fraction: event.fraction ?? null, message: event.message ?? next.progress.message, etaSeconds: event.etaSeconds ?? null } };
  }
  return { job: next, lastSeq: seq };
}

export function followJob(api: VoxnasApi, started: JobInfo, onChange: (job: JobInfo) => void, catchUpMs = 1500): FollowedJob {
  let job = started;
  let lastSeq = 0;
  let stopped = false;
  let finishing = false;
  let timer: ReturnType<typeof setInterval> | null = null;
  let resolveDone: (job: JobInfo) => void = () => undefined;
  let rejectDone: (error: unknown) => void = () => undefined;
  const done = new Promise<JobInfo>((resolvePromise, rejectPromise) => {
    resolveDone = resolvePromise;
    rejectDone = rejectPromise;
  });

  const stop = () => {
    stopped = true;
    if (timer) clearInterval(timer);
    timer = null;
    unsubscribe();
  };

  async function finish(): Promise<void> {
    if (finishing) return;
    finishing = true;
    stop();
    try {
      const recorded = (await api.invoke('jobs.list', { workspace: job.workspace })).find((candidate) => candidate.id === job.id);
      job = recorded ?? job;
      onChange(job);
      resolveDone(job);
    } catch (error) {
      rejectDone(error);
    }
  }

  function apply(events: readonly JobEvent[]): void {
    if (stopped) return;
    const applied = applyJobEvents(job, events, lastSeq);
    if (applied.lastSeq === lastSeq) return;
    ({ job, lastSeq } = applied);
    onChange(job);
    if (isFinished(job)) void finish();
  }

  async function catchUp(): Promise<void> {
    try {
      apply(await api.invoke('jobs.events', { jobId: job.id, since: lastSeq }));
    } catch (error) {
      stop();
      rejectDone(error);
    }
  }

  const unsubscribe = api.subscribe('job.event', (event) => apply([event]));
  if (isFinished(job)) void finish();
  else {
    timer = setInterval(() => void catchUp(), catchUpMs);
    void catchUp();
  }
  return { done, stop };
}
