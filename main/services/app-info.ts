import type { AppInfo } from '../contract/index.ts';
import { PRODUCT_NAME, VOXNAS_VERSION } from '../../engine/index.ts';

/** The `app.info` command, shared by the Electron main process and the browser-mode server. */
export function getAppInfo(mode: AppInfo['mode']): AppInfo {
  return { name: PRODUCT_NAME, version: VOXNAS_VERSION, mode, platform: process.platform };
}
