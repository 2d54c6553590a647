/**
 * What the services need from the job service (main/jobs/job-service.ts, createJobService): the same
 * shape, declared here so that services depend on no implementation and tests can pass a fake.
 */
import type { JobEvent, JobInfo, JobKind } from '../contract/index.ts';

export interface JobService {
  start(workspace: string, kind: JobKind, params: Record<string, unknown>): Promise<JobInfo>;
  cancel(jobId: string): Promise<JobInfo>;
  resume(jobId: string): Promise<JobInfo>;
  list(workspace: string): Promise<JobInfo[]>;
  get(jobId: string): Promise<JobInfo>;
  events(jobId: string, since?: number): Promise<JobEvent[]>;
  subscribe(listener: (event: JobEvent) => void): () => void;
  close(): Promise<void>;
}
