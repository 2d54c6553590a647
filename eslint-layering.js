/**
 * ESLint rule `voxnas/layering`: the import rules of docs/architecture (see README) as a table.
 * Each file belongs to a layer by its path; each import is classified (Node built-in, electron,
 * UI library, Node-only package, or a path into one of our folders) and checked against the
 * layer's rules. `import type` is allowed where only types may cross.
 */
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const ROOT = import.meta.dirname;
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
// Cornerstone's viewer packages are UI; its codec packages (@cornerstonejs/codec-*, jpeg-lossless-decoder-js) are not.
const UI_PACKAGES = ['vue', 'pinia', '@vue/', '@cornerstonejs/core', '@cornerstonejs/tools', '@cornerstonejs/dicom-image-loader', '@cornerstonejs/nifti-volume-loader'];
const NODE_ONLY_PACKAGES = ['onnxruntime-node', '@tensorflow/tfjs-node', 'tsx'];

/** Which layer a file (path relative to the project root, with '/') belongs to. */
function layerOf(path) {
  if (path.startsWith('engine/api/')) return 'engine-api';
  if (path.startsWith('engine/')) return 'engine';
  if (path.startsWith('main/contract/')) return 'contract';
  if (path.startsWith('main/services/')) return 'services';
  if (path.startsWith('main/')) return 'main';
  if (path.startsWith('preload/')) return 'preload';
  if (path.startsWith('renderer/')) return 'renderer';
  return null;
}

function startsWithPackage(source, names) {
  return names.some((name) => (name.endsWith('/') ? source.startsWith(name) : source === name || source.startsWith(`${name}/`)));
}

/** What an import points at: a folder of ours (relative path from the root) or a kind of package. */
function classify(source, fileDir) {
  if (source.startsWith('.') || source.startsWith('/')) {
    const target = relative(ROOT, resolve(fileDir, source)).split(sep).join('/');
    return { kind: 'path', target };
  }
  if (NODE_BUILTINS.has(source) || source.startsWith('node:')) return { kind: 'node' };
  if (source === 'electron' || source.startsWith('electron/')) return { kind: 'electron' };
  if (startsWithPackage(source, UI_PACKAGES)) return { kind: 'ui' };
  if (startsWithPackage(source, NODE_ONLY_PACKAGES)) return { kind: 'node-package' };
  return { kind: 'package' };
}

const inside = (target, folder) => target === folder || target.startsWith(`${folder}/`);
const isContract = (target) => inside(target, 'main/contract');
const isEngineApi = (target) => inside(target, 'engine/api');
const isEngineEntry = (target) => /^engine\/index(\.ts)?$/.test(target);
const isUiFolder = (target) => ['main', 'renderer', 'preload'].some((folder) => inside(target, folder));

/**
 * The rules: given the import's class and whether it is type-only, return null (allowed) or why not.
 * Tests of other layers' files (test/, e2e/) and config files are not restricted.
 */
const RULES = {
  engine(imported) {
    if (imported.kind === 'electron') return 'the engine runs without Electron (CLI, worker, tests); pass what it needs in from main/';
    if (imported.kind === 'ui') return 'the engine has no UI: Vue, Pinia and Cornerstone belong in renderer/';
    if (imported.kind === 'path' && isUiFolder(imported.target)) return `the engine must not depend on ${imported.target.split('/')[0]}/; dependencies point into the engine, not out of it`;
    return null;
  },
  'engine-api'(imported, typeOnly) {
    // engine/api is the JSON vocabulary that the renderer may import types from: keep it free of runtime dependencies.
    if (imported.kind === 'path' && !isEngineApi(imported.target) && !typeOnly) return 'engine/api holds plain types and validators; import other engine modules as types only';
    return RULES.engine(imported, typeOnly) ?? (imported.kind === 'node' || imported.kind === 'node-package' ? 'engine/api is shared with the renderer: no Node modules' : null);
  },
  contract(imported, typeOnly) {
    if (imported.kind === 'path' && (isContract(imported.target) || (isEngineApi(imported.target) && typeOnly))) return null;
    if (imported.kind === 'package') return null;
    return 'the contract is shared by main, preload and renderer: it may import only itself, types from engine/api, and plain packages';
  },
  services(imported, typeOnly) {
    if (imported.kind === 'electron') return 'services back both the Electron app and the browser-mode server: no electron here (do it in main/index.ts and pass the result in)';
    return RULES.main(imported, typeOnly);
  },
  main(imported, typeOnly) {
    if (imported.kind === 'ui') return 'main/ has no UI libraries: they belong in renderer/';
    if (imported.kind !== 'path') return null;
    const { target } = imported;
    if (inside(target, 'renderer') || inside(target, 'preload')) return `main/ must not import ${target.split('/')[0]}/`;
    if (inside(target, 'engine') && !isEngineEntry(target) && !(typeOnly && isEngineApi(target))) return "main/ uses the engine through its public entry 'engine/index.ts' only";
    return null;
  },
  preload(imported) {
    if (imported.kind === 'electron') return null;
    if (imported.kind === 'path' && (isContract(imported.target) || inside(imported.target, 'preload'))) return null;
    return "preload/ may import only 'electron' and the contract (main/contract)";
  },
  renderer(imported, typeOnly) {
    if (imported.kind === 'node') return 'the renderer runs in a browser sandbox: no Node built-ins (ask the services through window.voxnas)';
    if (imported.kind === 'electron') return 'the renderer never touches Electron: use the contract through window.voxnas';
    if (imported.kind === 'node-package') return 'this package needs Node: it runs in the worker, not in the renderer';
    if (imported.kind !== 'path') return null;
    const { target } = imported;
    if (inside(target, 'renderer')) return null;
    if (typeOnly && (isContract(target) || isEngineApi(target))) return null;
    if (isContract(target) || isEngineApi(target)) return 'the renderer may import only types from the contract and engine/api (use `import type`)';
    return `the renderer must not import ${target.split('/').slice(0, 2).join('/')}: engine runtime code runs in the worker`;
  },
};

function isTypeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((specifier) => specifier.importKind === 'type' || specifier.exportKind === 'type');
}

const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import rules between engine/, main/, preload/ and renderer/' },
    schema: [],
    messages: { forbidden: "Layering: '{{source}}' may not be imported here ({{layer}}): {{reason}}." },
  },
  create(context) {
    const file = relative(ROOT, context.filename).split(sep).join('/');
    const layer = layerOf(file);
    if (layer === null) return {};
    const fileDir = dirname(context.filename);
    function check(node, sourceNode, typeOnly) {
      if (!sourceNode || sourceNode.type !== 'Literal' || typeof sourceNode.value !== 'string') return;
      const reason = RULES[layer](classify(sourceNode.value, fileDir), typeOnly);
      if (reason) context.report({ node: sourceNode, messageId: 'forbidden', data: { source: sourceNode.value, layer, reason } });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => check(node, node.source, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node, node.source, node.exportKind === 'type'),
      ImportExpression: (node) => check(node, node.source, false),
      TSImportType: (node) => check(node, node.argument?.literal ?? node.argument, true),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') check(node, node.arguments[0], false);
      },
    };
  },
};

export const layeringPlugin = { rules: { layering: layeringRule } };

/** Browser globals the engine must not touch (it also compiles without the DOM library). */
export const DOM_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'HTMLElement', 'HTMLCanvasElement', 'location'];
