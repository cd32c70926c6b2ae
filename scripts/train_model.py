"""The judge network of scripts/train-quality.py: BERT encoder + pretrained pooler + a 2-logit head.

Written out here (not imported from a model library) so the forward pass is exactly the one
scripts/convert-minilm.py writes as ONNX: post-LayerNorm BERT layers with erf GELU, the pooler's
tanh(dense([CLS])), then `classifier` (2 x 384).
"""

import math

import torch
from torch import nn

KEEP = {6: [0, 1, 2, 3, 4, 5], 3: [0, 4, 5]}


class Judge(nn.Module):
    def __init__(self, w, layers, heads, frozen=0):
        super().__init__()
        self.keep = KEEP[layers]
        self.heads = heads
        self.p = nn.ParameterDict()
        names = ["embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
                 "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias", "pooler.dense.weight", "pooler.dense.bias"]
        for i in self.keep:
            pre = f"encoder.layer.{i}."
            names += [pre + s for s in (
                "attention.self.query.weight", "attention.self.query.bias", "attention.self.key.weight",
                "attention.self.key.bias", "attention.self.value.weight", "attention.self.value.bias",
                "attention.output.dense.weight", "attention.output.dense.bias", "attention.output.LayerNorm.weight",
                "attention.output.LayerNorm.bias", "intermediate.dense.weight", "intermediate.dense.bias",
                "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias")]
        # The embeddings and the first `frozen` kept layers keep their pretrained values: a 2-core CPU budget
        # buys about half the backward pass this way, and the general features of the lower layers stay.
        still = {f"encoder.layer.{i}." for i in self.keep[:frozen]} | {"embeddings."}
        for n in names:
            grad = not any(n.startswith(x) for x in still)
            self.p[n.replace(".", "__")] = nn.Parameter(w[n].clone().float(), requires_grad=grad)
        self.word = nn.Parameter(w["embeddings.word_embeddings.weight"].clone().float(), requires_grad=False)
        hidden = self.word.shape[1]
        g = torch.Generator().manual_seed(1234)
        self.p["classifier__weight"] = nn.Parameter(torch.randn(2, hidden, generator=g) * 0.02)
        self.p["classifier__bias"] = nn.Parameter(torch.zeros(2))

    def w(self, name):
        return self.p[name.replace(".", "__")]

    def lin(self, x, name):
        return x @ self.w(name + ".weight").t() + self.w(name + ".bias")

    def ln(self, x, name):
        return nn.functional.layer_norm(x, x.shape[-1:], self.w(name + ".weight"), self.w(name + ".bias"), eps=1e-12)

    def forward(self, ids, mask, types):
        b, s = ids.shape
        pos = torch.arange(s)
        x = self.word[ids] + self.w("embeddings.position_embeddings.weight")[pos][None] + self.w("embeddings.token_type_embeddings.weight")[types]
        x = self.ln(x, "embeddings.LayerNorm")
        add = (1.0 - mask[:, None, None, :].float()) * -10000.0
        hd = x.shape[-1] // self.heads
        for i in self.keep:
            pre = f"encoder.layer.{i}."

            def split(t):
                return t.view(b, s, self.heads, hd).transpose(1, 2)

            q = split(self.lin(x, pre + "attention.self.query"))
            k = split(self.lin(x, pre + "attention.self.key"))
            v = split(self.lin(x, pre + "attention.self.value"))
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + add, dim=-1)
            ctx = (att @ v).transpose(1, 2).reshape(b, s, -1)
            x = self.ln(self.lin(ctx, pre + "attention.output.dense") + x, pre + "attention.output.LayerNorm")
            h = nn.functional.gelu(self.lin(x, pre + "intermediate.dense"))
            x = self.ln(self.lin(h, pre + "output.dense") + x, pre + "output.LayerNorm")
        pooled = torch.tanh(self.lin(x[:, 0], "pooler.dense"))
        return self.lin(pooled, "classifier")

    def export(self):
        out = {k.replace("__", "."): v for k, v in self.p.items()}
        out["embeddings.word_embeddings.weight"] = self.word
        return out
