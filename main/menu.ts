/**
 * The application menu as a template (plain data, no electron import at runtime), so that tests can
 * check it: File (Open workspace..., Quit), View (reload; developer tools only in development),
 * Help (About). main/index.ts builds it with Menu.buildFromTemplate.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** Shows the folder dialog and opens the chosen workspace. */
  openWorkspace: () => void;
  /** Shows name, version and how the app runs. */
  about: () => void;
}

export interface MenuOptions {
  development: boolean;
  platform: NodeJS.Platform;
  appName: string;
}

export function menuTemplate(options: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [{ label: 'Open Workspace...', accelerator: 'CmdOrCtrl+O', click: () => actions.openWorkspace() }, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(options.development ? ([{ role: 'forceReload' }, { role: 'toggleDevTools' }] as const) : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = { role: 'help', submenu: [{ label: `About ${options.appName}`, click: () => actions.about() }] };
  // macOS puts the app's own menu first (About, Quit) and expects an Edit menu for copy and paste shortcuts.
  const appMenu: MenuItemConstructorOptions[] = mac ? [{ label: options.appName, submenu: [{ label: `About ${options.appName}`, click: () => actions.about() }, { type: 'separator' }, { role: 'quit' }] }] : [];
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  return [...appMenu, file, edit, view, help];
}
