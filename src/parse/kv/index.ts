export { parseKv, type KvOptions } from './kv.js';
