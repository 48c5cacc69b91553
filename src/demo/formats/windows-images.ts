/** Version resources of the programs the Windows scenario starts, as Sysmon reports them. */

export interface ImageInfo {
  path: string;
  fileVersion: string;
  description: string;
  product: string;
  company: string;
  originalFileName: string;
}

const MS = 'Microsoft Corporation';
const WINDOWS = 'Microsoft® Windows® Operating System';
const WIN_VERSION = '10.0.19041.3996 (WinBuild.160101.0800)';
const SYS32 = 'C:\\Windows\\System32';

export const IMAGES = {
  outlook: {
    path: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE',
    fileVersion: '16.0.17928.20156',
    description: 'Microsoft Outlook',
    product: 'Microsoft Outlook',
    company: MS,
    originalFileName: 'Outlook.exe',
  },
  word: {
    path: 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
    fileVersion: '16.0.17928.20156',
    description: 'Microsoft Word',
    product: 'Microsoft Office',
    company: MS,
    originalFileName: 'WinWord.exe',
  },
  explorer: {
    path: 'C:\\Windows\\explorer.exe',
    fileVersion: WIN_VERSION,
    description: 'Windows Explorer',
    product: WINDOWS,
    company: MS,
    originalFileName: 'EXPLORER.EXE',
  },
  powershell: {
    path: `${SYS32}\\WindowsPowerShell\\v1.0\\powershell.exe`,
    fileVersion: WIN_VERSION,
    description: 'Windows PowerShell',
    product: WINDOWS,
    company: MS,
    originalFileName: 'PowerShell.EXE',
  },
  cmd: {
    path: `${SYS32}\\cmd.exe`,
    fileVersion: WIN_VERSION,
    description: 'Windows Command Processor',
    product: WINDOWS,
    company: MS,
    originalFileName: 'Cmd.Exe',
  },
  services: {
    path: `${SYS32}\\services.exe`,
    fileVersion: WIN_VERSION,
    description: 'Services and Controller app',
    product: WINDOWS,
    company: MS,
    originalFileName: 'services.exe',
  },
  svchost: {
    path: `${SYS32}\\svchost.exe`,
    fileVersion: WIN_VERSION,
    description: 'Host Process for Windows Services',
    product: WINDOWS,
    company: MS,
    originalFileName: 'svchost.exe',
  },
  lsass: {
    path: `${SYS32}\\lsass.exe`,
    fileVersion: WIN_VERSION,
    description: 'Local Security Authority Process',
    product: WINDOWS,
    company: MS,
    originalFileName: 'lsass.exe',
  },
  wsmprovhost: {
    path: `${SYS32}\\wsmprovhost.exe`,
    fileVersion: WIN_VERSION,
    description: 'Host process for WinRM plug-ins',
    product: WINDOWS,
    company: MS,
    originalFileName: 'wsmprovhost.exe',
  },
  conhost: {
    path: `${SYS32}\\conhost.exe`,
    fileVersion: WIN_VERSION,
    description: 'Console Window Host',
    product: WINDOWS,
    company: MS,
    originalFileName: 'CONHOST.EXE',
  },
  whoami: {
    path: `${SYS32}\\whoami.exe`,
    fileVersion: WIN_VERSION,
    description: 'whoami - displays logged on user information',
    product: WINDOWS,
    company: MS,
    originalFileName: 'whoami.exe',
  },
  net: {
    path: `${SYS32}\\net.exe`,
    fileVersion: WIN_VERSION,
    description: 'Net Command',
    product: WINDOWS,
    company: MS,
    originalFileName: 'net.exe',
  },
  psexec: {
    path: 'PsExec64.exe',
    fileVersion: '2.43',
    description: 'Execute processes remotely',
    product: 'Sysinternals PsExec',
    company: 'Sysinternals - www.sysinternals.com',
    originalFileName: 'psexec.c',
  },
  psexesvc: {
    path: 'C:\\Windows\\PSEXESVC.exe',
    fileVersion: '2.43',
    description: 'PsExec Service',
    product: 'Sysinternals PsExec',
    company: 'Sysinternals',
    originalFileName: 'psexesvc.exe',
  },
  mimikatz: {
    path: 'mimikatz.exe',
    fileVersion: '2.2.0.0',
    description: 'mimikatz for Windows',
    product: 'mimikatz',
    company: 'gentilkiwi (Benjamin DELPY)',
    originalFileName: 'mimikatz.exe',
  },
} satisfies Record<string, ImageInfo>;
