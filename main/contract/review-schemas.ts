/**
 * zod schemas of the Review and Models commands (main/contract/review.ts), merged into
 * REQUEST_SCHEMAS by schemas.ts, with the same wording as the other commands' refusals. schemas.ts
 * hands in its path and id checks, so that this file does not import it back (no import cycle).
 */
import { z } from 'zod';
import type { ReviewCommands } from './review.ts';

export interface ContractChecks {
  isAbsolutePath(path: string): boolean;
  isSafeId(id: string): boolean;
}

const ABSOLUTE_PATH = 'must be an absolute path (such as /home/me/scans or C:\\scans)';
const SAFE_ID = "must be an id of letters, digits, '.', '_' or '-' (no '/' and no '..')";


/** A short single-line text (dialog title, file name). */
const text = (what: string, max: number) => {
  const requirement = `must be ${what} of 1 to ${max} characters without control characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  return z.string({ error: requirement }).refine((value) => value.trim().length > 0 && value.length <= max && !/[\u0000-\u001f\u007f]/.test(value), { error: requirement });
};

const FILE_NAME = "must be a file name (no '/' or '\\')";

type ReviewSchemas = { [K in keyof ReviewCommands]: z.ZodType<ReviewCommands[K]['request']> };

export function reviewRequestSchemas(checks: ContractChecks) {
  const modelOfWorkspace = () =>
    z.strictObject({
      workspace: z.string({ error: ABSOLUTE_PATH }).refine(checks.isAbsolutePath, { error: ABSOLUTE_PATH }),
      modelId: z.string({ error: SAFE_ID }).refine(checks.isSafeId, { error: SAFE_ID }),
    });
  return {
    'review.metrics': modelOfWorkspace(),
    'review.evaluate': modelOfWorkspace(),
    'models.describe': modelOfWorkspace(),
    'dialog.chooseSaveFile': z.strictObject({
      title: text('a title', 200).optional(),
      defaultName: text('a file name', 200).refine((name) => !/[\\/]/.test(name), { error: FILE_NAME }).optional(),
    }),
  } satisfies ReviewSchemas;
}
