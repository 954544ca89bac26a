#!/usr/bin/python3
"""Reads back the mail that scripts/smtpd.py stored, for the send tests.

    mailcheck.py messages DIR BASE_URL
        prints a JSON list with one object per DIR/NNNNNN.eml (in order):
        the envelope (DIR/NNNNNN.env), the headers and both parts as
        Python's email package (policy.default) decodes them, the tokens
        of the links to BASE_URL/s/ and BASE_URL/o/ found in each place,
        and facts about the raw bytes (7-bit, CRLF, line lengths).

    mailcheck.py headers DIR
        the same list, fast, with only the envelope, To, Message-ID and
        Subject of each message (for thousands of them).

    mailcheck.py subjects FILE.kto...
        prints {CHANNEL: {"invitation"|"reminder": {"nl": S, "en": S}}}:
        the subject templates of the survey definitions, so that a test
        does not repeat the shipped texts.

The checks themselves are in the test scripts; this only parses.
"""
import email
import email.header
import email.parser
import email.policy
import email.utils
import json
import os
import re
import sys


def links(base, kind, text):
    return re.findall(re.escape(base) + "/" + kind + r"/([A-Za-z0-9_-]+)", text)


def message(path, base):
    raw = open(path, "rb").read()
    env_path = path[:-len(".eml")] + ".env"
    env = json.load(open(env_path)) if os.path.exists(env_path) else {}
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = raw.split(b"\r\n")
    m = re.search(rb"(?im)^subject:(.*(?:\r\n[ \t].*)*)", head)
    raw_subject = m.group(1) if m else b""
    out = {
        "file": os.path.basename(path),
        "env_from": env.get("from"),
        "env_to": env.get("to"),
        "raw_7bit": all(b < 128 for b in raw),
        # every line break is CRLF: no bare LF (a bare CR splits too)
        "raw_crlf": b"\n" not in raw.replace(b"\r\n", b"") and
                    b"\r" not in raw.replace(b"\r\n", b""),
        "max_line": max(len(line) for line in lines),
        "raw_subject_encoded": b"=?UTF-8?" in raw_subject.upper(),
        "raw_subject": raw_subject.decode("ascii", "replace"),
        "defects": [],
    }
    # how often each header occurs (RFC 5322 allows most of them once)
    out["count"] = {}
    for name in msg.keys():
        out["count"][name.lower()] = out["count"].get(name.lower(), 0) + 1
    for key, name in (("from", "From"), ("to", "To"), ("reply_to", "Reply-To")):
        h = msg[name]
        out[key] = None if h is None else [
            {"name": a.display_name, "addr": a.addr_spec} for a in h.addresses]
    for key, name in (("subject", "Subject"), ("message_id", "Message-ID"),
                      ("mime_version", "MIME-Version"),
                      ("content_language", "Content-Language"),
                      ("list_unsubscribe", "List-Unsubscribe"),
                      ("list_unsubscribe_post", "List-Unsubscribe-Post"),
                      ("auto_submitted", "Auto-Submitted")):
        v = msg[name]
        out[key] = None if v is None else str(v)
    d = msg["Date"]
    out["date"] = None
    if d is not None and d.datetime is not None:
        dt = d.datetime
        out["date"] = dt.strftime("%Y-%m-%dT%H:%M:%S") + (
            "" if dt.utcoffset() is None else
            "%+03d:%02d" % divmod(int(dt.utcoffset().total_seconds()) // 60, 60))
    out["content_type"] = msg.get_content_type()
    parts = []
    for part in (msg.iter_parts() if msg.is_multipart() else [msg]):
        out["defects"] += [type(x).__name__ for x in part.defects]
        parts.append({
            "type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "cte": part.get("Content-Transfer-Encoding"),
            "content": part.get_content() if not part.is_multipart() else None,
        })
    out["defects"] += [type(x).__name__ for x in msg.defects]
    out["parts"] = parts
    out["text"] = next((p["content"] for p in parts if p["type"] == "text/plain"), None)
    out["html"] = next((p["content"] for p in parts if p["type"] == "text/html"), None)
    for where in ("text", "html"):
        s = out[where] or ""
        out["s_" + where] = links(base, "s", s)
        out["o_" + where] = links(base, "o", s)
    lu = out["list_unsubscribe"] or ""
    out["unsub_entries"] = re.findall(r"<([^<>]*)>", lu)
    return out


def messages(directory, base):
    names = sorted(n for n in os.listdir(directory) if n.endswith(".eml"))
    return [message(os.path.join(directory, n), base) for n in names]


def headers(directory):
    # compat32 is several times faster than policy.default on headers
    parser = email.parser.BytesHeaderParser()
    out = []
    for n in sorted(n for n in os.listdir(directory) if n.endswith(".eml")):
        path = os.path.join(directory, n)
        with open(path, "rb") as f:
            h = parser.parse(f)
        env = json.load(open(path[:-len(".eml")] + ".env"))
        subject = h["Subject"]
        if subject is not None:
            subject = str(email.header.make_header(email.header.decode_header(subject)))
        out.append({"file": n, "env_to": env.get("to"),
                    "to": [a for _, a in email.utils.getaddresses(h.get_all("To", []))],
                    "message_id": h["Message-ID"] and h["Message-ID"].strip(),
                    "subject": subject})
    return out


def subjects(files):
    out = {}
    for path in files:
        channel = mail = None
        for line in open(path, encoding="utf-8"):
            m = re.match(r"\s*channel:\s*(\S+)", line)
            if m and channel is None:
                channel = m.group(1)
            m = re.match(r"mail\s+(\S+)", line)
            if m:
                mail = m.group(1)
            elif re.match(r"\S", line):
                mail = None
            m = re.match(r"\s+subject(\.en)?:\s*(.*?)\s*$", line)
            if m and mail:
                lang = "en" if m.group(1) else "nl"
                out.setdefault(channel, {}).setdefault(mail, {})[lang] = m.group(2)
    return out


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "messages":
        json.dump(messages(sys.argv[2], sys.argv[3].rstrip("/")), sys.stdout,
                  ensure_ascii=False)
    elif len(sys.argv) == 3 and sys.argv[1] == "headers":
        json.dump(headers(sys.argv[2]), sys.stdout, ensure_ascii=False)
    elif len(sys.argv) >= 3 and sys.argv[1] == "subjects":
        json.dump(subjects(sys.argv[2:]), sys.stdout, ensure_ascii=False)
    else:
        sys.stderr.write(__doc__)
        return 2
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
