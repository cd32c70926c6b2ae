"""Readers of the Debian text sources that scripts/build-quality-data.py turns into (prompt, answer) items.

Each reader returns plain Python data sorted in a fixed order, so the builder is deterministic.
Sources (Debian packages, with their licences; models/README.md lists them too):
- wordnet-base 3.0 (/usr/share/wordnet, WordNet licence, Princeton): glosses, hypernyms, co-hyponyms,
  instances (capital cities), antonyms;
- dict-gcide (/usr/share/dictd/gcide.*, GPL-3+): Webster 1913 + later definitions, independently worded;
- dict-foldoc (FOLDOC, GFDL-1.1+): computing terms;  dict-jargon (Jargon File 4.4.7, public domain);
- dict-elements (public domain): element symbols and atomic numbers;
- python3-doc (PSF licence): the first paragraph of every documented function;
- man pages (each under its own package's licence): the NAME line of section-1 commands, read from the pinned
  table test/fixtures/quality-hard/man1-names.jsonl (command, description, Debian package and version), which
  `build-quality-data.py --refresh-man` writes from the pages installed here. The table is pinned because the
  set of installed pages is a property of the machine, not of the recipe: two machines with the same Debian
  release but different packages installed gave different neighbours and so different data.
"""

import gzip
import html
import os
import re

WN = "/usr/share/wordnet"
DICTD = "/usr/share/dictd"
PYDOC = "/usr/share/doc/python3-dev/html/library"
MAN1 = "/usr/share/man/man1"
MAN_NAMES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test", "fixtures", "quality-hard", "man1-names.jsonl")
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(s):
    n = 0
    for c in s:
        n = n * 64 + B64.index(c)
    return n


