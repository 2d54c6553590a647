/**
 * The review viewer's Cornerstone3D objects: one RenderingEngine with a 2x2 grid (axial, sagittal
 * and coronal orthographic volume viewports, and a 3D volume rendering), the image built from its
 * VolumePayload with volumeLoader.createLocalVolume, ground truth and prediction as labelmap
 * segmentations derived from the image volume (and, in the 3D viewport, their labels' surfaces:
 * label-surface.ts), window/level, slice scrolling and crosshairs synchronized across the three
 * orthographic viewports. Not reactive: the Vue component keeps the
 * instance outside its state and calls `destroy` when the view goes away.
 */
import { cache, Enums as CoreEnums, RenderingEngine, setVolumesForViewports, utilities, volumeLoader, type Types } from '@cornerstonejs/core';
import { CrosshairsTool, Enums as ToolEnums, PanTool, segmentation, StackScrollTool, ToolGroupManager, TrackballRotateTool, WindowLevelTool, ZoomTool } from '@cornerstonejs/tools';
import vtkCellArray from '@kitware/vtk.js/Common/Core/CellArray.js';
import vtkPolyData from '@kitware/vtk.js/Common/DataModel/PolyData.js';
import vtkActor from '@kitware/vtk.js/Rendering/Core/Actor.js';
import vtkMapper from '@kitware/vtk.js/Rendering/Core/Mapper.js';
import type { VolumePayload, VoxnasApi } from '../../../../main/contract/index.ts';
import { initCornerstone } from './cornerstone-setup.ts';
import { hexToRgb, rgbaOf, type OverlayLayer } from './label-colors.ts';
import { labelSurfaces } from './label-surface.ts';
import { imageScalars, labelScalars, labelValuesPresent, volumeGrid, windowPresets, type VolumeGrid, type WindowPreset } from './volume-geometry.ts';

export const ORTHOGRAPHIC_VIEWPORTS = [
  { key: 'axial', label: 'Axial', orientation: CoreEnums.OrientationAxis.AXIAL },
  { key: 'sagittal', label: 'Sagittal', orientation: CoreEnums.OrientationAxis.SAGITTAL },
  { key: 'coronal', label: 'Coronal', orientation: CoreEnums.OrientationAxis.CORONAL },
] as const;
export type ViewportKey = (typeof ORTHOGRAPHIC_VIEWPORTS)[number]['key'] | 'volume3d';

export type LeftButtonTool = 'window-level' | 'crosshairs';

export interface CaseToShow {
  workspace: string;
  caseId: string;
  modelId: string | null;
  /** The image's channel name (e.g. 'MRI', 'CT'): chooses the window presets and the 3D rendering. */
  modality: string;
  labelNames: Record<string, string>;
}

export interface ShownCase {
  labels: number[];
  hasTruth: boolean;
  hasPrediction: boolean;
  presets: WindowPreset[];
  /** What the user should know (e.g. the case has no ground truth); null when all is there. */
  message: string | null;
}

const LABELMAP = ToolEnums.SegmentationRepresentations.Labelmap;

/** How one overlay is drawn (setOverlay's arguments), kept to style the surfaces of the next case. */
interface OverlayStyle {
  visible: boolean;
  opacity: number;
  colors: Record<string, string>;
}
const BACKGROUND: Types.RGB = [0, 0, 0];

let instances = 0;

/** Volume-level metadata Cornerstone wants for a local volume (it is not DICOM, so most of it is nominal). */
function volumeMetadata(grid: VolumeGrid, caseId: string, modality: string, window: [number, number]): Types.Metadata {
  return {
    BitsAllocated: 32,
    BitsStored: 32,
    SamplesPerPixel: 1,
    HighBit: 31,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelRepresentation: 1,
    Modality: /\bCT\b/i.test(modality) ? 'CT' : 'MR',
    ImageOrientationPatient: grid.direction.slice(0, 6),
    PixelSpacing: [grid.spacing[1], grid.spacing[0]],
    FrameOfReferenceUID: `voxnas.${caseId}`,
    Columns: grid.dimensions[0],
    Rows: grid.dimensions[1],
    voiLut: [{ windowCenter: (window[0] + window[1]) / 2, windowWidth: window[1] - window[0] }],
    VOILUTFunction: 'LINEAR',
  };
}

/**
 * createLocalVolume gives every slice the volume's origin as its position; tools that look a slice
 * up by position (labelmap slices, crosshairs) then find none. Each slice k lies at
 * origin + k * spacing[2] * (k axis).
 */
