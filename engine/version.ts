import packageJson from '../package.json' with { type: 'json' };

/** The product's name as users see it. */
export const PRODUCT_NAME = 'VoxNAS';

/** The package version; the CLI's `--version`, the model card and exported ONNX metadata quote it. */
export const VOXNAS_VERSION: string = packageJson.version;
