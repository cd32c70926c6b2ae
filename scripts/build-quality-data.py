#!/usr/bin/env python3
"""Builds the PoQ quality data set (train/dev/test) from Debian text packages, seeded and reproducible.

Every prompt comes with honest answers (full, concise, paraphrase, code, list, language) and the six cheat
kinds of issue 11 (wrong, contradiction, keyword, generic, neighbour, shallow). Prompts are split BY GROUP
(all prompts about one word, entity, function or sum share a group), so no prompt and no entity is in two
splits; the Jargon File is a test-only source, and some prompt and cheat templates are dev/test-only
(quality_items.py, "heldout"), so the test split measures phrasings the model never trained on.

Needs: apt-get install wordnet dict-gcide dict-wn dict-foldoc dict-jargon dict-elements python3-doc
Usage (from the repository root):
  python3 scripts/build-quality-data.py           # writes test/fixtures/quality-hard/{dev,test}.jsonl and .cache/quality-data/train.jsonl
  python3 scripts/build-quality-data.py --check   # rebuilds dev/test (byte for byte) and the training rows (sha256 in the judge's manifest)
  python3 scripts/build-quality-data.py --recipe 1   # .cache/quality-data/train-r1.jsonl (stage 1 of the judge's training)
  python3 scripts/build-quality-data.py --recipe 2   # .cache/quality-data/train-r2.jsonl (stage 2)
  python3 scripts/build-quality-data.py --refresh-man   # re-pins test/fixtures/quality-hard/man1-names.jsonl from
                                                        # the man pages installed here (changes the data: retrain)
"""

import hashlib
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality_items as qi  # noqa: E402
import quality_sources as qs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures", "quality-hard")
TRAIN = os.path.join(ROOT, ".cache", "quality-data", "train.jsonl")
SEED = 20261203
# The current recipe (dev/test and the last training stage); --recipe 1 and 2 rebuild the earlier
# stages' training rows (scripts/train-quality.py STAGES). Recipe 3 adds the Python FAQ.
RECIPE = 3
# Largest number of prompts per source and split (train is what 30-45 CPU minutes can see once).
CAPS = {
    "train": {"python-faq": 200, "wordnet": 2600, "wordnet-list": 500, "python-doc": 500, "man-pages": 350, "foldoc": 500, "arithmetic": 400},
    "dev": {"wordnet": 40, "wordnet-list": 10, "python-doc": 15, "man-pages": 15, "foldoc": 15, "arithmetic": 15, "jargon": 15},
    "test": {"wordnet": 110, "wordnet-list": 25, "python-doc": 40, "man-pages": 35, "foldoc": 35, "arithmetic": 30, "jargon": 40},
}


def split_of(group):
    if group.startswith("jargon:"):
        h = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 3
        return "dev" if h == 0 else "test"
    h = int(hashlib.sha256(group.encode()).hexdigest()[:8], 16) % 100
    return "test" if h < 12 else "dev" if h < 18 else "train"


def rng_for(*key):
    return random.Random(hashlib.sha256(("%d|" % SEED + "|".join(map(str, key))).encode()).digest())


