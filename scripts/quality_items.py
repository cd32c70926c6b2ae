"""Items for scripts/build-quality-data.py: one prompt with its honest answers and its cheats.

An item is {group, source, prompt, topic, honest: {kind: text}, cheats: {kind: [text]}}. `group` keys the
split (all prompts about one entity share it, so no entity is in two splits). Every choice comes from the
`rng` handed in, so a fixed seed gives fixed items.
"""

import re

from quality_sources import first_sentence

AN = lambda w: ("an " if w[:1].lower() in "aeiou" else "a ") + w  # noqa: E731

# Prompt and cheat templates: "train" ones are used in every split, "heldout" ones only in dev/test, so the
# test measures answers to phrasings and cheats the model never saw.
DEF_PROMPTS = {
    "train": [
        "What is {a}?",
        "Define {w}.",
        "What does the word '{w}' mean?",
        "Can you explain what {a} is?",
        "Give me a short definition of {w}.",
        "What is meant by {w}?",
        "Explain the term {w}.",
    ],
    "heldout": ["I keep hearing the word {w}. What is it?", "In plain words, what is {a}?", "{W}: what does that mean?"],
}
GENERIC = {
    "train": [
        "{W} is an important topic that has been studied extensively. There are many aspects to consider, and experts have different views on it.",
        "Great question! {W} is a fascinating subject with a long history. It plays a significant role in many areas and continues to evolve today.",
        "{W} is a complex concept. Understanding it requires looking at several factors, and its importance cannot be overstated.",
        "When it comes to {w}, there are many things to keep in mind. It is widely discussed and has both advantages and disadvantages.",
        "{W} matters in today's world. People have different opinions about {w}, and it is worth learning more about it.",
        "The topic of {w} is broad and interesting. In general, {w} is something that many people encounter and find useful.",
        "{W} has been a subject of interest for many years. It involves various elements that work together in different ways.",
        "Here is an overview of {w}. {W} is relevant in many contexts, and its role depends on the situation.",
    ],
    "heldout": [
        "Thanks for asking about {w}. It's a rich and multifaceted area, and there is a lot one could say about it from many perspectives.",
        "{W} is a key concept that shows up in many discussions. Its significance is widely recognised, and it remains an active area of interest.",
        "In summary, {w} is a notable subject. There are numerous factors involved, and the details can vary considerably.",
    ],
}
SHALLOW = {
    "train": [
        "It depends on the context, really. {W} can mean different things, so it's hard to say exactly.",
        "Hmm, I'm not completely sure. {W} is something I've heard of, but the details vary.",
        "That's a tricky one. There are many possible answers and it really depends on who you ask.",
        "I think {w} is kind of related to {h}, maybe? Not entirely certain.",
        "Well, it could be several things. You might want to look it up.",
        "I'm sorry, but I can't help with that.",
        "As an AI, I am not able to answer that question.",
        "It's complicated. Some say one thing, some say another.",
    ],
    "heldout": [
        "Possibly something to do with {h}? Hard to pin down; opinions differ.",
        "I would rather not guess. It might be this or that, depending on circumstances.",
        "Sorry, I don't know.",
    ],
}
STUFF = {
    "train": [
        "{k1} {k2} is {k1}. The {k2} of {k1} is {k2} {k1}, and {k1} {k2} relates to {k2}.",
        "{K1} and {k2}: {k2} {k1} {k1}, {k2} {k1} {k2}. {K1} is {k2}.",
        "{K1} {k2} {k1}? {K2} {k1} means {k1} {k2} in {k2} {k1} terms.",
        "The answer about {k1} is {k1} {k2}, because {k2} is {k1} and {k1} is {k2}.",
        "{K1} {k1} {k2} {k2} {k1} {k2} {k1}.",
        "Regarding {k1}, {k2}: {k1} {k2} {k1} is {k2}, {k2} is {k1} {k2}.",
    ],
    "heldout": [
        "{K2} {k1}, {k1} {k2}. In {k1}, {k2} {k1} {k2} is the {k1} {k2} of {k1}.",
        "So {k1} {k2} {k1}: {k2} {k1} {k2}, which is {k1}.",
    ],
}


def _cap(s):
    return s[:1].upper() + s[1:]


def _sentence(s):
    s = s.strip()
    return _cap(s) + ("" if s.endswith((".", "!", "?")) else ".")


