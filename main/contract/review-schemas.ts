/**
 * zod schemas of the Review and Models commands (main/contract/review.ts), merged into
 * REQUEST_SCHEMAS by schemas.ts, built from the same pieces (schema-parts.ts) as the other commands'.
 */
import { z } from 'zod';
import type { ReviewCommands } from './review.ts';
import { absolutePath, label, safeId } from './schema-parts.ts';

const FILE_NAME = "must be a file name (no '/' or '\\')";

type ReviewSchemas = { [K in keyof ReviewCommands]: z.ZodType<ReviewCommands[K]['request']> };

export function reviewRequestSchemas() {
  const modelOfWorkspace = () => z.strictObject({ workspace: absolutePath(), modelId: safeId() });
  return {
    'review.metrics': modelOfWorkspace(),
    'review.evaluate': modelOfWorkspace(),
    'models.describe': modelOfWorkspace(),
    'dialog.chooseSaveFile': z.strictObject({
      title: label('a title', 200).optional(),
      defaultName: label('a file name', 200).refine((name) => !/[\\/]/.test(name), { error: FILE_NAME }).optional(),
    }),
  } satisfies ReviewSchemas;
}