def read_dictd(name):
    """headword (lower case) -> entry text, first entry wins."""
    data = gzip.open(os.path.join(DICTD, name + ".dict.dz")).read()
    out = {}
    with open(os.path.join(DICTD, name + ".index"), encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 3 or p[0].startswith("00-"):
                continue
            key = p[0].lower()
            if key not in out:
                o, n = _b64(p[1]), _b64(p[2])
                out[key] = data[o : o + n].decode("utf-8", "replace")
    return out


def clean(text):
    text = re.sub(r"\{([^}]*)\}", r"\1", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    text = re.sub(r"<[^>]*>", "", text)
    return re.sub(r"\s+", " ", text).strip()


def first_sentence(text, max_words=40):
    m = re.match(r"(.+?[.;])(\s|$)", text)
    s = (m.group(1) if m else text).rstrip(";.").strip()
    words = s.split()
    return " ".join(words[:max_words]) if len(words) >= 3 else ""


def gcide_definition(entry):
    """The first numbered (or only) definition of a GCIDE entry, without etymology and notes."""
    entry = re.sub(r"\[[^\]]*\]", "", entry)
    body = entry.split("\n", 1)[1] if "\n" in entry else ""
    body = re.split(r"\n\s*Note:|\n\s*Syn\.|\n\s*\[1913", body)[0]
    m = re.search(r"(?:^|\n)\s*1\.\s+(.*?)(?:\n\s*2\.|\Z)", body, re.S)
    text = m.group(1) if m else body
    text = re.sub(r"^\s*\([^)]*\)\s*", "", clean(text))
    return first_sentence(text)


def foldoc_definition(entry, sentences=1):
    body = entry.split("\n", 1)[1] if "\n" in entry else ""
    paras = [x for x in body.split("\n\n") if x.strip()]
    text = clean(paras[0] if paras else "")
    text = re.sub(r"^\s*/[^/]*/\s*", "", text)
    text = re.sub(r"\([^)]*\)", "", text)
    text = re.sub(r"\s+", " ", text)
    if sentences == 1:
        return first_sentence(text)
    # The first few sentences: the long, explanatory form of an honest answer.
    parts = re.findall(r"[^.!?]+[.!?]", text)
    out = " ".join(x.strip() for x in parts[:sentences])
    return out if len(out.split()) <= 90 else ""


def jargon_definition(entry):
    body = entry.split("\n", 1)[1] if "\n" in entry else ""
    m = re.search(r"1\.\s+(.*?)(?:\n\s*2\.|\Z)", body, re.S)
    text = clean(m.group(1) if m else body)
    text = re.sub(r"^/[^/]*/\s*", "", text)
    text = re.sub(r"^(n|v|adj|vt|vi|adv)\.\s*", "", text)
    text = re.sub(r"\[[^\]]*\]\s*", "", text)
    return first_sentence(text)


def read_wordnet():
    """synsets: offset -> {pos, words, ptrs[(sym, offset)], gloss, examples}; sense: (lemma, pos) -> [(offset, tagcount)]."""
    synsets = {}
    for pos, fname in (("n", "data.noun"), ("v", "data.verb"), ("a", "data.adj")):
        with open(os.path.join(WN, fname), encoding="latin-1") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                head, _, gloss = line.partition(" | ")
                t = head.split()
                off, wcnt = t[0], int(t[3], 16)
                words = [t[4 + 2 * i] for i in range(wcnt)]
                k = 4 + 2 * wcnt
                pcnt = int(t[k])
                ptrs = [
                    (t[k + 1 + 4 * i], t[k + 3 + 4 * i].replace("s", "a") + t[k + 2 + 4 * i]) for i in range(pcnt)
                ]
                parts = gloss.strip().split('; "')
                examples = [p.strip().strip('"').strip() for p in parts[1:]]
                synsets[pos + off] = {
                    "pos": pos,
                    "words": [re.sub(r"\(.*\)$", "", w) for w in words],
                    "ptrs": ptrs,
                    "gloss": parts[0].strip().rstrip(";").strip(),
                    "examples": examples,
                    "lex": int(t[1]),
                }
    sense = {}
    for pos, fname in (("n", "index.noun"), ("v", "index.verb"), ("a", "index.adj")):
        with open(os.path.join(WN, fname), encoding="latin-1") as f:
            for line in f:
                if line.startswith(" "):
                    continue
                t = line.split()
                n = int(t[2])
                tag = int(t[5 + int(t[3])])
                offs = t[-n:]
                sense[(t[0], pos)] = (tag, [pos + o for o in offs])
    return synsets, sense


def read_elements():
    entries = read_dictd("elements")
    out = []
    for name in sorted(entries):
        e = entries[name]
        sym = re.search(r"Symbol:\s*(\S+)", e)
        num = re.search(r"Atomic number:\s*(\d+)", e)
        if sym and num and name.isalpha():
            out.append({"name": name, "symbol": sym.group(1), "number": int(num.group(1))})
    return out


def read_pydoc():
    out = []
    for fname in sorted(os.listdir(PYDOC)):
        if not fname.endswith(".html"):
            continue
        with open(os.path.join(PYDOC, fname), encoding="utf-8", errors="replace") as f:
            t = f.read()
        for m in re.finditer(
            r'<dt class="sig sig-object py" id="([A-Za-z_][\w.]*)">.*?</dt>\s*<dd>\s*<p>(.*?)</p>', t, re.S
        ):
            name, desc = m.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
            desc = first_sentence(re.sub(r"\s+", " ", desc).strip())
            if re.match(r"^(Return|Create|Convert|Remove|Write|Read|Open|Compute|Add|Test)s? ", desc):
                out.append({"name": name, "module": name.rsplit(".", 1)[0] if "." in name else "builtins", "desc": desc})
    return out


def scan_man():
    """The usable NAME lines of the section-1 man pages installed here, sorted by command, each with the
    Debian package (and version) that ships the page: what `build-quality-data.py --refresh-man` pins."""
    out = []
    for fname in sorted(os.listdir(MAN1)):
        if not fname.endswith(".1.gz"):
            continue
        try:
            t = gzip.open(os.path.join(MAN1, fname)).read().decode("utf-8", "replace")
        except OSError:
            continue
        m = re.search(r'\.SH "?NAME"?\s*\n(.*?)\n\.(SH|PP|SS)', t, re.S)
        if not m:
            continue
        line = re.sub(r"\\f[BIRP]|\\&", "", m.group(1)).replace("\\-", "-").replace("\n", " ")
        parts = re.split(r"\s+-+\s+", line, maxsplit=1)
        cmd = fname[:-5]
        if len(parts) == 2 and re.fullmatch(r"[a-z][a-z0-9-]{1,20}", cmd) and "\\" not in parts[1]:
            desc = parts[1].strip().rstrip(".")
            if 3 <= len(desc.split()) <= 14 and desc[0].islower():
                out.append({"cmd": cmd, "desc": desc})
    # A page may be a link (alternatives) to the file its package owns.
    paths = [os.path.realpath(os.path.join(MAN1, m["cmd"] + ".1.gz")) for m in out]
    owners = _dpkg_owners(paths)
    for m, path in zip(out, paths):
        pkg = owners.get(path, "")
        m["package"] = pkg
        m["version"] = _dpkg_version(pkg) if pkg else ""
    return out


def _dpkg_owners(paths):
    import subprocess

    r = subprocess.run(["dpkg", "-S", *paths], capture_output=True, text=True)
    owners = {}
    for line in r.stdout.splitlines():
        pkg, _, path = line.partition(": ")
        owners[path] = pkg.split(",")[0].split(":")[0]
    return owners


_versions = {}


def _dpkg_version(pkg):
    import subprocess

    if pkg not in _versions:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True)
        _versions[pkg] = r.stdout.strip()
    return _versions[pkg]


def read_man():
    """The pinned man-page NAME lines ({"cmd", "desc"}, sorted by command)."""
    import json

    with open(MAN_NAMES, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [{"cmd": r["cmd"], "desc": r["desc"]} for r in rows]


def read_python_faq():
    """(question, first paragraphs) pairs of the Python FAQ (python3-doc): real explanatory Q&A."""
    out = []
    base = os.path.join(os.path.dirname(PYDOC), "faq")
    for fname in sorted(os.listdir(base)):
        if not fname.endswith(".html") or fname == "index.html":
            continue
        with open(os.path.join(base, fname), encoding="utf-8", errors="replace") as f:
            t = f.read()
        parts = re.split(r"<h[23]><a class=\"toc-backref\"[^>]*>(.*?)</a>", t)
        for q, body in zip(parts[1::2], parts[2::2]):
            q = html.unescape(re.sub(r"<[^>]+>", "", q)).strip()
            if not q.endswith("?"):
                continue
            body = re.split(r"<h[23]", body)[0]
            paras = [html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", p))).strip() for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
            paras = [p for p in paras if len(p.split()) >= 8]
            if not paras:
                continue
            answer = paras[0]
            if len(answer.split()) < 30 and len(paras) > 1:
                answer += " " + paras[1]
            words = answer.split()
            out.append({"q": q, "a": " ".join(words[:110])})
    return out