function placeSlices(imageIds: readonly string[], grid: VolumeGrid): void {
  const axis = grid.direction.slice(6, 9);
  imageIds.forEach((imageId, k) => {
    const plane = utilities.genericMetadataProvider.get('imagePlaneModule', imageId) as Record<string, unknown> | undefined;
    if (!plane) return;
    const position = grid.origin.map((value, index) => value + k * grid.spacing[2] * axis[index]!);
    utilities.genericMetadataProvider.add(imageId, { type: 'imagePlaneModule', metadata: { ...plane, imagePositionPatient: position, sliceLocation: k * grid.spacing[2] } });
  });
}

export class ReviewViewer {
  readonly engineId: string;
  private readonly engine: RenderingEngine;
  private readonly orthographicGroupId: string;
  private readonly volumeGroupId: string;
  private readonly viewportIds: Record<ViewportKey, string>;
  /** What the current case put into Cornerstone's caches and segmentation state. */
  private volumeIds: string[] = [];
  private segmentationIds: Partial<Record<OverlayLayer, string>> = {};
  /** The current case's label surfaces, actors of the 3D viewport. */
  private surfaces: { layer: OverlayLayer; value: number; uid: string; actor: vtkActor }[] = [];
  private overlayStyles: Partial<Record<OverlayLayer, OverlayStyle>> = {};
  private loads = 0;
  private destroyed = false;

