export { parseCef, parseCefExtension, cefSeverity, type CefContext } from './cef.js';
export { parseLooseTime } from './time.js';