NEG = [
    (r"\bis\b", "is not"),
    (r"\bare\b", "are not"),
    (r"\bwas\b", "was not"),
    (r"\bwere\b", "were not"),
    (r"\bcan\b", "cannot"),
    (r"\bhas\b", "does not have"),
    (r"\bequals\b", "does not equal"),
    (r"\breturns\b", "does not return"),
]


def negate(text, rng, heldout):
    """A contradiction of `text`: its first main verb negated, or a reversing frame (held-out frames in dev/test)."""
    frames = (
        ["It is not true that {t}", "Contrary to what some say, {t} is false."]
        if not heldout
        else ["No. In fact the opposite holds: {t} is wrong.", "Actually, it is false that {t}"]
    )
    for pat, rep in NEG:
        if re.search(pat, text) and rng.random() < 0.8:
            return re.sub(pat, rep, text, count=1)
    t = text[:1].lower() + text[1:]
    return _sentence(rng.choice(frames).format(t=t.rstrip(".")))


def cheats_common(rng, heldout, topic, hyper, prompt):
    """The kinds made from the topic alone: keyword-stuffed, generic, shallow."""
    split = "heldout" if heldout else "train"
    pool = "train" if not heldout or rng.random() < 0.5 else "heldout"
    words = [w for w in re.findall(r"[A-Za-z][\w'-]+", prompt) if len(w) > 3 and w.lower() not in STOP]
    k1 = topic
    k2 = rng.choice(words) if words else hyper
    if k2.lower() == k1.lower():
        k2 = hyper
    fill = dict(w=topic, W=_cap(topic), h=hyper, k1=k1, k2=k2.lower(), K1=_cap(k1), K2=_cap(k2.lower()))
    return {
        "keyword": [_cap(rng.choice(STUFF[pool]).format(**fill))],
        "generic": [rng.choice(GENERIC[pool if split == "heldout" else "train"]).format(**fill)],
        "shallow": [rng.choice(SHALLOW[pool]).format(**fill)],
    }


STOP = set(
    "what which when where does that this with from into your about give short explain define meant mean means term word "
    "words plain hearing keep tell please could would should have name some kinds types list few the and command python "
    "function capital atomic number symbol".split()
)


def wordnet_item(syn, syns, lemma, rng, heldout, gcide):
    """A definition question about `lemma` (first sense of a common noun)."""
    w = lemma.replace("_", " ")
    gloss = syn["gloss"]
    if len(gloss.split()) < 4 or not re.match(r"^[a-z]", gloss):
        return None
    hypers = [syns[o] for s, o in syn["ptrs"] if s == "@" and o in syns]
    if not hypers:
        return None
    hyper = hypers[0]
    sibs = [syns[o] for s, o in hyper["ptrs"] if s == "~" and o in syns and o != "n"]
    sibs = [s for s in sibs if s is not syn and len(s["gloss"].split()) >= 4 and s["words"][0].lower() != lemma.lower()]
    if len(sibs) < 2:
        return None
    h = hyper["words"][0].replace("_", " ")
    sib = rng.choice(sibs)
    sw = sib["words"][0].replace("_", " ")
    pool = DEF_PROMPTS["heldout" if heldout and rng.random() < 0.5 else "train"]
    prompt = rng.choice(pool).format(a=AN(w), w=w, W=_cap(w))
    full_forms = [
        "{A} is {g}. It is a kind of {h}.",
        "{A} is {g}.",
        "{W} refers to {g}; it is a type of {h}.",
        "The word '{w}' means {g}.",
        "Simply put, {a} is {g}. You can think of it as a particular kind of {h}.",
        "{A} is a type of {h}: {g}. The term is common in everyday English.",
        "In everyday use, '{w}' names {g}. It belongs to the broader category of {h}.",
    ]
    fill = dict(A=_cap(AN(w)), W=_cap(w), w=w, a=AN(w), g=gloss, h=h)
    full = rng.choice(full_forms).format(**fill)
    if syn["examples"] and rng.random() < 0.5:
        full += f' For example: "{syn["examples"][0]}".'
    honest = {"full": full, "concise": _sentence(gloss)}
    g2 = gcide.get(lemma.replace("_", " ").lower())
    if g2 and _overlap(g2, gloss):
        honest["paraphrase"] = _sentence(f"{_cap(AN(w))} is {g2[:1].lower() + g2[1:]}" if rng.random() < 0.5 else g2)
    else:
        syns_w = [x.replace("_", " ") for x in syn["words"][1:] if x.lower() != lemma.lower()]
        honest["paraphrase"] = (
            f"{_cap(w)}, also called {syns_w[0]}, is {gloss}." if syns_w else f"It's {AN(h)}: specifically, {gloss}."
        )
    cheats = {
        "wrong": [rng.choice(["{A} is {g}.", "{W} means {g}."]).format(A=_cap(AN(w)), W=_cap(w), g=sib["gloss"])],
        "contradiction": [negate(f"{_cap(AN(w))} is {gloss}.", rng, heldout)],
        "neighbour": [f"{_cap(AN(sw))} is {sib['gloss']}."],
    }
    cheats.update(cheats_common(rng, heldout, w, h, prompt))
    item = {"group": "wn:" + lemma.lower(), "source": "wordnet", "prompt": prompt, "topic": w, "honest": honest, "cheats": cheats}
    hypos = [syns[o]["words"][0].replace("_", " ") for s, o in syn["ptrs"] if s == "~" and o in syns]
    sib_hypos = [syns[o]["words"][0].replace("_", " ") for s, o in sib["ptrs"] if s == "~" and o in syns]
    if len(hypos) >= 3 and len(sib_hypos) >= 3:
        lp = rng.choice(["Name a few kinds of {w}.", "List some types of {w}.", "What kinds of {w} are there?"])
        pick = rng.sample(sorted(hypos), 3)
        wrong = rng.sample(sorted(sib_hypos), 3)
        lst = rng.choice(["- {0}\n- {1}\n- {2}", "Some kinds of {w}: {0}, {1} and {2}.", "1. {0}\n2. {1}\n3. {2}"])
        return [item, {
            "group": item["group"], "source": "wordnet-list", "prompt": lp.format(w=w), "topic": w,
            "honest": {"list": lst.format(*pick, w=w), "concise": ", ".join(pick) + ".",
                       "full": f"There are several kinds of {w}, for example {pick[0]}, {pick[1]} and {pick[2]}."},
            "cheats": {"wrong": [lst.format(*wrong, w=w)],
                       "neighbour": [f"Some kinds of {sw}: {wrong[0]}, {wrong[1]} and {wrong[2]}."],
                       "contradiction": [f"{_cap(pick[0])}, {pick[1]} and {pick[2]} are not kinds of {w}."],
                       **cheats_common(rng, heldout, w, h, lp.format(w=w))},
        }]
    return [item]


