export { readEventFile, readEventFileBatches, type FileItem, type FileSource, type ReadOptions, type FileFormat, type ReaderHooks } from './read.js';
export { normalizeDocument, docKind, guessTimestamp } from './classify.js';
export { sniffFormat, zeekLogFromName } from './sniff.js';
export { listZipEntries, extractZipEntry, isZip } from './zip.js';
export { listTarEntries, isTar } from './tar.js';
export { JsonValueSplitter } from './json-splitter.js';
export { CsvParser } from './csv.js';
export { LineCutter } from './lines.js';
