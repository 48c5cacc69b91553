export { parseLeef, leefDelimiter, type LeefContext } from './leef.js';
export { parseJavaDate } from './java-date.js';
