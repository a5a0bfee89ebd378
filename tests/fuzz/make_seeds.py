#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets for outside input that came with the hardening work
(config, control, http, tsig, server_request, xfr_inbound, journal, tcp_framing) into tests/fuzz/corpus/.
The seeds are kept in the tree; this says how they were made and remakes them after a format change:

    /usr/bin/python3 tests/fuzz/make_seeds.py [CORPUS_DIR]

Each seed's first octet is the mode octet its target reads (see the target's header comment).
"""
import base64
import hashlib
import hmac
import os
import struct
import sys
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rrset
import dns.tsig
import dns.tsigkeyring

HERE = Path(__file__).resolve().parent
root = sys.argv[1] if len(sys.argv) > 1 else str(HERE / "corpus")
def write(target, name, data):
    d = os.path.join(root, target); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f: f.write(data if isinstance(data, bytes) else data.encode())

# ---- config
rich = '''acl "inside" { 127.0.0.0/8; 10.0.0.0/8; !192.0.2.1; key "xfr."; };
key "xfr." { algorithm hmac-sha256; secret "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI="; };
key "rndc-key" { algorithm hmac-md5; secret "bWQ1c2VjcmV0bWQ1c2VjcmV0"; };
controls { inet 127.0.0.1 port 953 allow { 127.0.0.1; } keys { "rndc-key"; } read-only no; unix "/run/x.ctl" perm 0600 owner 0 group 0 keys { "rndc-key"; }; };
statistics-channels { inet 127.0.0.1 port 8053 allow { inside; }; inet ::1 port 8053; };
logging { channel "f" { file "log" versions 3 size 10m; severity info; print-time yes; print-category yes; };
  channel "s" { syslog daemon; severity warning; }; category notify { "f"; }; category default { "s"; "default_syslog"; }; category rate-limit { "f"; }; };
options {
  directory "."; listen-on port 5300 { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; notify explicit;
  tcp-clients 100; tcp-initial-timeout 50; tcp-idle-timeout 100; tcp-keepalive-timeout 600; tcp-advertised-timeout 200;
  version "v"; hostname none; server-id "id"; querylog yes; max-udp-size 1232; allow-query { any; };
  rate-limit { responses-per-second 10; referrals-per-second 5; nodata-per-second 4; nxdomains-per-second 3; errors-per-second 2;
    all-per-second 100; window 5; slip 3; ipv4-prefix-length 24; ipv6-prefix-length 56; exempt-clients { inside; }; log-only no;
    max-table-size 20000; min-table-size 500; qps-scale 250; };
  also-notify { 192.0.2.1 port 53 key "xfr."; }; transfer-source 127.0.0.1; max-journal-size 10M; ixfr-from-differences yes;
};
server 192.0.2.1 { keys { "xfr."; }; request-ixfr no; };
primaries "p" port 5301 { 127.0.0.1 key "xfr."; ::1; };
view "internal" { match-clients { inside; }; rate-limit { responses-per-second 100; };
  zone "example" { type primary; file "example.db"; allow-transfer { key "xfr."; }; };
  zone "sec" { type secondary; primaries { p; }; file "sec.db"; allow-notify { 127.0.0.1; }; };
};
view "outside" { match-clients { any; }; zone "example" { type primary; file "example.out.db"; allow-query { !inside; any; }; }; };
'''
write('config_fuzz', 'rich.conf', rich)
write('config_fuzz', 'simple.conf', 'options { directory "."; };\nzone "a." { type primary; file "a.db"; };\n')
# cairn's own probe statement (issue 17), every clause of it, and one of its errors.
write('config_fuzz', 'probe.conf', 'probe "www.example.com" { type AAAA; every 30; timeout 2;\n'
      '  servers { 192.0.2.53; 127.0.0.1 port 5300; ::1 port 53; }; expect { "2001:db8::1"; 2001:db8::2; }; };\n'
      'probe "api.example.com" { };\nprobe "bad" { every 1; timeout 5; };\n')
write('config_fuzz', 'errors.conf', 'options { rate-limit { window 0; slip 99; }; tcp-idle-timeout 99999; };\nzone "x" { type bogus; };\n')
write('config_fuzz', 'include.conf', 'include "/etc/passwd";\noptions { };\n')
write('config_fuzz', 'comments.conf', '/* c */ # s\n// x\noptions { /* inner */ allow-query { "inside"; }; };\n')
srcdir = str(HERE.parent / 'data' / 'config')
for n in sorted(os.listdir(srcdir))[:40]:
    p = os.path.join(srcdir, n)
    if os.path.isfile(p) and os.path.getsize(p) < 8000: write('config_fuzz', 'data-' + n, open(p,'rb').read())

# ---- control
hello = bytes.fromhex("000000d200000001055f61757468020000006304687368610100000059a3344453686a5a55726f5461516b6c513848476836392f")
write('control_fuzz', 'raw_prefix', b'\x00' + hello)
def entries(t):
    out=b''
    for k,v in t.items():
        out+=bytes([len(k)])+k.encode()
        if isinstance(v,dict):
            inner=entries(v); out+=b'\x02'+struct.pack('>I',len(inner))+inner
        else:
            data=v if isinstance(v,bytes) else str(v).encode(); out+=b'\x01'+struct.pack('>I',len(data))+data
    return out
def frame(ctrl,data,secret=b'x'*32):
    signed=entries({'_ctrl':ctrl,'_data':data})
    digest=hmac.new(secret,signed,hashlib.sha256).digest()
    mac=bytes([163])+base64.b64encode(digest).ljust(88,b'\x00')
    body=struct.pack('>I',1)+entries({'_auth':{'hsha':mac}})+signed
    return struct.pack('>I',len(body))+body
write('control_fuzz', 'raw_wrong_key', b'\x00' + frame({'_ser':1,'_tim':1700000000,'_exp':1700000060},{'type':'status'}))
write('control_fuzz', 'raw_unsigned', b'\x00' + struct.pack('>I', 4+len(entries({'_ctrl':{'_ser':1},'_data':{'type':'x'}}))) + struct.pack('>I',1) + entries({'_ctrl':{'_ser':1},'_data':{'type':'x'}}))
for i,cmd in enumerate(['status','reload','reload example','reload example IN internal','reconfig','zonestatus example',
                        'zonestatus example. IN _default','refresh example','retransfer example','notify example','querylog on',
                        'querylog','stop','bogus command','zonestatus nosuch','freeze example','dumpdb -all']):
    write('control_fuzz', f'cmd{i}', bytes([1 if i%3 else 3]) + b'\x00' + cmd.encode())
write('control_fuzz', 'cmd_skewed', b'\x01\x01status\n\x83')
write('control_fuzz', 'cmd_nonce', b'\x01\x00status\n\x80')

# ---- http
for i,(b,req) in enumerate([(40,'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'),(40,'HEAD /json HTTP/1.0\r\n\r\n'),(40,'GET / HTTP/1.1\r\n\r\n'),
        (40,'POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n'),(41,'GET /metrics HTTP/1.1\r\n\r\n'),(2,'GET /'+'a'*200),
        (40,'GET /metrics?x=1 HTTP/1.1\r\n\r\n'),(40,'garbage\r\n\r\n'),(40,'GET /metrics HTTP/2\r\n\r\n'),(40,'GET /metrics HTTP/1.1\r\n')]):
    write('http_fuzz', f'req{i}', bytes([b]) + req.encode())

# ---- tsig
ring = dns.tsigkeyring.from_text({'k1.': ('hmac-sha256','c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI='), 'k4.': ('hmac-sha1', 'c2hhMXNoYTFzaGExc2hhMQ=='),
                                  })
q = dns.message.make_query('www.example.', 'A'); q.use_tsig(ring, keyname='k1.')
write('tsig_fuzz', 'signed_k1', b'\x00' + q.to_wire())
q = dns.message.make_query('example.', 'AXFR'); q.use_tsig(ring, keyname='k4.')
write('tsig_fuzz', 'signed_k4_axfr', b'\x03' + q.to_wire())
q = dns.message.make_query('www.example.', 'A'); q.use_tsig(dns.tsigkeyring.from_text({'k1.': ('hmac-sha256','b3RoZXI=')}), keyname='k1.')
write('tsig_fuzz', 'badsig', b'\x00' + q.to_wire())
q = dns.message.make_query('www.example.', 'A'); q.use_tsig(dns.tsigkeyring.from_text({'nokey.': ('hmac-sha256','b3RoZXI=')}), keyname='nokey.')
write('tsig_fuzz', 'badkey', b'\x00' + q.to_wire())
plain = dns.message.make_query('www.example.', 'A', use_edns=0).to_wire()
resp = dns.message.make_response(dns.message.make_query('www.example.', 'A'))
resp.answer.append(dns.rrset.from_text('www.example.', 300, 'IN', 'A', '192.0.2.1'))
write('tsig_fuzz', 'roundtrip', b'\x80' + plain + b'\xff\xff\xff' + resp.to_wire() + b'\xff\xff\xff' + resp.to_wire())
write('tsig_fuzz', 'roundtrip_md5', b'\x81' + plain)

# ---- server_request
def w(name, mode, msg): write('server_request_fuzz', name, bytes([mode]) + (msg if isinstance(msg, bytes) else msg.to_wire()))
w('a', 0, dns.message.make_query('www.example.', 'A'))
w('a_edns_cookie', 0, dns.message.make_query('www.example.', 'A', use_edns=0, options=[dns.edns.GenericOption(10, b'12345678')]))
w('wild', 2, dns.message.make_query('x.wild.example.', 'A'))
w('nx', 2, dns.message.make_query('nope.example.', 'MX'))
w('referral', 2, dns.message.make_query('a.sub.example.', 'A'))
w('closed', 5, dns.message.make_query('closed.', 'SOA'))
w('internal', 1, dns.message.make_query('www.example.', 'A'))
w('exempt', 3, dns.message.make_query('www.example.', 'A'))
w('v6', 6, dns.message.make_query('big.example.', 'TXT'))
w('chaos', 0, dns.message.make_query('version.bind.', 'TXT', rdclass='CH'))
n = dns.message.make_query('sec.', 'SOA'); n.flags = dns.flags.AA; n.set_opcode(dns.opcode.NOTIFY)
w('notify_refused', 2, n); w('notify_allowed', 4, n); w('notify_primary', 0, n)
n2 = dns.message.make_query('example.', 'SOA'); n2.flags = dns.flags.AA; n2.set_opcode(dns.opcode.NOTIFY)
w('notify_primary_zone', 0, n2)
w('notify_signed', 0x44, n)
w('axfr', 8, dns.message.make_query('example.', 'AXFR'))
w('axfr_internal', 9, dns.message.make_query('example.', 'AXFR'))
w('axfr_signed', 0x4a, dns.message.make_query('example.', 'AXFR'))
ix = dns.message.make_query('example.', 'IXFR'); ix.authority.append(dns.rrset.from_text('example.', 0, 'IN', 'SOA', 'ns1.example. hostmaster.example. 0 0 0 0 0'))
w('ixfr', 8, ix)
w('axfr_udp', 0, dns.message.make_query('example.', 'AXFR'))
w('signed_a', 0x42, dns.message.make_query('www.example.', 'A'))
w('signed_md5', 0x62, dns.message.make_query('www.example.', 'A'))
w('tcp_keepalive', 8, dns.message.make_query('www.example.', 'A', use_edns=0, options=[dns.edns.GenericOption(11, b'')]))

# ---- xfr_inbound
def soa(serial): return dns.rrset.from_text('example.', 3600, 'IN', 'SOA', f'ns1.example. hostmaster.example. {serial} 7200 3600 1209600 300')
def msg(records, qtype='AXFR'):
    m = dns.message.make_response(dns.message.make_query('example.', qtype)); m.id = 0x4242
    for r in records: m.answer.append(r)
    return m.to_wire()
def framed(*msgs): return b''.join(struct.pack('>H', len(x)) + x for x in msgs)
ns = dns.rrset.from_text('example.', 3600, 'IN', 'NS', 'ns1.example.')
a = dns.rrset.from_text('ns1.example.', 3600, 'IN', 'A', '192.0.2.1')
www = dns.rrset.from_text('www.example.', 300, 'IN', 'A', '192.0.2.9')
write('xfr_inbound_fuzz', 'axfr_one', b'\x00' + framed(msg([soa(11), ns, a, www, soa(11)])))
write('xfr_inbound_fuzz', 'axfr_two', b'\x00' + framed(msg([soa(11), ns, a]), msg([www, soa(11)])))
write('xfr_inbound_fuzz', 'axfr_old', b'\x00' + framed(msg([soa(9), ns, a, soa(9)])))
write('xfr_inbound_fuzz', 'axfr_old_forced', b'\x80' + framed(msg([soa(9), ns, a, soa(9)])))
old = dns.rrset.from_text('old.example.', 300, 'IN', 'TXT', '"gone soon"')
ixfr = msg([soa(12), soa(10), old, soa(11), www, soa(11), soa(12), soa(12)], 'IXFR')
write('xfr_inbound_fuzz', 'ixfr', b'\x03' + framed(ixfr))
write('xfr_inbound_fuzz', 'ixfr_uptodate', b'\x03' + framed(msg([soa(10)], 'IXFR')))
write('xfr_inbound_fuzz', 'ixfr_as_axfr', b'\x03' + framed(msg([soa(11), ns, a, soa(11)], 'IXFR')))
write('xfr_inbound_fuzz', 'truncated', b'\x00' + framed(msg([soa(11), ns])))

# ---- journal
def name_wire(n): return dns.name.from_text(n).to_wire()
def rec(owner, rtype, rdata, same=False, ttl=300):
    head = b'\x01' if same else b'\x00' + name_wire(owner)
    return head + struct.pack('>HHIH', rtype, 1, ttl, len(rdata)) + rdata
def soa_rdata(serial): return name_wire('ns1.example.') + name_wire('hostmaster.example.') + struct.pack('>IIIII', serial, 7200, 3600, 1209600, 300)
def diff(f, t, removed, added):
    out = b'\x01' + struct.pack('>II', f, t) + rec('example.', 6, soa_rdata(f)) + rec('example.', 6, soa_rdata(t))
    out += struct.pack('>I', len(removed)) + b''.join(removed) + struct.pack('>I', len(added)) + b''.join(added)
    return out
d1 = diff(10, 11, [rec('old.example.', 16, b'\x09gone soon')], [rec('www.example.', 1, bytes([192,0,2,9])), rec('www.example.', 1, bytes([192,0,2,10]), same=True)])
d2 = diff(11, 12, [], [rec('new.example.', 1, bytes([192,0,2,11]))])
write('journal_fuzz', 'diff_only', d1)
def store(kind, seq, value): return bytes([kind]) + struct.pack('>IH', seq, len(value)) + value
meta = struct.pack('>IIII', 5, 7, 0, len(d1) + len(d2))
entries_ = store(0, 0, meta) + store(1, 5, struct.pack('>I', 5) + d1) + store(1, 6, struct.pack('>I', 3) + d2)
timers = b'\x01' + struct.pack('>qqqIB', 1700000000, 1700003600, 1800000000, 12, 0)
write('journal_fuzz', 'store', entries_ + store(2, 0, timers))
write('journal_fuzz', 'store_gap', store(0, 0, struct.pack('>IIII', 1, 9, 0, 10)) + store(1, 3, struct.pack('>I', 5) + d1))
write('journal_fuzz', 'diff_bad_version', b'\x02' + d1[1:])

# ---- tcp_framing
def q(payload): return struct.pack('>H', len(payload)) + payload
hdr = b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'
write('tcp_framing_fuzz', 'one', b'\x01' + q(hdr + b'Q'))
write('tcp_framing_fuzz', 'pipelined', b'\x01' + q(hdr + b'A') + q(hdr + b'B') + q(hdr + b'D') + q(hdr + b'C'))
write('tcp_framing_fuzz', 'split', b'\x00' + q(hdr + b'Q')[:3] + b'\xfe\xfe' + q(hdr + b'Q')[3:] + b'\xfe\xfe' + q(hdr + b'K'))
write('tcp_framing_fuzz', 'stream', b'\x01' + q(hdr + b'S\x05') + q(hdr + b'Q') + q(hdr + b'S\x27'))
write('tcp_framing_fuzz', 'partial_close', b'\x01' + q(hdr + b'Q') + b'\x01\x00' + b'x' * 10)
write('tcp_framing_fuzz', 'big', b'\x01' + q(hdr + b'Q' * 60000))
write('tcp_framing_fuzz', 'empty_message', b'\x01' + b'\x00\x00' + q(hdr))

# ---- resolver_reply: the mode octet (question, forwarding, QNAME minimisation, validation, CD), then one
# step per upstream query: 0 honest, 1 edited, 2 raw bytes, 3 header + sections around our question,
# 4/5/6 timeout, unreachable, connection lost.
def name_wire(text): return b''.join(bytes([len(l)]) + l.encode() for l in text.strip('.').split('.') if l) + b'\x00'
def rr_wire(owner, rtype, ttl, rdata): return name_wire(owner) + struct.pack('>HHIH', rtype, 1, ttl, len(rdata)) + rdata
for mode in (0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x18, 0x20, 0x21, 0x41, 0x48, 0x80):
    write('resolver_reply_fuzz', 'honest_%02x' % mode, bytes([mode]) + b'\x00' * 24)
def spliced(flags, an, ns, ar, sections):
    return b'\x03' + struct.pack('>HHHHHH', 0, flags, 1, an, ns, ar) + struct.pack('>H', len(sections)) + sections
cname_loop = rr_wire('www.example.com.', 5, 300, name_wire('www.example.com.'))
write('resolver_reply_fuzz', 'cname_to_itself', b'\x08' + spliced(0x8180, 1, 0, 0, cname_loop))
lame = rr_wire('com.', 2, 172800, name_wire('ns.evil.'))
write('resolver_reply_fuzz', 'out_of_bailiwick_referral', b'\x00' + spliced(0x8000, 0, 1, 0, lame) + b'\x00' * 8)
write('resolver_reply_fuzz', 'garbage_then_honest', b'\x00\x02\x00\x05junk!' + b'\x00' * 12)
write('resolver_reply_fuzz', 'edited', b'\x00\x01\x03\x00\x03\x85\x00\x07\x00\x00\x0c\xc0' + b'\x00' * 12)
write('resolver_reply_fuzz', 'timeouts', b'\x00\x04\x05\x06\x04\x00\x00\x00\x00\x00')
