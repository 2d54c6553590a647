/**
 * Cornerstone3D is initialized once per page (core, then tools, then the tools the viewer uses);
 * every viewer instance after that only creates its own RenderingEngine and tool groups.
 */
import { init as initCore, isCornerstoneInitialized } from '@cornerstonejs/core';
import { addTool, CrosshairsTool, init as initTools, PanTool, StackScrollTool, TrackballRotateTool, WindowLevelTool, ZoomTool } from '@cornerstonejs/tools';

let toolsReady = false;

export function initCornerstone(): void {
  if (!isCornerstoneInitialized()) initCore();
  if (toolsReady) return;
  initTools();
  for (const tool of [WindowLevelTool, CrosshairsTool, StackScrollTool, PanTool, ZoomTool, TrackballRotateTool]) addTool(tool);
  toolsReady = true;
}
