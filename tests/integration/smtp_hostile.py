"""A hostile mail server for smtp_hostile.sh: raw sockets, no SMTP library,
since the point is to misbehave below what aiosmtpd would do.

Usage: smtp_hostile.py MODE PORT_FILE LOG [CERT KEY]

  tarpit   greets, then reads and never answers (HARDENING S2)
  badcert  TLS from the first byte with a certificate no one trusts; logs
           whether a handshake ever completed and any byte that came in
           plain text (HARDENING S4)

Writes its port to PORT_FILE once listening; runs until killed.
"""
import socket
import ssl
import sys
import threading

mode, port_file, log_path = sys.argv[1], sys.argv[2], sys.argv[3]
log = open(log_path, "a", buffering=1)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(16)
ctx = None
if mode == "badcert":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(port_file + ".tmp", port_file)


def tarpit(c):
    c.sendall(b"220 tarpit.example ESMTP\r\n")
    log.write("connected\n")
    while c.recv(4096):
        pass                         # read it all, answer nothing


def badcert(c):
    try:
        t = ctx.wrap_socket(c, server_side=True)
    except (ssl.SSLError, OSError) as e:
        log.write("handshake failed: %s\n" % e.__class__.__name__)
        return
    log.write("handshake completed\n")
    t.sendall(b"220 badcert.example ESMTP\r\n")
    while True:
        d = t.recv(4096)
        if not d:
            break
        log.write("received over TLS: %r\n" % d[:40])


def serve(c):
    try:
        (tarpit if mode == "tarpit" else badcert)(c)
    except OSError:
        pass
    finally:
        c.close()


while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
