import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { communityId } from './community-id.js';

// corelight/community-id-spec baseline/baseline_deflt.json and pycommunityid's tests
// (tests/communityid_test.py). ICMP rows give (type, code) as the two "ports".
const BASELINE: Array<[number, string, string, number | undefined, number | undefined, string]> = [
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 136, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 135, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 135, 136, '1:zavyT/cezQr1fmImYCwYnMXbgck='],
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 136, 135, '1:zavyT/cezQr1fmImYCwYnMXbgck='],
  [58, '3ffe:501:1800:2345::2', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0, '1:2ObVBgIn28oZvibYZhZMBgh7WdQ='],
  [58, '3ffe:501:410:0:2c0:dfff:fe47:33e', '3ffe:507:0:1:200:86ff:fe05:80da', 1, 4, '1:hLZd0XGWojozrvxqE0dWB1iM6R0='],
  [58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:501:0:1001::2', 128, 129, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg='],
  [58, '3ffe:501:0:1001::2', '3ffe:507:0:1:200:86ff:fe05:80da', 129, 128, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg='],
  [58, 'fe80::200:86ff:fe05:80da', 'ff02::2', 133, 134, '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0='],
  [58, 'fe80::260:97ff:fe07:69ea', 'ff02::1', 134, 133, '1:pkvHqCL88/tg1k4cPigmZXUtL00='],
  [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk='],
  [1, '192.168.0.1', '192.168.0.89', 0, 8, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk='],
  [1, '10.0.0.1', '10.0.0.2', 11, 0, '1:YHxtAirCG//0OzkcVAukqKQN9xM='],
  [6, '2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4='],
  [6, '2607:f8b0:400c:c03::1a', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4='],
  [132, '192.168.170.8', '192.168.170.56', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs='],
  [132, '192.168.170.56', '192.168.170.8', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs='],
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
  [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg='],
  [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ='],
  [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:d/FP5EW3wiY1vCndhwleRRKHowQ='],
  [46, '10.1.12.1', '10.1.12.2', undefined, undefined, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw='],
  [46, '10.1.12.2', '10.1.12.1', undefined, undefined, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw='],
  // pycommunityid tests
  [6, '10.0.0.1', '10.0.0.2', 10, 11569, '1:SXBGMX1lBOwhhoDrZynfROxnhnM='],
  [1, '192.168.0.89', '192.168.0.1', 20, 0, '1:3o2RFccXzUgjl7zDpqmY7yJi8rI='],
  [1, '192.168.0.89', '192.168.0.1', 20, 1, '1:tz/fHIDUHs19NkixVVoOZywde+I='],
  [1, '192.168.0.1', '192.168.0.89', 0, 20, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk='],
  [58, '3ffe:507:0:1:260:97ff:fe07:69ea', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0, '1:NdobDX8PQNJbAyfkWxhtL2Pqp5w='],
  [58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:507:0:1:260:97ff:fe07:69ea', 3, 0, '1:/OGBt9BN1ofenrmSPWYicpij2Vc='],
  [132, '192.168.170.8', '192.168.170.56', 7, 80, '1:jQgCxbku+pNGw8WPbEc/TS/uTpQ='],
  [46, '10.1.24.4', '10.1.12.1', undefined, undefined, '1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4='],
];

describe('communityId (v1)', () => {
  it.each(BASELINE)('proto %i %s -> %s ports %s/%s', (proto, s, d, sp, dp, expected) => {
    expect(communityId(s, d, proto, sp, dp)).toBe(expected);
  });

  it('uses the seed (pycommunityid seed=1 vectors)', () => {
    expect(communityId('128.232.110.120', '66.35.250.204', 6, 34855, 80, 1)).toBe('1:3V71V58M3Ksw/yuFALMcW0LAHvc=');
    expect(communityId('192.168.1.52', '8.8.8.8', 17, 54585, 53, 1)).toBe('1:Q9We8WO3piVF8yEQBNJF4uiSVrI=');
  });

  it('refuses bad input instead of hashing it', () => {
    expect(communityId('1.2.3', '1.2.3.4', 6, 1, 2)).toBeUndefined();
    expect(communityId('1.2.3.4', '::1', 6, 1, 2)).toBeUndefined();
    expect(communityId('1.2.3.4', '5.6.7.8', 6)).toBeUndefined();
    expect(communityId('1.2.3.4', '5.6.7.8', 6, 70000, 2)).toBeUndefined();
  });

  it('is symmetric for TCP/UDP', () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));
    fc.assert(
      fc.property(octets, octets, fc.nat(65535), fc.nat(65535), fc.constantFrom(6, 17, 132), (a, b, p, q, proto) => {
        expect(communityId(a, b, proto, p, q)).toBe(communityId(b, a, proto, q, p));
      }),
    );
  });
});
