import { describe, expect, it } from 'vitest';
import type { JobEvent, JobInfo, VoxnasApi } from '../../../../main/contract/index.ts';
import { applyJobEvents, followJob } from '../../../../renderer/src/stores/follow-job.ts';

const job: JobInfo = { id: 'j1', kind: 'evaluate', workspace: '/ws', params: {}, status: 'queued', createdAt: 't0', updatedAt: 't0', progress: { fraction: null, message: 'Queued', etaSeconds: null }, error: null, result: null };
const event = (seq: number, fields: Partial<JobEvent>): JobEvent => ({ jobId: 'j1', seq, time: `t${seq}`, type: 'progress', ...fields });

describe('following a job', () => {
  it('applies status and progress events once each, in seq order, ignoring other jobs', () => {
    const events = [event(3, { type: 'status', status: 'running' }), event(2, { fraction: 0.5, message: 'half', etaSeconds: 9 }), event(2, { fraction: 0.9 }), event(4, { jobId: 'other', type: 'status', status: 'failed' })];
    const { job: next, lastSeq } = applyJobEvents(job, events, 1);
    expect({ status: next.status, progress: next.progress, updatedAt: next.updatedAt, lastSeq }).toEqual({ status: 'running', progress: { fraction: 0.5, message: 'half', etaSeconds: 9 }, updatedAt: 't3', lastSeq: 3 });
  });

  it('follows live events and catch-up reads to the end, then reads the job as recorded', async () => {
    const listeners = new Set<(payload: JobEvent) => void>();
    const asked: unknown[] = [];
    const recorded: JobInfo = { ...job, status: 'succeeded', result: { cases: 2 } };
    const api: VoxnasApi = {
      async invoke(name, request) {
        asked.push([name, request]);
        if (name === 'jobs.events') return [event(1, { type: 'status', status: 'running' })] as never;
        if (name === 'jobs.list') return [recorded] as never;
        throw new Error(`unexpected ${name}`);
      },
      subscribe(_event, listener) {
        listeners.add(listener as (payload: JobEvent) => void);
        return () => listeners.delete(listener as (payload: JobEvent) => void);
      },
    };
    const seen: string[] = [];
    const followed = followJob(api, job, (update) => seen.push(update.status), 10);
    await new Promise((resolve) => setTimeout(resolve, 30));
    listeners.forEach((listener) => listener(event(2, { type: 'status', status: 'succeeded' })));
    expect(await followed.done).toEqual(recorded);
    expect({ seen, listeners: listeners.size, last: asked.at(-1) }).toEqual({ seen: ['running', 'succeeded', 'succeeded'], listeners: 0, last: ['jobs.list', { workspace: '/ws' }] });
  });
});
