export { parseSyslog, type SyslogContext } from './parse-syslog.js';
export { parse5424, parseStructuredData, type Rfc5424Header, type StructuredData } from './rfc5424.js';
export { parse3164, type Rfc3164Header } from './rfc3164.js';
export { readPri, priorityFields, FACILITY_NAMES, SEVERITY_NAMES, DEFAULT_PRI } from './priority.js';
export { wallToUtcMs, zoneOffsetMinutes, resolveYearless, isKnownTimeZone, parseIsoAt } from './time.js';
