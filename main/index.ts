/**
 * Electron main process: one window, the renderer served from app://, the contract's commands on
 * IPC. The services it calls live in main/services and never import electron.
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron';
import { commandChannel, COMMAND_NAMES, type CommandName, type Commands } from './contract/index.ts';
import { APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, isTrustedSender, secureWebPreferences } from './security.ts';
import { getAppInfo } from './services/app-info.ts';
import { readStaticFile } from './services/static-files.ts';

const rendererDir = join(import.meta.dirname, '..', 'renderer');
const preloadPath = join(import.meta.dirname, '..', 'preload', 'index.cjs');
/** Set by `electron-vite dev` only. */
const devServerUrl = process.env['ELECTRON_RENDERER_URL'];

type Handler<K extends CommandName> = (request: Commands[K]['request']) => Promise<Commands[K]['response']>;
const handlers: { [K in CommandName]?: Handler<K> } = {
  'app.info': async () => getAppInfo('electron'),
};

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = await readStaticFile(rendererDir, new URL(request.url).pathname);
    return new Response(file.body, {
      status: file.status,
      headers: { 'content-type': file.contentType, 'content-security-policy': CONTENT_SECURITY_POLICY },
    });
  });
}

function registerCommands(): void {
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), async (event, request: unknown) => {
      if (!isTrustedSender(event.senderFrame?.url, devServerUrl)) {
        throw new Error(`Refused '${name}': the request did not come from the VoxNAS window.`);
      }
      const handler = handlers[name] as Handler<CommandName> | undefined;
      if (!handler) throw new Error(`'${name}' is not wired in the desktop app yet.`);
      return handler(request as never);
    });
  }
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'VoxNAS',
    show: false,
    webPreferences: secureWebPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  const startUrl = devServerUrl ?? `${APP_ORIGIN}/index.html`;
  window.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(devServerUrl ?? APP_ORIGIN)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never in an app window.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void window.loadURL(startUrl);
  return window;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  void app.whenReady().then(() => {
    session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    serveRenderer();
    registerCommands();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
