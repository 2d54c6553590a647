/**
 * The real Electron main module (main/index.ts), run against a stand-in of the electron module that
 * records what main asks of it: this checks that the security settings of main/security.ts are the
 * ones applied, and that IPC goes through the services, without an Electron binary.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_SCHEME_PRIVILEGES, appResponseHeaders, secureWebPreferences } from '../../main/security.ts';
import { COMMAND_NAMES, commandChannel, eventChannel } from '../../main/contract/index.ts';

type Listener = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  const appListeners = new Map<string, Listener[]>();
  const on = (map: Map<string, Listener[]>, name: string, listener: Listener) => map.set(name, [...(map.get(name) ?? []), listener]);
  const emit = (map: Map<string, Listener[]>, name: string, ...args: unknown[]) => (map.get(name) ?? []).map((listener) => listener(...args));
  const recorded = {
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    ipcHandlers: new Map<string, Listener>(),
    windows: [] as FakeWindow[],
    permissionRequest: null as Listener | null,
    permissionCheck: null as Listener | null,
    devicePermission: null as Listener | null,
    menu: null as unknown,
    userData: '',
    /** What the next folder dialog answers. */
    dialogAnswer: { canceled: true, filePaths: [] as string[] },
  };
  class FakeWebContents {
    listeners = new Map<string, Listener[]>();
    sent: [string, unknown][] = [];
    windowOpenHandler: Listener | null = null;
    on(name: string, listener: Listener) {
      on(this.listeners, name, listener);
    }
    emit(name: string, ...args: unknown[]) {
      return emit(this.listeners, name, ...args);
    }
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
    setWindowOpenHandler(handler: Listener) {
      this.windowOpenHandler = handler;
    }
  }
  class FakeWindow {
    static getAllWindows = () => recorded.windows;
    webContents = new FakeWebContents();
    loaded: string[] = [];
    constructor(public options: { webPreferences: unknown }) {
      recorded.windows.push(this);
      emit(appListeners, 'web-contents-created', {}, this.webContents);
    }
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
    once() {}
    on() {}
    isDestroyed = () => false;
  }
  const module = {
    app: {
      isPackaged: true,
      getPath: () => recorded.userData,
      setPath: () => expect.unreachable('VOXNAS_STATE_DIR is not set in this test'),
      getName: () => 'VoxNAS',
      requestSingleInstanceLock: () => true,
      quit: () => undefined,
      on: (name: string, listener: Listener) => on(appListeners, name, listener),
      whenReady: () => Promise.resolve(),
    },
    BrowserWindow: FakeWindow,
    dialog: { showOpenDialog: async () => recorded.dialogAnswer, showErrorBox: () => undefined, showMessageBox: async () => ({ response: 0 }) },
    ipcMain: { handle: (channel: string, handler: Listener) => recorded.ipcHandlers.set(channel, handler) },
    Menu: { buildFromTemplate: (template: unknown) => ({ template }), setApplicationMenu: (menu: unknown) => (recorded.menu = menu) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => recorded.schemes.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => recorded.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Listener) => (recorded.permissionRequest = handler),
        setPermissionCheckHandler: (handler: Listener) => (recorded.permissionCheck = handler),
        setDevicePermissionHandler: (handler: Listener) => (recorded.devicePermission = handler),
      },
    },
    shell: { openExternal: async () => undefined },
    utilityProcess: { fork: () => expect.unreachable('no job is started in this test') },
    MessageChannelMain: class {},
  };
  return { module, recorded };
});

vi.mock('electron', () => ({ ...electron.module, default: electron.module }));

const { recorded } = electron;

beforeAll(async () => {
  recorded.userData = mkdtempSync(join(tmpdir(), 'voxnas-main-'));
  // Electron defines process.resourcesPath (where a packaged app's resources/ lie); plain Node does not.
  Object.assign(process, { resourcesPath: join(recorded.userData, 'resources') });
  await import('../../main/index.ts');
  await vi.waitFor(() => expect(recorded.windows).toHaveLength(1));
});

/** Calls an IPC handler as Electron would, from `sender` with the frame at `url`. */
function invoke(name: string, request: unknown, sender: unknown, url = 'app://voxnas/index.html') {
  return recorded.ipcHandlers.get(commandChannel(name as never))!({ sender, senderFrame: { url } }, request);
}

