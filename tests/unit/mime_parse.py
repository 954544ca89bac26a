#!/usr/bin/python3
"""Parses one e-mail message with Python's email package, as a reader would.

Usage: mime_parse.py FILE

test_mime.c runs this on the messages engine/mime.c builds, so that an
independent parser (email.policy.default, the strict modern one) checks
the RFC 2047 words, the quoted-printable parts and the folding, rather
than only kto's own idea of them.

Prints one flat JSON object whose values are all strings, one key per
line (`"key": "value"`), for the C test's tiny reader:

  subject, from_name, from_addr, to, reply_to, message_id, date (ISO 8601),
  mime_version, content_language, auto_submitted, list_unsubscribe,
  list_unsubscribe_post, content_type, boundary, parts (how many),
  text_type, text_charset, text_cte, text, html_type, html_charset,
  html_cte, html (the decoded parts, line ends as LF), and defects
  (everything the parser complained about, "; "-separated, "" when none).
"""

import email
import email.policy
import json
import sys


def header_str(msg, name):
    value = msg[name]
    return "" if value is None else str(value)


def main():
    with open(sys.argv[1], "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)

    defects = []
    for part in msg.walk():
        defects.extend(type(d).__name__ for d in part.defects)
        for _name, value in part.items():
            defects.extend(type(d).__name__ for d in getattr(value, "defects", ()))

    out = {}
    out["subject"] = header_str(msg, "Subject")
    sender = msg["From"]
    out["from_name"] = sender.addresses[0].display_name if sender else ""
    out["from_addr"] = sender.addresses[0].addr_spec if sender else ""
    out["to"] = header_str(msg, "To")
    out["reply_to"] = header_str(msg, "Reply-To")
    out["message_id"] = header_str(msg, "Message-ID")
    date = msg["Date"]
    out["date"] = date.datetime.isoformat() if date is not None else ""
    out["mime_version"] = header_str(msg, "MIME-Version")
    out["content_language"] = header_str(msg, "Content-Language")
    out["auto_submitted"] = header_str(msg, "Auto-Submitted")
    out["list_unsubscribe"] = header_str(msg, "List-Unsubscribe")
    out["list_unsubscribe_post"] = header_str(msg, "List-Unsubscribe-Post")
    out["content_type"] = msg.get_content_type()
    out["boundary"] = msg.get_boundary() or ""

    parts = list(msg.iter_parts()) if msg.is_multipart() else []
    out["parts"] = str(len(parts))
    for key, part in zip(("text", "html"), parts):
        out[key + "_type"] = part.get_content_type()
        out[key + "_charset"] = part.get_content_charset() or ""
        out[key + "_cte"] = part.get("Content-Transfer-Encoding", "")
        out[key] = part.get_content().replace("\r\n", "\n")
    out["defects"] = "; ".join(defects)

    lines = ["  %s: %s" % (json.dumps(k), json.dumps(v)) for k, v in out.items()]
    sys.stdout.write("{\n" + ",\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    main()