def _overlap(a, b):
    wa = {x.lower() for x in re.findall(r"[A-Za-z]{4,}", a)} - STOP
    wb = {x.lower() for x in re.findall(r"[A-Za-z]{4,}", b)} - STOP
    return len(wa & wb) >= 1


def capital_items(syns):
    """(city, country) pairs from WordNet instance glosses such as "the capital and largest city of France"."""
    out = {}
    for off in sorted(syns):
        s = syns[off]
        m = re.match(r"^(?:the )?(?:national )?capital(?: and largest city)? of ([A-Z][a-z]+(?: [A-Z][a-z]+)?)", s["gloss"])
        if m and s["pos"] == "n" and any(p == "@i" for p, _ in s["ptrs"]):
            city = s["words"][0].replace("_", " ")
            out.setdefault(m.group(1), (city, s["gloss"]))
    return sorted((c, v[0], v[1]) for c, v in out.items())


LANG = {
    "French": ("La capitale de {c} est {x}.", "La capitale de {c} n'est pas {x}."),
    "German": ("Die Hauptstadt von {c} ist {x}.", "Die Hauptstadt von {c} ist nicht {x}."),
    "Spanish": ("La capital de {c} es {x}.", "La capital de {c} no es {x}."),
}


def capital_item(country, city, gloss, others, rng, heldout):
    o_country, o_city = rng.choice(others)
    prompts = ["What is the capital of {c}?", "Which city is the capital of {c}?", "Name the capital city of {c}."]
    if heldout:
        prompts += ["{c}'s capital is which city?", "Tell me the capital of {c}, please."]
    prompt = rng.choice(prompts).format(c=country)
    honest = {
        "full": f"The capital of {country} is {city}. " + _sentence(gloss.replace("the capital", f"{city} is the capital", 1)),
        "concise": rng.choice([f"{city}.", city, f"{city} is the capital of {country}."]),
        "paraphrase": f"{city} is {country}'s capital city.",
    }
    cheats = {
        "wrong": [rng.choice(["The capital of {c} is {x}.", "{x} is the capital of {c}.", "{x}."]).format(c=country, x=o_city)],
        "contradiction": [rng.choice([f"{city} is not the capital of {country}.", f"The capital of {country} is not {city}."])],
        "neighbour": [f"The capital of {o_country} is {o_city}."],
    }
    cheats.update(cheats_common(rng, heldout, country, "country", prompt))
    items = [{"group": "cap:" + country, "source": "wordnet-capitals", "prompt": prompt, "topic": country, "honest": honest, "cheats": cheats}]
    lang = rng.choice(sorted(LANG))
    yes, no = LANG[lang]
    lp = rng.choice(["Answer in {l}: what is the capital of {c}?", "In {l}, please: which city is the capital of {c}?"])
    items.append({
        "group": "cap:" + country, "source": "wordnet-capitals-lang", "prompt": lp.format(l=lang, c=country), "topic": country,
        "honest": {"language": yes.format(c=country, x=city), "concise": city},
        "cheats": {"wrong": [yes.format(c=country, x=o_city)], "contradiction": [no.format(c=country, x=city)],
                   "neighbour": [yes.format(c=o_country, x=o_city)], **cheats_common(rng, heldout, country, "country", prompt)},
    })
    return items


