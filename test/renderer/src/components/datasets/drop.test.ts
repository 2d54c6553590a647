import { describe, expect, it } from 'vitest';
import { DROP_WITHOUT_PATH, droppedFolderPath } from '../../../../../renderer/src/components/datasets/drop.ts';

describe('a dropped folder', () => {
  it('reads the location from a file:// URI list (POSIX, Windows drive, UNC, percent-encoded), then from plain text', () => {
    const drop = (uriList: string, text = '', hasFiles = true) => droppedFolderPath({ uriList, text, hasFiles });
    expect([
      drop('# comment\r\nfile:///data/Task04%20Hippocampus/\r\n'),
      drop('file:///C:/scans/ct'),
      drop('file://server/share/scans'),
      drop('', '/home/me/MSD/Task02_Heart/'),
      drop('', 'file:///srv/data'),
      drop('https://example.org/x', 'C:\\scans'),
    ]).toEqual([{ path: '/data/Task04 Hippocampus' }, { path: 'C:/scans/ct' }, { path: '\\\\server\\share\\scans' }, { path: '/home/me/MSD/Task02_Heart' }, { path: '/srv/data' }, { path: 'C:\\scans' }]);
  });

  it('says to type the path when the drop carried files but no location, or nothing usable', () => {
    expect(droppedFolderPath({ uriList: '', text: '', hasFiles: true })).toEqual({ problem: DROP_WITHOUT_PATH });
    expect(droppedFolderPath({ uriList: '', text: 'relative/folder', hasFiles: false })).toEqual({ problem: 'Drop a dataset folder from your file manager here, or type its path.' });
  });
});
