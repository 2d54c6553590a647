/**
 * Electron main process: one window with the renderer served from app://, the contract's commands
 * on IPC (each request validated by the services), job events forwarded to our window, the job
 * worker as a utilityProcess, native folder dialogs, the application menu and a single instance.
 * The services it calls live in main/services and never import electron; the security settings it
 * applies are data in main/security.ts.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import { toWireError } from './contract/errors.ts';
import { commandChannel, COMMAND_NAMES, eventChannel, type CommandName, type Events, type EventName, type IpcReply, type WorkspaceInfo } from './contract/index.ts';
import { createJobService } from './jobs/job-service.ts';
import { utilityProcessWorkerHost } from './jobs/utility-process-host.ts';
import { menuTemplate } from './menu.ts';
import {
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  appResponseHeaders,
  externalLinkFor,
  isAllowedNavigation,
  isPermissionAllowed,
  isTrustedSender,
  secureWebPreferences,
} from './security.ts';
import { getAppInfo } from './services/app-info.ts';
import { createServices } from './services/index.ts';
import { readStaticFile } from './services/static-files.ts';
import { createWorkspaces } from './services/workspaces.ts';

const rendererDir = join(import.meta.dirname, '..', 'renderer');
const preloadPath = join(import.meta.dirname, '..', 'preload', 'index.cjs');
/** The bundled job worker, next to this bundle (out/main/worker.js). */
const workerEntry = join(import.meta.dirname, 'worker.js');
/** Set by `electron-vite dev` only. */
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];
const development = !app.isPackaged;
// Tests and portable setups keep the services' state (recent.json) and Chromium's profile elsewhere.
const stateDirOverride = process.env['VOXNAS_STATE_DIR'];
if (stateDirOverride) app.setPath('userData', stateDirOverride);

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

let mainWindow: BrowserWindow | null = null;

/** Sends an event to our window only (never to other web contents). */
function sendToWindow<E extends EventName>(event: E, payload: Events[E]): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(eventChannel(event), payload);
}

async function chooseFolder(title?: string): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { title: title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory'] };
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

async function chooseSaveFile(title?: string, defaultName?: string): Promise<string | null> {
  const options: Electron.SaveDialogOptions = { title: title ?? 'Save as', properties: ['createDirectory', 'showOverwriteConfirmation'], ...(defaultName ? { defaultPath: defaultName } : {}), filters: [{ name: 'ONNX model', extensions: ['onnx'] }] };
  const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
  return result.canceled ? null : (result.filePath ?? null);
}

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404, headers: appResponseHeaders('text/plain; charset=utf-8') });
    const file = await readStaticFile(rendererDir, url.pathname);
    return new Response(file.body, { status: file.status, headers: appResponseHeaders(file.contentType) });
  });
}

type Services = ReturnType<typeof createServices>;

function registerCommands(services: Services): void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), async (event, request: unknown): Promise<IpcReply> => {
      const fromOurWindow = mainWindow !== null && event.sender === mainWindow.webContents;
      if (!fromOurWindow || !isTrustedSender(event.senderFrame?.url, devServerUrl)) {
        return { ok: false, error: { code: 'bad-request', message: `Refused '${name}': the request did not come from the VoxNAS window.` } };
      }
      try {
        return { ok: true, value: await services.handle(name satisfies CommandName, request) };
      } catch (error) {
        return { ok: false, error: toWireError(error) };
      }
    });
  }
}

/** File > Open Workspace...: the native dialog, then the same service as the renderer's command. */
async function openWorkspaceFromMenu(services: Services): Promise<void> {
  const folder = await chooseFolder('Open a VoxNAS workspace');
  if (folder === null) return;
  try {
    sendToWindow('workspace.opened', (await services.handle('workspace.open', { folder })) as WorkspaceInfo);
  } catch (error) {
    dialog.showErrorBox('Cannot open the workspace', toWireError(error).message);
  }
}

function showAbout(): void {
  const info = getAppInfo('electron');
  const options: Electron.MessageBoxOptions = { type: 'info', title: `About ${info.name}`, message: `${info.name} ${info.version}`, detail: `Neural architecture search for 3D medical image segmentation.\nElectron ${process.versions.electron}, Node ${process.versions.node}, ${info.platform}.` };
  void (mainWindow ? dialog.showMessageBox(mainWindow, options) : dialog.showMessageBox(options));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'VoxNAS',
    show: false,
    webPreferences: secureWebPreferences(preloadPath, { development }),
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return window;
}

/** Navigation, new windows and webviews are denied for every web contents, present and future. */
function lockDownWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedNavigation(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedNavigation(url, devServerUrl)) event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      // Links to documentation open in the user's browser, never in an app window.
      const external = externalLinkFor(url);
      if (external !== null) void shell.openExternal(external);
      return { action: 'deny' };
    });
  });
}

function denyPermissions(): void {
  const { defaultSession } = session;
  defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionAllowed(permission)));
  defaultSession.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
  defaultSession.setDevicePermissionHandler(() => false);
}

function start(): void {
  const stateDir = app.getPath('userData');
  const workspaces = createWorkspaces(stateDir);
  const jobs = createJobService({
    // In the packaged app resources/ sits next to app.asar (extraResources), not two levels above the worker.
    host: utilityProcessWorkerHost(workerEntry, app.isPackaged ? { env: { ...process.env, VOXNAS_RESOURCES: join(process.resourcesPath, 'resources') } } : {}),
    // Jobs asked for by id are looked up in the recent workspaces (e.g. after a restart).
    knownWorkspaces: async () => (await workspaces.recent()).map((workspace) => workspace.folder),
  });
  const services = createServices({ stateDir, jobs, chooseFolder, chooseSaveFile, mode: 'electron' });
  services.subscribe((event, payload) => sendToWindow(event, payload));

  denyPermissions();
  serveRenderer();
  registerCommands(services);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate({ development, platform: process.platform, appName: app.getName() }, { openWorkspace: () => void openWorkspaceFromMenu(services), about: showAbout })),
  );
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });

  // Let the worker stop its job cleanly (it is resumable either way) before the app exits.
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void jobs.close().finally(() => {
      closed = true;
      app.quit();
    });
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  lockDownWebContents();
  void app.whenReady().then(start);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
