"""Synthetic respondents for make demo: answers invitations through the real
HTTP form of `kto serve`, as a browser without JavaScript would.

Usage: demo_respond.py BASE_URL MAIL_DIR SHARE [SEED]

Reads the questionnaire links from the mails in MAIL_DIR (.eml files),
answers SHARE (0..1) of them, and prints the link of one it left alone.
Answers are random but plausible: marks mostly 6 to 9, a few "weet niet",
typed questions left empty.  Seeded, so the demo is the same every time.
"""
import glob
import html.parser
import http.client
import random
import re
import sys
import urllib.parse

BASE, MAIL_DIR, SHARE = sys.argv[1], sys.argv[2], float(sys.argv[3])
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 2026
HOST = urllib.parse.urlparse(BASE).netloc


class FormReader(html.parser.HTMLParser):
    """The inputs of the page's form: radio groups, check boxes, hidden fields."""

    def __init__(self):
        super().__init__()
        self.radios, self.boxes, self.hidden = {}, {}, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag != "input" or "name" not in a:
            return
        kind = a.get("type")
        if kind == "radio":
            self.radios.setdefault(a["name"], []).append(a.get("value", ""))
        elif kind == "checkbox" and a["name"].startswith("q."):
            self.boxes.setdefault(a["name"], []).append(a.get("value", ""))
        elif kind == "hidden":
            self.hidden[a["name"]] = a.get("value", "")


def request(method, path, body=None):
    conn = http.client.HTTPConnection(HOST, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    page = resp.read().decode("utf-8", "replace")
    conn.close()
    return resp.status, page


def pick(rng, name, values):
    """A plausible answer from a radio group's values."""
    real = [v for v in values if v != "dk"]
    if "dk" in values and rng.random() < 0.05:
        return "dk"
    if real == [str(m) for m in range(1, 11)]:          # a report mark
        return str(min(10, max(1, round(rng.gauss(7.4, 1.3)))))
    if real == [str(s) for s in range(1, 6)]:            # a five-point scale
        return str(min(5, max(1, round(rng.gauss(3.8, 0.9)))))
    return rng.choice(real)


def answer(path, rng):
    """Fills in the questionnaire at path; True when it was sent."""
    for _ in range(20):                      # pages, with room for show-if
        status, page = request("GET", path)
        if status != 200 or 'name="page"' not in page:
            return "Bedankt" in page or "Thank you" in page
        form = FormReader()
        form.feed(page)
        fields = [("page", form.hidden.get("page", "0")), ("action", "next")]
        for name, values in form.radios.items():
            if rng.random() < 0.93:
                fields.append((name, pick(rng, name, values)))
        for name, values in form.boxes.items():
            for v in rng.sample(values, k=min(len(values), rng.choice([0, 1, 1, 2]))):
                fields.append((name, v))
        status, page = request("POST", path, urllib.parse.urlencode(fields).encode())
        if status == 422:                    # a required answer left open
            fields = [f for f in fields if f[0] in ("page", "action")]
            for name, values in form.radios.items():
                fields.append((name, pick(rng, name, values)))
            status, page = request("POST", path, urllib.parse.urlencode(fields).encode())
        if status != 303:
            return False
    return False


def main():
    links = []
    for eml in sorted(glob.glob(MAIL_DIR + "/**/*.eml", recursive=True)):
        text = open(eml, encoding="utf-8", errors="replace").read()
        text = re.sub(r"=\r?\n", "", text)           # quoted-printable soft breaks
        m = re.search(r"/s/([A-Za-z0-9_-]{22})", text)
        if m and m.group(1) not in links:
            links.append(m.group(1))
    rng = random.Random(SEED)
    rng.shuffle(links)
    n = round(len(links) * SHARE)
    sent = sum(answer("/s/" + t, random.Random(t)) for t in links[:n])
    print("   %d of %d invitations answered through the web form" % (sent, len(links)))
    if n < len(links):
        print("   Try one yourself: %s/s/%s" % (BASE, links[n]))


if __name__ == "__main__":
    main()
