export { normalizeWindows, toIsoUtc } from './normalize-windows.js';
export { detectWindowsShape, type WindowsShape } from './shapes.js';