  constructor(elements: Record<ViewportKey, HTMLDivElement>) {
    initCornerstone();
    instances += 1;
    this.engineId = `voxnas-review-${instances}`;
    this.viewportIds = { axial: `${this.engineId}-axial`, sagittal: `${this.engineId}-sagittal`, coronal: `${this.engineId}-coronal`, volume3d: `${this.engineId}-3d` };
    this.engine = new RenderingEngine(this.engineId);
    this.engine.setViewports([
      ...ORTHOGRAPHIC_VIEWPORTS.map(({ key, orientation }) => ({
        viewportId: this.viewportIds[key],
        type: CoreEnums.ViewportType.ORTHOGRAPHIC,
        element: elements[key],
        defaultOptions: { orientation, background: BACKGROUND },
      })),
      { viewportId: this.viewportIds.volume3d, type: CoreEnums.ViewportType.VOLUME_3D, element: elements.volume3d, defaultOptions: { background: BACKGROUND } },
    ]);

    this.orthographicGroupId = `${this.engineId}-orthographic`;
    const orthographic = ToolGroupManager.createToolGroup(this.orthographicGroupId)!;
    for (const tool of [WindowLevelTool, StackScrollTool, PanTool, ZoomTool]) orthographic.addTool(tool.toolName);
    orthographic.addTool(CrosshairsTool.toolName, { getReferenceLineColor: (viewportId: string) => this.crosshairColor(viewportId) });
    for (const { key } of ORTHOGRAPHIC_VIEWPORTS) orthographic.addViewport(this.viewportIds[key], this.engineId);
    orthographic.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
    orthographic.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    orthographic.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });

    this.volumeGroupId = `${this.engineId}-3d`;
    const volume = ToolGroupManager.createToolGroup(this.volumeGroupId)!;
    for (const tool of [TrackballRotateTool, PanTool, ZoomTool]) volume.addTool(tool.toolName);
    volume.addViewport(this.viewportIds.volume3d, this.engineId);
    volume.setToolActive(TrackballRotateTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
    volume.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    volume.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
  }

  viewportId(key: ViewportKey): string {
    return this.viewportIds[key];
  }

  /** Each viewport's reference lines in the colour of its title in the grid (ViewerGrid.vue). */
  private crosshairColor(viewportId: string): string {
    if (viewportId === this.viewportIds.axial) return 'rgb(239, 83, 80)';
    if (viewportId === this.viewportIds.sagittal) return 'rgb(255, 213, 79)';
    return 'rgb(102, 187, 106)';
  }

  /**
   * Loads a case (image, ground truth when it has one, the model's prediction when asked) and shows
   * it. A newer call supersedes an older one still loading; the older one then returns null.
   */
  async show(api: VoxnasApi, request: CaseToShow): Promise<ShownCase | null> {
    const load = ++this.loads;
    const { workspace, caseId, modelId } = request;
    const optional = (kind: 'label' | 'prediction') =>
      api.invoke('volumes.get', { workspace, caseId, kind, ...(kind === 'prediction' ? { modelId: modelId! } : {}) }).catch((error: { code?: string }) => {
        if (error.code === 'not-found') return null;
        throw error;
      });
    const [image, truth, prediction] = await Promise.all([
      api.invoke('volumes.get', { workspace, caseId, kind: 'image' }),
      optional('label'),
      modelId ? optional('prediction') : Promise.resolve(null),
    ]);
    if (load !== this.loads || this.destroyed) return null;

    const grid = volumeGrid(image);
    const scalars = imageScalars(image);
    const presets = windowPresets(scalars, request.modality);
    const layers: [OverlayLayer, VolumePayload | null][] = [
      ['truth', truth],
      ['prediction', prediction],
    ];
    const labelmaps = layers.flatMap(([layer, payload]) => (payload ? [{ layer, labels: labelScalars(payload, grid) }] : []));

    this.clearCase();
    // No ':' in ids: Cornerstone reads the text before one as an image loader scheme and would try to load the slices.
    const imageVolumeId = `${this.engineId}-${load}-${caseId}-image`;
    const imageVolume = volumeLoader.createLocalVolume(imageVolumeId, { metadata: volumeMetadata(grid, caseId, request.modality, presets[0]!.range), ...grid, scalarData: scalars });
    placeSlices(imageVolume.imageIds, grid);
    this.volumeIds.push(imageVolumeId);
    const orthographicIds = ORTHOGRAPHIC_VIEWPORTS.map(({ key }) => this.viewportIds[key]);
    await setVolumesForViewports(this.engine, [{ volumeId: imageVolumeId }], orthographicIds);
    await setVolumesForViewports(this.engine, [{ volumeId: imageVolumeId }], [this.viewportIds.volume3d]);
    (this.engine.getViewport(this.viewportIds.volume3d) as Types.IVolumeViewport).setProperties({ preset: /\bCT\b/i.test(request.modality) ? 'CT-Bone' : 'MR-MIP' });
    this.setWindow(presets[0]!.range);

    const found = new Set<number>();
    for (const { layer, labels } of labelmaps) {
      labelValuesPresent(labels).forEach((value) => found.add(value));
      const segmentationId = `${this.engineId}-${load}-${caseId}-${layer}`;
      const volumeId = `${segmentationId}-labelmap`;
      const labelmap = volumeLoader.createAndCacheDerivedLabelmapVolume(imageVolumeId, { volumeId });
      if (!labelmap.voxelManager?.setCompleteScalarDataArray) throw new Error(`The viewer could not create the ${layer} overlay of case ${caseId}.`);
      labelmap.voxelManager.setCompleteScalarDataArray(labels);
      this.volumeIds.push(volumeId);
      const names = Object.entries(request.labelNames).filter(([value]) => value !== '0');
      segmentation.addSegmentations([
        {
          segmentationId,
          representation: { type: LABELMAP, data: { volumeId } },
          config: { label: layer === 'truth' ? 'Ground truth' : `Prediction of ${modelId}`, segments: Object.fromEntries(names.map(([value, name]) => [Number(value), { label: name }])) },
        },
      ]);
      segmentation.addLabelmapRepresentationToViewportMap(Object.fromEntries(orthographicIds.map((viewportId) => [viewportId, [{ segmentationId }]])));
      this.addSurfaces(layer, labels, grid);
      this.segmentationIds[layer] = segmentationId;
    }
    for (const viewportId of orthographicIds) segmentation.config.style.setRenderInactiveSegmentations(viewportId, true);
    this.engine.render();

    const messages = [
      truth ? null : 'This case has no ground truth (a test case): only the image and any prediction are shown.',
      modelId && !prediction ? `Model ${modelId} has no prediction for this case yet: evaluate the model to write one.` : null,
    ].filter((message): message is string => message !== null);
    return { labels: [...found].sort((a, b) => a - b), hasTruth: truth !== null, hasPrediction: prediction !== null, presets, message: messages.join(' ') || null };
  }

  /**
   * The labels' surfaces (one closed mesh per label, label-surface.ts) as actors of the 3D viewport,
   * inside the volume rendering. They are the viewer's own actors, not a Cornerstone Surface
   * representation: that one would convert to and from the labelmap with the PolySeg add-on, which
   * the viewer does not need (its surfaces never change) and does not ship.
   */
  private addSurfaces(layer: OverlayLayer, labels: Uint8Array, grid: VolumeGrid): void {
    const viewport = this.engine.getViewport(this.viewportIds.volume3d);
    if (!viewport) return;
    for (const surface of labelSurfaces(labels, grid)) {
      const polyData = vtkPolyData.newInstance();
      polyData.getPoints().setData(surface.points, 3);
      polyData.setPolys(vtkCellArray.newInstance({ values: surface.polys }));
      const mapper = vtkMapper.newInstance();
      mapper.setInputData(polyData);
      const actor = vtkActor.newInstance();
      actor.setMapper(mapper);
      const uid = `${this.engineId}-${layer}-surface-${surface.label}`;
      viewport.addActor({ uid, actor: actor as unknown as Types.Actor });
      this.surfaces.push({ layer, value: surface.label, uid, actor });
    }
    this.styleSurfaces();
  }

  /** The surfaces' visibility, colour and opacity, from their overlay's settings (hidden until it has some); the caller renders. */
  private styleSurfaces(): void {
    if (this.destroyed) return;
    for (const { layer, value, actor } of this.surfaces) {
      const style = this.overlayStyles[layer];
      const rgb = hexToRgb(style?.colors[String(value)] ?? '');
      if (rgb) actor.getProperty().setColor(rgb[0] / 255, rgb[1] / 255, rgb[2] / 255);
      actor.getProperty().setOpacity(style?.opacity ?? 0);
      actor.setVisibility(style !== undefined && style.visible && style.opacity > 0);
    }
  }

  /**
   * Visibility, fill opacity and per-label colours of one overlay: the labelmap in the three
   * orthographic viewports, the surfaces in the 3D one (opacity 0 there hides them).
   */
  setOverlay(layer: OverlayLayer, settings: { visible: boolean; opacity: number }, colors: Record<string, string>): void {
    const segmentationId = this.segmentationIds[layer];
    if (!segmentationId || this.destroyed) return;
    const opacity = Math.min(1, Math.max(0, settings.opacity));
    this.overlayStyles[layer] = { visible: settings.visible, opacity, colors: { ...colors } };
    this.styleSurfaces();
    for (const { key } of ORTHOGRAPHIC_VIEWPORTS) {
      const viewportId = this.viewportIds[key];
      segmentation.config.visibility.setSegmentationRepresentationVisibility(viewportId, { segmentationId, type: LABELMAP }, settings.visible);
      segmentation.config.style.setStyle(
        { viewportId, segmentationId, type: LABELMAP },
        { renderFill: opacity > 0, renderFillInactive: opacity > 0, fillAlpha: opacity, fillAlphaInactive: opacity, renderOutline: true, renderOutlineInactive: true, outlineOpacity: 1, outlineOpacityInactive: 1, outlineWidth: 1, outlineWidthInactive: 1 },
      );
      for (const [value, hex] of Object.entries(colors)) segmentation.config.color.setSegmentIndexColor(viewportId, segmentationId, Number(value), rgbaOf(hex));
    }
    this.engine.render();
  }

  /** Intensities from `range[0]` (black) to `range[1]` (white) in the orthographic viewports. */
  setWindow(range: [number, number]): void {
    if (this.destroyed) return;
    for (const { key } of ORTHOGRAPHIC_VIEWPORTS) (this.engine.getViewport(this.viewportIds[key]) as Types.IVolumeViewport).setProperties({ voiRange: { lower: range[0], upper: range[1] } });
    this.engine.render();
  }

  /** What the left mouse button does in the orthographic viewports; the crosshairs stay visible and draggable either way. */
  setLeftButton(tool: LeftButtonTool): void {
    const group = ToolGroupManager.getToolGroup(this.orthographicGroupId);
    if (!group || this.destroyed || this.volumeIds.length === 0) return;
    const primary = { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] };
    if (tool === 'crosshairs') {
      group.setToolPassive(WindowLevelTool.toolName);
      group.setToolActive(CrosshairsTool.toolName, primary);
    } else {
      group.setToolPassive(CrosshairsTool.toolName);
      group.setToolActive(WindowLevelTool.toolName, primary);
    }
  }

  /** Moves one orthographic viewport `delta` slices (keyboard scrolling). */
  scroll(key: ViewportKey, delta: number): void {
    if (key === 'volume3d' || this.destroyed || this.volumeIds.length === 0) return;
    utilities.scroll(this.engine.getViewport(this.viewportIds[key])!, { delta });
  }

  resize(): void {
    if (!this.destroyed) this.engine.resize(true, true);
  }

  /** Removes the current case's segmentations and volumes from Cornerstone's state and caches. */
  private clearCase(): void {
    for (const segmentationId of Object.values(this.segmentationIds)) segmentation.removeSegmentation(segmentationId);
    this.segmentationIds = {};
    if (this.surfaces.length > 0) this.engine.getViewport(this.viewportIds.volume3d)?.removeActors(this.surfaces.map(({ uid }) => uid));
    this.surfaces = [];
    for (const volumeId of this.volumeIds) {
      const volume = cache.getVolume(volumeId);
      cache.removeVolumeLoadObject(volumeId);
      for (const imageId of volume?.imageIds ?? []) cache.removeImageLoadObject(imageId, { force: true });
    }
    this.volumeIds = [];
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    ToolGroupManager.destroyToolGroup(this.orthographicGroupId);
    ToolGroupManager.destroyToolGroup(this.volumeGroupId);
    this.clearCase();
    this.engine.destroy();
  }
}