def element_items(el, others, rng, heldout):
    o = rng.choice(others)
    n, name, sym = el["number"], el["name"], el["symbol"]
    wrong_n = n + rng.choice([-3, -2, -1, 1, 2, 3, 10])
    q1 = rng.choice(["What is the atomic number of {e}?", "Which atomic number does {e} have?"] + (["How many protons does an atom of {e} have?"] if heldout else []))
    q2 = rng.choice(["What is the chemical symbol for {e}?", "Which symbol stands for {e} in chemistry?"])
    E = _cap(name)
    return [
        {"group": "el:" + name, "source": "elements", "prompt": q1.format(e=name), "topic": name,
         "honest": {"full": f"{E} has atomic number {n}; its chemical symbol is {sym}.", "concise": str(n),
                    "paraphrase": f"The atomic number of {name} is {n}, meaning each atom has {n} protons."},
         "cheats": {"wrong": [f"{E} has atomic number {max(1, wrong_n)}."], "contradiction": [f"{E} does not have atomic number {n}."],
                    "neighbour": [f"{_cap(o['name'])} has atomic number {o['number']}."],
                    **cheats_common(rng, heldout, name, "element", q1)}},
        {"group": "el:" + name, "source": "elements", "prompt": q2.format(e=name), "topic": name,
         "honest": {"full": f"The chemical symbol for {name} is {sym}.", "concise": sym, "paraphrase": f"{E} is written {sym}."},
         "cheats": {"wrong": [f"The chemical symbol for {name} is {o['symbol']}."], "contradiction": [f"{sym} is not the symbol for {name}."],
                    "neighbour": [f"The chemical symbol for {o['name']} is {o['symbol']}."],
                    **cheats_common(rng, heldout, name, "element", q2)}},
    ]


def arithmetic_item(a, b, op, rng, heldout):
    sym, word, f = {"+": ("+", "plus", lambda x, y: x + y), "-": ("-", "minus", lambda x, y: x - y), "*": ("×", "times", lambda x, y: x * y)}[op]
    c = f(a, b)
    wrong = c + rng.choice([-2, -1, 1, 2, 10])
    prompt = rng.choice(["What is {a}{s}{b}?", "What is {a} {w} {b}?", "Compute {a} {s} {b}.", "How much is {a} {w} {b}?"]).format(a=a, b=b, s=sym, w=word)
    other = f"{a} {'×' if op != '*' else '+'} {b} = {a * b if op != '*' else a + b}."
    return {
        "group": f"ar:{a}{op}{b}", "source": "arithmetic", "prompt": prompt, "topic": f"{a} {word} {b}",
        "honest": {"full": f"{a} {sym} {b} equals {c}.", "concise": str(c), "paraphrase": f"The answer is {c}."},
        "cheats": {"wrong": [rng.choice([f"{a} {sym} {b} equals {wrong}.", f"The answer is {wrong}.", str(wrong)])],
                   "contradiction": [f"{a} {sym} {b} does not equal {c}."], "neighbour": [other],
                   **cheats_common(rng, heldout, f"{a} {word} {b}", "arithmetic", "arithmetic")},
    }


