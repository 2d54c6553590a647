/**
 * Runtime validation of every command's request (zod), used by main/services before a request reaches
 * a service, in the Electron app and in browser mode alike. Each field's error says what it must be;
 * formatIssues turns zod's issues into one sentence per field, naming the command and the argument.
 * Only main imports this file (it pulls in zod); the renderer and preload use the types in index.ts.
 */
import { z } from 'zod';
import { ContractError } from './errors.ts';
import { STARTABLE_JOB_KINDS, VOLUME_KINDS, type CommandName, type CommandRequest } from './index.ts';
import { reviewRequestSchemas } from './review-schemas.ts';
import { absolutePath, label, safeId } from './schema-parts.ts';
import { searchRequestSchemas } from './search-schemas.ts';

export { isAbsolutePath, isSafeId } from './schema-parts.ts';

const oneOf = (values: readonly string[]) => `must be one of ${values.map((value) => `'${value}'`).join(', ')}`;

const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype,
  { error: 'must be a JSON object of parameters (use {} for none)' },
);

const noArguments = z.strictObject({});

/** One schema per command; objects are strict, so unknown fields are refused rather than ignored. */
export const REQUEST_SCHEMAS = {
  'app.info': noArguments,
  'workspace.create': z.strictObject({ folder: absolutePath(), name: label('a name', 200).optional() }),
  'workspace.open': z.strictObject({ folder: absolutePath() }),
  'workspace.recent': noArguments,
  'dataset.import': z.strictObject({
    workspace: absolutePath(),
    source: absolutePath('must be the absolute path of a dataset folder (MSD, nnU-Net or images/ + labels/)'),
  }),
  'dataset.get': z.strictObject({ workspace: absolutePath() }),
  'jobs.start': z.strictObject({
    workspace: absolutePath(),
    kind: z.enum(STARTABLE_JOB_KINDS, { error: `${oneOf(STARTABLE_JOB_KINDS)} (imports start with dataset.import)` }),
    params: jsonObject,
  }),
  'jobs.cancel': z.strictObject({ jobId: safeId() }),
  'jobs.resume': z.strictObject({ jobId: safeId() }),
  'jobs.list': z.strictObject({ workspace: absolutePath() }),
  'jobs.events': z.strictObject({
    jobId: safeId(),
    since: z.number({ error: 'must be a non-negative whole number (the last seq you have)' })
      .int({ error: 'must be a non-negative whole number (the last seq you have)' })
      .nonnegative({ error: 'must be a non-negative whole number (the last seq you have)' })
      .optional(),
  }),
  'models.list': z.strictObject({ workspace: absolutePath() }),
  'models.export': z.strictObject({
    workspace: absolutePath(),
    modelId: safeId(),
    destination: absolutePath('must be an absolute path of an .onnx file')
      .refine((path) => path.toLowerCase().endsWith('.onnx'), { error: 'must be an absolute path of an .onnx file' })
      .optional(),
  }),
  'volumes.get': z
    .strictObject({
      workspace: absolutePath(),
      caseId: safeId(),
      kind: z.enum(VOLUME_KINDS, { error: oneOf(VOLUME_KINDS) }),
      modelId: safeId().optional(),
    })
    .superRefine((request, context) => {
      if (request.kind === 'prediction' && request.modelId === undefined) {
        context.addIssue({ code: 'custom', path: ['modelId'], message: "is needed when kind is 'prediction' (the model whose prediction to show)", input: undefined });
      }
    }),
  'dialog.chooseFolder': z.strictObject({ title: label('a title', 200).optional() }),
  ...reviewRequestSchemas(),
  ...searchRequestSchemas(),
} satisfies { [K in CommandName]: z.ZodType<CommandRequest<K>> };

/** How a value that was refused reads in a message: short, quoted, never the whole object. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 80 ? `'${value.slice(0, 77)}...'` : `'${value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

/** One sentence per issue: "workspace.open: 'folder' must be an absolute path ..., got 'data'". */
export function formatIssues(command: string, issues: readonly z.core.$ZodIssue[], allowed: readonly string[]): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const takes = allowed.length > 0 ? `it takes ${allowed.map((key) => `'${key}'`).join(', ')}` : 'it takes no arguments: send {}';
      return issue.keys.map((key) => `${command}: '${key}' is not an argument of this command (${takes}).`);
    }
    const field = issue.path.map(String).join('.');
    const hasInput = 'input' in issue && issue.input !== undefined;
    if (field === '') return [`${command}: the request must be an object of named arguments, got ${describeValue(issue.input)}.`];
    if (!hasInput) return [`${command}: '${field}' is missing: it ${issue.message}.`];
    return [`${command}: '${field}' ${issue.message}, got ${describeValue(issue.input)}.`];
  });
}

/** Validates a command's request; throws ContractError('bad-request') listing every bad field. */
export function parseRequest<K extends CommandName>(command: K, raw: unknown): CommandRequest<K> {
  const schema: z.ZodType = REQUEST_SCHEMAS[command];
  const result = schema.safeParse(raw === undefined ? {} : raw, { reportInput: true });
  if (result.success) return result.data as CommandRequest<K>;
  const shape = 'shape' in schema ? Object.keys(schema.shape as object) : [];
  throw new ContractError('bad-request', formatIssues(command, result.error.issues, shape).join(' '));
}
