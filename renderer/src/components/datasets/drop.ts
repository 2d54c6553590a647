/**
 * A folder dropped on the Datasets screen. Pages cannot read where a dropped file lives (the File
 * object has no path: Electron removed File.path, and the preload exposes only the contract), but
 * file managers also put the item's location on the drag as a file:// URI or a plain path, which
 * is all the services need. When neither is there, the screen says to type the path.
 */

/** What a drop carried: DataTransfer.getData('text/uri-list') and getData('text/plain'), and whether files came with it. */
export interface DroppedData {
  uriList: string;
  text: string;
  hasFiles: boolean;
}

export type DropResult = { path: string } | { problem: string };

export const DROP_WITHOUT_PATH = 'The browser did not say where the dropped folder is (pages never see file locations): type its path, or use Choose… in the desktop app.';

function pathOfUri(uri: string): string | null {
  if (!uri.startsWith('file://')) return null;
  try {
    const url = new URL(uri);
    const path = decodeURIComponent(url.pathname);
    // file:///C:/scans -> C:/scans; file://server/share -> \\server\share (UNC).
    if (/^\/[A-Za-z]:\//.test(path)) return path.slice(1);
    if (url.host) return `\\\\${url.host}${path.replace(/\//g, '\\')}`;
    return path;
  } catch {
    return null;
  }
}

const isAbsolute = (text: string) => text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text) || text.startsWith('\\\\');

/** The first folder location a drop names (URI list first, then plain text), or why there is none. */
export function droppedFolderPath(data: DroppedData): DropResult {
  const uris = data.uriList.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  for (const uri of uris) {
    const path = pathOfUri(uri);
    if (path) return { path: path.length > 1 ? path.replace(/[\\/]+$/, '') : path };
  }
  const text = data.text.trim();
  const fromText = pathOfUri(text) ?? (isAbsolute(text) && !text.includes('\n') ? text : null);
  if (fromText) return { path: fromText.length > 1 ? fromText.replace(/[\\/]+$/, '') : fromText };
  return { problem: data.hasFiles ? DROP_WITHOUT_PATH : 'Drop a dataset folder from your file manager here, or type its path.' };
}