def build():
    syns, sense = qs.read_wordnet()
    gcide = {}
    gentries = qs.read_dictd("gcide")
    items = []
    # WordNet: common nouns (tagged in the sense index), first sense, one word or a short phrase.
    lemmas = sorted(k[0] for k, (tag, offs) in sense.items() if k[1] == "n" and tag >= 1 and len(offs) <= 3 and k[0].isascii())
    for lemma in lemmas:
        tag, offs = sense[(lemma, "n")]
        if len(offs) == 1 and lemma in gentries:
            gcide[lemma.replace("_", " ")] = qs.gcide_definition(gentries[lemma])
        g = "wn:" + lemma
        got = qi.wordnet_item(syns[offs[0]], syns, lemma, rng_for(g), split_of(g) != "train", {k: v for k, v in gcide.items() if v})
        items += got or []
    caps = qi.capital_items(syns)
    for country, city, gloss in caps:
        g = "cap:" + country
        others = [(c, x) for c, x, _ in caps if c != country]
        items += qi.capital_item(country, city, gloss, others, rng_for(g), split_of(g) != "train")
    els = qs.read_elements()
    for el in els:
        g = "el:" + el["name"]
        items += qi.element_items(el, [e for e in els if e is not el], rng_for(g), split_of(g) != "train")
    for a in range(0, 21):
        for b in range(0, 21):
            for op in "+-*":
                if op == "*" and (a > 12 or b > 12):
                    continue
                g = f"ar:{a}{op}{b}"
                items.append(qi.arithmetic_item(a, b, op, rng_for(g), split_of(g) != "train"))
    fns = qs.read_pydoc()
    bymod = {}
    for f in fns:
        bymod.setdefault(f["module"], []).append(f)
    for f in fns:
        sibs = [s for s in bymod[f["module"]] if s is not f] or [s for s in fns[:50] if s is not f]
        g = "py:" + f["name"]
        items.append(qi.pydoc_item(f, sibs, rng_for(g), split_of(g) != "train"))
    mans = qs.read_man()
    for i, m in enumerate(mans):
        g = "man:" + m["cmd"]
        items.append(qi.man_item(m, mans[(i + 1 + rng_for(g, "o").randrange(len(mans) - 1)) % len(mans)], rng_for(g), split_of(g) != "train"))
    for source, reader, defn in (("foldoc", "foldoc", qs.foldoc_definition), ("jargon", "jargon", qs.jargon_definition)):
        entries = qs.read_dictd(reader)
        terms = [(t, defn(entries[t])) for t in sorted(entries) if t.isascii() and 2 < len(t) < 25]
        terms = [(t, d) for t, d in terms if d and 6 <= len(d.split()) <= 35 and "see" not in d.lower()[:8]]
        for i, (t, d) in enumerate(terms):
            g = f"{source}:{t}"
            r = rng_for(g)
            ot, od = terms[(i + 1 + r.randrange(len(terms) - 1)) % len(terms)]
            long = qs.foldoc_definition(entries[t], 3) if source == "foldoc" and qi.RECIPE >= 2 else ""
            items.append(qi.term_item(source, t, d, ot, od, r, split_of(g) != "train", long))
    if qi.RECIPE >= 3:
        faqs = qs.read_python_faq()
        for i, f in enumerate(faqs):
            g = "faq:" + f["q"]
            r = rng_for(g)
            other = faqs[(i + 1 + r.randrange(len(faqs) - 1)) % len(faqs)]
            items.append(qi.faq_item(f, other, r, split_of(g) != "train"))
    splits = {"train": [], "dev": [], "test": []}
    for it in items:
        splits[split_of(it["group"])].append(it)
    out = {}
    # The same wording can come from two groups (two functions with one description): the held-out
    # splits keep it, train drops it.
    held = {it["prompt"] for n in ("dev", "test") for it in splits[n]}
    splits["train"] = [it for it in splits["train"] if it["prompt"] not in held]
    splits["dev"] = [it for it in splits["dev"] if it["prompt"] not in {x["prompt"] for x in splits["test"]}]
    for name, rows in splits.items():
        r = rng_for("select", name)
        r.shuffle(rows)
        count, kept = {}, []
        seen = set()
        for it in rows:
            src = it["source"]
            cap = CAPS[name].get(src, 10**9)
            if count.get(src, 0) >= cap or it["prompt"] in seen:
                continue
            seen.add(it["prompt"])
            count[src] = count.get(src, 0) + 1
            kept.append(it)
        kept.sort(key=lambda it: (it["source"], it["group"], it["prompt"]))
        out[name] = kept
    # A prompt in two splits would leak: assert there is none.
    for a in out:
        for b in out:
            if a < b:
                assert not {i["prompt"] for i in out[a]} & {i["prompt"] for i in out[b]}, (a, b)
    return out