describe('Electron main process (main/index.ts with a stand-in electron module)', () => {
  it('opens one window from app:// with the secure webPreferences (no developer tools when packaged)', () => {
    const [window] = recorded.windows;
    const preload = (window!.options.webPreferences as { preload: string }).preload;
    expect(window!.options.webPreferences).toEqual(secureWebPreferences(preload));
    expect(preload.endsWith(join('preload', 'index.cjs'))).toBe(true);
    expect(window!.loaded).toEqual(['app://voxnas/index.html']);
    expect(recorded.schemes).toEqual([{ scheme: 'app', privileges: APP_SCHEME_PRIVILEGES }]);
  });

  it('denies every permission request and check', () => {
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) recorded.permissionRequest!({}, permission, (allowed: boolean) => answers.push(allowed));
    expect(answers).toEqual([false, false, false, false, false]);
    expect([recorded.permissionCheck!({}, 'media'), recorded.devicePermission!({})]).toEqual([false, false]);
  });

  it('prevents navigation away from the app and denies new windows', () => {
    const contents = recorded.windows[0]!.webContents;
    const attempts = ['https://example.org/', 'file:///etc/passwd', 'app://voxnas/index.html#/jobs'].map((url) => {
      let prevented = false;
      contents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    });
    expect(attempts).toEqual([true, true, false]);
    expect(contents.windowOpenHandler!({ url: 'https://docs.example.org/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'app://voxnas/index.html' })).toEqual({ action: 'deny' });
  });

  it('serves app:// with the CSP on every response and nothing for other hosts', async () => {
    const handler = recorded.protocolHandlers.get('app')!;
    const index = await handler(new Request('app://voxnas/index.html'));
    const foreign = await handler(new Request('app://elsewhere/index.html'));
    expect([index.status, Object.fromEntries(index.headers)]).toEqual([200, appResponseHeaders('text/html; charset=utf-8')]);
    expect(foreign.status).toBe(404);
  });

  it('answers every command over IPC through the services, only for our window, with wire errors as values', async () => {
    expect([...recorded.ipcHandlers.keys()].sort()).toEqual(COMMAND_NAMES.map(commandChannel).sort());
    const ours = recorded.windows[0]!.webContents;
    expect(await invoke('app.info', {}, ours)).toEqual({ ok: true, value: expect.objectContaining({ name: 'VoxNAS', mode: 'electron' }) });
    expect(await invoke('workspace.open', { folder: 'relative' }, ours)).toEqual({
      ok: false,
      error: { code: 'bad-request', message: "workspace.open: 'folder' must be an absolute path (such as /home/me/scans or C:\\scans), got 'relative'." },
    });
    const refused = { ok: false, error: { code: 'bad-request', message: "Refused 'app.info': the request did not come from the VoxNAS window." } };
    expect([await invoke('app.info', {}, {}), await invoke('app.info', {}, ours, 'https://evil.example/')]).toEqual([refused, refused]);
    const folder = join(recorded.userData, 'workspace');
    expect(await invoke('workspace.create', { folder }, ours)).toMatchObject({ ok: true, value: { folder, hasDataset: false } });
    expect(ours.sent.filter(([channel]) => channel === eventChannel('job.event'))).toEqual([]);
  });

  it('installs the application menu; File > Open Workspace... opens the chosen folder and tells our window', async () => {
    type Item = { label?: string; role?: string; click?: () => void; submenu?: Item[] };
    const template = (recorded.menu as { template: Item[] }).template;
    expect(template.map((item) => item.label ?? item.role)).toEqual(['File', 'editMenu', 'View', 'help']);
    const folder = join(recorded.userData, 'from-menu');
    const ours = recorded.windows[0]!.webContents;
    await invoke('workspace.create', { folder }, ours);
    recorded.dialogAnswer = { canceled: false, filePaths: [folder] };
    template[0]!.submenu!.find((item) => item.label === 'Open Workspace...')!.click!();
    await vi.waitFor(() => expect(ours.sent.map(([channel]) => channel)).toContain(eventChannel('workspace.opened')));
    expect(ours.sent.find(([channel]) => channel === eventChannel('workspace.opened'))![1]).toMatchObject({ folder, hasDataset: false });
  });
});