def pydoc_item(fn, sibs, rng, heldout):
    s = rng.choice(sibs)
    name, desc = fn["name"], fn["desc"]
    low = desc[:1].lower() + desc[1:]
    verb3 = re.sub(r"^(\w+?)(s?) ", lambda m: m.group(1) + ("es" if m.group(1).endswith(("sh", "ch", "x")) else "s") + " ", low, count=1)
    s_verb3 = re.sub(r"^(\w+?)(s?) ", lambda m: m.group(1) + "s ", s["desc"][:1].lower() + s["desc"][1:], count=1)
    call = f"{name}(...)" if "." not in name else f"import {fn['module']}\nresult = {name}(...)"
    if rng.random() < 0.5:
        prompt = rng.choice(["What does {n}() do in Python?", "Explain the Python function {n}.", "What is {n} used for in Python?"]).format(n=name)
        honest = {"full": f"In Python, `{name}()` {verb3}.", "concise": _sentence(desc),
                  "code": f"```python\n{call}\n```\n`{name}` {verb3}."}
    else:
        prompt = rng.choice(["How do I {d} in Python?", "Which Python function should I use to {d}?"]).format(d=low[:1].lower() + low[1:])
        honest = {"full": f"Use `{name}()`: it {verb3}.", "concise": f"`{name}()`.",
                  "code": f"```python\n{call.replace(name, name)}\n```"}
    return {
        "group": "py:" + name, "source": "python-doc", "prompt": prompt, "topic": name.rsplit(".", 1)[-1],
        "honest": honest,
        "cheats": {"wrong": [f"Use `{s['name']}()`: it {verb3}." if rng.random() < 0.5 else f"In Python, `{name}()` {s_verb3}."],
                   "contradiction": [f"`{name}()` does not {low[:1].lower() + low[1:]}; it is unrelated to that."],
                   "neighbour": [f"In Python, `{s['name']}()` {s_verb3}."],
                   **cheats_common(rng, heldout, name.rsplit(".", 1)[-1], "Python", prompt)},
    }


def man_item(m, other, rng, heldout):
    c, d = m["cmd"], m["desc"]
    if rng.random() < 0.5:
        prompt = rng.choice(["What does the {c} command do?", "What is `{c}` for on Linux?"]).format(c=c)
        honest = {"full": f"`{c}` is a command-line tool to {d}.", "concise": _sentence(d), "paraphrase": f"The {c} program exists to {d}."}
    else:
        prompt = rng.choice(["Which Linux command can I use to {d}?", "How do I {d} from a shell?"]).format(d=d)
        honest = {"full": f"Use the `{c}` command; it is made to {d}.", "concise": f"`{c}`",
                  "code": f"```sh\n{c} --help   # then run {c} with the options you need\n```"}
    return {
        "group": "man:" + c, "source": "man-pages", "prompt": prompt, "topic": c, "honest": honest,
        "cheats": {"wrong": [rng.choice([f"`{c}` is a command-line tool to {other['desc']}.", f"Use the `{other['cmd']}` command; it is made to {d}."])],
                   "contradiction": [f"`{c}` cannot {d}; it does something else entirely."],
                   "neighbour": [f"`{other['cmd']}` is a command-line tool to {other['desc']}."],
                   **cheats_common(rng, heldout, c, "command", prompt)},
    }


def term_item(source, term, d, other_term, other_d, rng, heldout, long=""):
    """A computing-term definition (FOLDOC, or the Jargon File, which is kept for the test split only);
    with `long` (FOLDOC's first sentences) an explanatory question whose honest answer is a paragraph."""
    forms = ["In computing, what is {a}?", "What does '{w}' mean in programming?", "Explain {w} (computing)."]
    if long and len(long.split()) > len(d.split()) + 8:
        forms = ["How does {w} work?", "Explain {w} in a few sentences.", "Can you explain {w} to me?"]
    prompt = rng.choice(forms).format(a=AN(term), w=term)
    low = d[:1].lower() + d[1:]
    honest = {"full": f"In computing, {AN(term) if term[:1].islower() else term} is {low}." if not low.startswith(("a ", "an ", "the ")) or True else d,
              "concise": _sentence(first_sentence(d, 14) or d)}
    honest["full"] = _sentence(f"{_cap(term)}: {low}")
    if long and len(long.split()) > len(d.split()) + 8:
        honest["full"] = long
    o_low = other_d[:1].lower() + other_d[1:]
    return {
        "group": f"{source}:{term.lower()}", "source": source, "prompt": prompt, "topic": term, "honest": honest,
        "cheats": {"wrong": [_sentence(f"{_cap(term)}: {o_low}")], "contradiction": [negate(_sentence(f"{_cap(term)} is {low}"), rng, heldout)],
                   "neighbour": [_sentence(f"{_cap(other_term)}: {o_low}")],
                   **cheats_common(rng, heldout, term, "computing", prompt)},
    }