def dump(rows):
    return "".join(json.dumps({"id": i, **it}, ensure_ascii=False, sort_keys=True) + "\n" for i, it in enumerate(rows))


def pinned_train(name):
    """The sha256 the judge's manifest records for a training file (its provenance inputs)."""
    with open(os.path.join(ROOT, "models", "poq-judge-minilm", "manifest.json"), encoding="utf-8") as f:
        inputs = json.load(f)["provenance"]["inputs"]
    return next((i["sha256"] for i in inputs if i["name"].startswith(name + " ")), "")


def refresh_man():
    rows = qs.scan_man()
    with open(qs.MAN_NAMES, "w", encoding="utf-8") as f:
        f.write("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))
    print(len(rows), "man-page NAME lines pinned in", os.path.relpath(qs.MAN_NAMES, ROOT))


def compare_installed_man():
    """How the pages installed here differ from the pinned table (information only: the data reads the table)."""
    if not os.path.isdir(qs.MAN1):
        return
    pinned = {(m["cmd"], m["desc"]) for m in qs.read_man()}
    here = {(m["cmd"], m["desc"]) for m in qs.scan_man()}
    if pinned != here:
        print(f"note: the man pages installed here give {len(here)} NAME lines, {len(pinned - here)} of the {len(pinned)} pinned ones missing"
              f" and {len(here - pinned)} others; the data uses the pinned table")


def main():
    if "--refresh-man" in sys.argv:
        refresh_man()
        return
    qi.RECIPE = RECIPE
    if "--recipe" in sys.argv:
        qi.RECIPE = int(sys.argv[sys.argv.index("--recipe") + 1])
    out = build()
    if qi.RECIPE < RECIPE:
        # Only an earlier stage's training rows; dev and test are the current recipe's.
        os.makedirs(os.path.dirname(TRAIN), exist_ok=True)
        with open(TRAIN.replace("train.jsonl", f"train-r{qi.RECIPE}.jsonl"), "w", encoding="utf-8") as f:
            f.write(dump(out["train"]))
        print(f"train (recipe {qi.RECIPE})", len(out["train"]), "prompts")
        return
    texts = {k: dump(v) for k, v in out.items()}
    if "--check" in sys.argv:
        compare_installed_man()
        bad = []
        for name in ("dev", "test"):
            with open(os.path.join(FIXTURES, name + ".jsonl"), encoding="utf-8") as f:
                if f.read() != texts[name]:
                    bad.append(name)
        # The training rows are not committed: their sha256 is pinned in the judge's manifest.
        for recipe in range(1, RECIPE + 1):
            qi.RECIPE = recipe
            train = texts["train"] if recipe == RECIPE else dump(build()["train"])
            name = "train.jsonl" if recipe == RECIPE else f"train-r{recipe}.jsonl"
            if hashlib.sha256(train.encode("utf-8")).hexdigest() != pinned_train(name):
                bad.append(name)
        print("check:", "FAILED " + ",".join(bad) if bad else "dev and test rebuilt byte for byte, train rows match the manifest's sha256")
        sys.exit(1 if bad else 0)
    os.makedirs(FIXTURES, exist_ok=True)
    os.makedirs(os.path.dirname(TRAIN), exist_ok=True)
    for name in ("dev", "test"):
        with open(os.path.join(FIXTURES, name + ".jsonl"), "w", encoding="utf-8") as f:
            f.write(texts[name])
    with open(TRAIN, "w", encoding="utf-8") as f:
        f.write(texts["train"])
    for name, rows in out.items():
        by = {}
        for it in rows:
            by[it["source"]] = by.get(it["source"], 0) + 1
        print(name, len(rows), "prompts", json.dumps(by, sort_keys=True))


if __name__ == "__main__":
    main()
