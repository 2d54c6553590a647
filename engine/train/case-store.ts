import type { TrainingCase } from './training-case.ts';
import { caseBytes } from './training-case.ts';

/**
 * Cases by id, loaded on first use and kept while they fit in `maxBytes` (least recently used go
 * first; the case just loaded always stays, even when it alone is larger). Concurrent requests for
 * one id share one load; a failed load is not cached, so a later request tries again.
 */
export class CaseStore {
  private readonly cache = new Map<string, { trainingCase: TrainingCase; bytes: number }>();
  private readonly loading = new Map<string, Promise<TrainingCase>>();
  private cachedBytes = 0;

  constructor(
    private readonly load: (id: string) => Promise<TrainingCase>,
    readonly maxBytes: number,
  ) {}

  /** Bytes of the cases held now. */
  get bytes(): number {
    return this.cachedBytes;
  }

  get size(): number {
    return this.cache.size;
  }

  async get(id: string): Promise<TrainingCase> {
    const cached = this.cache.get(id);
    if (cached) {
      this.cache.delete(id);
      this.cache.set(id, cached);
      return cached.trainingCase;
    }
    const pending = this.loading.get(id);
    if (pending) return pending;
    const loaded = this.load(id).then(
      (trainingCase) => {
        this.loading.delete(id);
        this.insert(id, trainingCase);
        return trainingCase;
      },
      (error: unknown) => {
        this.loading.delete(id);
        throw error;
      },
    );
    this.loading.set(id, loaded);
    return loaded;
  }

  private insert(id: string, trainingCase: TrainingCase): void {
    const bytes = caseBytes(trainingCase);
    this.cache.set(id, { trainingCase, bytes });
    this.cachedBytes += bytes;
    for (const [oldest, entry] of this.cache) {
      if (this.cachedBytes <= this.maxBytes || oldest === id) break;
      this.cache.delete(oldest);
      this.cachedBytes -= entry.bytes;
    }
  }
}
