import { describe, expect, it } from 'vitest';
import { ContractError, fromWireError, toWireError } from '../../../main/contract/errors.ts';
import { COMMAND_NAMES, type CommandName } from '../../../main/contract/index.ts';
import { isAbsolutePath, isSafeId, parseRequest, REQUEST_SCHEMAS } from '../../../main/contract/schemas.ts';

/** The message parseRequest throws, or null when the request is accepted. */
function refusal(command: CommandName, request: unknown): string | null {
  try {
    parseRequest(command, request);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    expect((error as ContractError).code).toBe('bad-request');
    return (error as Error).message;
  }
}

describe('command request schemas', () => {
  it('there is one schema per command of the contract', () => {
    expect(Object.keys(REQUEST_SCHEMAS).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('accept well-formed requests and return them unchanged', () => {
    const good: { [K in CommandName]?: unknown[] } = {
      'app.info': [{}, undefined],
      'workspace.create': [{ folder: '/home/me/ws' }, { folder: 'C:\\Users\\me\\ws', name: 'Hippocampus' }],
      'workspace.open': [{ folder: '/data/ws' }, { folder: '\\\\server\\share\\ws' }],
      'workspace.recent': [{}],
      'dataset.import': [{ workspace: '/ws', source: '/data/Task04_Hippocampus' }],
      'dataset.get': [{ workspace: '/ws' }],
      'jobs.start': [{ workspace: '/ws', kind: 'train', params: { epochs: 5, nested: { a: [1] } } }, { workspace: '/ws', kind: 'plan', params: {} }],
      'jobs.cancel': [{ jobId: 'job-20261126-abc123' }],
      'jobs.resume': [{ jobId: 'a1.b_c-d' }],
      'jobs.list': [{ workspace: '/ws' }],
      'jobs.events': [{ jobId: 'j1' }, { jobId: 'j1', since: 0 }, { jobId: 'j1', since: 42 }],
      'models.list': [{ workspace: '/ws' }],
      'models.export': [{ workspace: '/ws', modelId: 'm1' }, { workspace: '/ws', modelId: 'm1', destination: '/tmp/out.ONNX' }],
      'volumes.get': [{ workspace: '/ws', caseId: 'hippocampus_001', kind: 'image' }, { workspace: '/ws', caseId: 'c', kind: 'prediction', modelId: 'm1' }],
      'dialog.chooseFolder': [{}, { title: 'Choose a workspace' }],
    };
    for (const [command, requests] of Object.entries(good)) {
      for (const request of requests) {
        expect(refusal(command as CommandName, request), `${command} ${JSON.stringify(request)}`).toBeNull();
        if (request !== undefined) expect(parseRequest(command as CommandName, request)).toEqual(request);
      }
    }
  });

  it('refuse bad requests with one sentence per bad field, naming the command, the argument and the value', () => {
    const cases: [CommandName, unknown, string][] = [
      ['workspace.open', { folder: 'data' }, "workspace.open: 'folder' must be an absolute path (such as /home/me/scans or C:\\scans), got 'data'."],
      ['workspace.open', {}, "workspace.open: 'folder' is missing: it must be an absolute path (such as /home/me/scans or C:\\scans)."],
      ['workspace.open', { folder: 3 }, "workspace.open: 'folder' must be an absolute path (such as /home/me/scans or C:\\scans), got number 3."],
      ['workspace.open', null, 'workspace.open: the request must be an object of named arguments, got null.'],
      ['workspace.open', '/ws', "workspace.open: the request must be an object of named arguments, got '/ws'."],
      ['workspace.open', { folder: '/ws', extra: true }, "workspace.open: 'extra' is not an argument of this command (it takes 'folder')."],
      ['app.info', { verbose: 1 }, "app.info: 'verbose' is not an argument of this command (it takes no arguments: send {})."],
      ['workspace.create', { folder: '/ws', name: '  ' }, "workspace.create: 'name' must be a name of 1 to 200 characters without control characters, got '  '."],
      ['jobs.start', { workspace: '/ws', kind: 'import', params: [] }, "jobs.start: 'kind' must be one of 'plan', 'train', 'search', 'predict', 'export' (imports start with dataset.import), got 'import'. jobs.start: 'params' must be a JSON object of parameters (use {} for none), got an array."],
      ['jobs.cancel', { jobId: '../../etc' }, "jobs.cancel: 'jobId' must be an id of letters, digits, '.', '_' or '-' (no '/' and no '..'), got '../../etc'."],
      ['jobs.events', { jobId: 'j1', since: -1 }, "jobs.events: 'since' must be a non-negative whole number (the last seq you have), got number -1."],
      ['jobs.events', { jobId: 'j1', since: 1.5 }, "jobs.events: 'since' must be a non-negative whole number (the last seq you have), got number 1.5."],
      ['models.export', { workspace: '/ws', modelId: 'm/1', destination: '/tmp/model.bin' }, "models.export: 'modelId' must be an id of letters, digits, '.', '_' or '-' (no '/' and no '..'), got 'm/1'. models.export: 'destination' must be an absolute path of an .onnx file, got '/tmp/model.bin'."],
      ['volumes.get', { workspace: '/ws', caseId: 'c1', kind: 'mask' }, "volumes.get: 'kind' must be one of 'image', 'label', 'prediction', got 'mask'."],
      ['volumes.get', { workspace: '/ws', caseId: 'c1', kind: 'prediction' }, "volumes.get: 'modelId' is missing: it is needed when kind is 'prediction' (the model whose prediction to show)."],
      ['dataset.import', { workspace: '/ws', source: 'sample' }, "dataset.import: 'source' must be the absolute path of a dataset folder (MSD, nnU-Net or images/ + labels/), got 'sample'."],
    ];
    expect(cases.map(([command, request]) => refusal(command, request))).toEqual(cases.map(([, , message]) => message));
  });

  it('paths and ids: what counts as absolute and as safe', () => {
    expect(['/a', 'C:\\a', 'd:/a', '\\\\host\\share', 'a', './a', '../a', 'C:a', '', '/a\0b'].map(isAbsolutePath)).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(['job-1', 'a.b_c', 'a..b', '.hidden', 'a/b', 'a\\b', '', 'x'.repeat(201)].map(isSafeId)).toEqual([true, true, false, false, false, false, false, false]);
  });
});

describe('wire errors', () => {
  it('carry code and message both ways; unexpected errors become failed', () => {
    expect(toWireError(new ContractError('not-found', 'No job x.'))).toEqual({ code: 'not-found', message: 'No job x.' });
    expect(toWireError(new Error('disk full'))).toEqual({ code: 'failed', message: 'disk full' });
    expect(toWireError('boom')).toEqual({ code: 'failed', message: 'boom' });
    const back = fromWireError({ code: 'conflict', message: 'Busy.' });
    expect([back instanceof Error, back.code, back.message]).toEqual([true, 'conflict', 'Busy.']);
  });
});
