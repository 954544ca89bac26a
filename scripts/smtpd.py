#!/usr/bin/python3
"""A real SMTP server on 127.0.0.1 for kto's tests and demo (aiosmtpd).

Every accepted message is written to DIR as NNNNNN.eml (the envelope in
DIR/NNNNNN.env as JSON).  A script of rules makes the server misbehave on
purpose, as mail servers do:

    --reply-rcpt ADDR=CODE      refuse RCPT TO:<ADDR> with CODE (e.g. 550)
    --fail-first N=CODE         answer the first N DATA commands with CODE
                                (e.g. 451), then accept
    --delay SECONDS             wait before answering DATA (a slow server)

The port (0: a free one) is written to --port-file once the server listens,
so a test can wait for it.  Stops on SIGTERM or SIGINT.
"""
import argparse
import asyncio
import json
import os
import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, args):
        self.dir = args.dir
        self.reply_rcpt = {}
        for rule in args.reply_rcpt or []:
            addr, code = rule.rsplit("=", 1)
            self.reply_rcpt[addr.lower()] = int(code)
        self.fail_first = 0
        self.fail_code = 451
        if args.fail_first:
            n, code = args.fail_first.split("=", 1)
            self.fail_first, self.fail_code = int(n), int(code)
        self.delay = args.delay
        self.count = 0
        self.data_seen = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        code = self.reply_rcpt.get(address.lower())
        if code:
            return f"{code} 5.1.1 <{address}>: refused by the test script"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_seen <= self.fail_first:
            return f"{self.fail_code} 4.3.0 try again later (test script)"
        self.count += 1
        base = os.path.join(self.dir, f"{self.count:06d}")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".env", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos}, f)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK: queued as test-%d" % self.count


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--reply-rcpt", action="append")
    p.add_argument("--fail-first")
    p.add_argument("--delay", type=float, default=0)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    port = args.port
    if port == 0:
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    controller = Controller(Handler(args), hostname="127.0.0.1", port=port,
                            server_kwargs={"data_size_limit": 10 * 1024 * 1024})
    controller.start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)

    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
