/**
 * The pieces every command schema is built from (schemas.ts, search-schemas.ts, review-schemas.ts):
 * path and id checks and their one wording, so that every refusal reads the same.
 */
import { z } from 'zod';

export const ABSOLUTE_PATH = 'must be an absolute path (such as /home/me/scans or C:\\scans)';
export const SAFE_ID = "must be an id of letters, digits, '.', '_' or '-' (no '/' and no '..')";

/** POSIX absolute, Windows drive-absolute or UNC; checked without node:path so the contract stays portable. */
export function isAbsolutePath(path: string): boolean {
  if (path.includes('\0')) return false;
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || /^\\\\[^\\]+\\[^\\]+/.test(path);
}

/** Ids name folders (jobs/<id>, models/<id>) and files (<caseId>.nii.gz): no separators, no parent references. */
export function isSafeId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(id) && !id.includes('..');
}

export const absolutePath = (requirement = ABSOLUTE_PATH) => z.string({ error: requirement }).refine(isAbsolutePath, { error: requirement });

export const safeId = () => z.string({ error: SAFE_ID }).refine(isSafeId, { error: SAFE_ID });

/** A short single-line text (a name, a dialog title, a file name). */
export const label = (what: string, max: number) => {
  const requirement = `must be ${what} of 1 to ${max} characters without control characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  return z.string({ error: requirement }).refine((value) => value.trim().length > 0 && value.length <= max && !/[\u0000-\u001f\u007f]/.test(value), { error: requirement });
};
