#!/usr/bin/env python3
"""Write a tiny GPT-2 in Hugging Face layout plus reference logits from an independent numpy forward.

Output (tests/fixtures/tiny-gpt2/):
  model.safetensors      F32, keys with the `transformer.` prefix, Conv1D weights stored in×out,
                         causal-mask buffers attn.bias (1,1,ctx,ctx) and attn.masked_bias (scalar),
                         and a tied lm_head.weight (as some exports carry it)
  model-f16.safetensors  the same weights in F16, keys without the prefix, no lm_head
  config.json            HF GPT2Config fields (n_inner set explicitly, not 4·d)
  reference.json         tokens, logits (F32 weights) and logits_f16 (weights rounded to F16), float64 forward

numpy only (no torch). Deterministic: rerunning gives identical files.
Usage: python3 scripts/make_gpt2_fixture.py [out_dir]
"""
import json
import os
import struct
import sys

import numpy as np

CONFIG = {
    "model_type": "gpt2",
    "n_layer": 2,
    "n_head": 2,
    "n_embd": 16,
    "n_inner": 40,
    "n_positions": 12,
    "vocab_size": 37,
    "layer_norm_epsilon": 1e-5,
    "activation_function": "gelu_new",
}
TOKENS = [3, 17, 0, 36, 5, 5, 21, 9]


def make_weights(rng):
    c = CONFIG
    d, m, ctx, vocab = c["n_embd"], c["n_inner"], c["n_positions"], c["vocab_size"]
    # Larger than GPT-2's 0.02 so that logits vary enough for a comparison to mean something.
    w = {"wte.weight": rng.normal(0, 0.3, (vocab, d)), "wpe.weight": rng.normal(0, 0.1, (ctx, d))}
    for i in range(c["n_layer"]):
        p = f"h.{i}."
        w[p + "ln_1.weight"] = 1 + rng.normal(0, 0.1, d)
        w[p + "ln_1.bias"] = rng.normal(0, 0.1, d)
        w[p + "attn.c_attn.weight"] = rng.normal(0, 0.3, (d, 3 * d))  # Conv1D: in × out
        w[p + "attn.c_attn.bias"] = rng.normal(0, 0.1, 3 * d)
        w[p + "attn.c_proj.weight"] = rng.normal(0, 0.2, (d, d))
        w[p + "attn.c_proj.bias"] = rng.normal(0, 0.1, d)
        w[p + "ln_2.weight"] = 1 + rng.normal(0, 0.1, d)
        w[p + "ln_2.bias"] = rng.normal(0, 0.1, d)
        w[p + "mlp.c_fc.weight"] = rng.normal(0, 0.3, (d, m))
        w[p + "mlp.c_fc.bias"] = rng.normal(0, 0.1, m)
        w[p + "mlp.c_proj.weight"] = rng.normal(0, 0.2, (m, d))
        w[p + "mlp.c_proj.bias"] = rng.normal(0, 0.1, d)
    w["ln_f.weight"] = 1 + rng.normal(0, 0.1, d)
    w["ln_f.bias"] = rng.normal(0, 0.1, d)
    return {k: v.astype(np.float32) for k, v in w.items()}


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def gelu_new(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def forward(w, tokens):
    """float64 GPT-2 forward straight from HF's Conv1D layout (x @ W + b): independent of the TS code."""
    c = CONFIG
    w = {k: v.astype(np.float64) for k, v in w.items()}
    T, d, nh = len(tokens), c["n_embd"], c["n_head"]
    hd, eps = d // nh, c["layer_norm_epsilon"]
    x = w["wte.weight"][tokens] + w["wpe.weight"][:T]
    mask = np.tril(np.ones((T, T), dtype=bool))
    for i in range(c["n_layer"]):
        p = f"h.{i}."
        h = layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps)
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = np.split(qkv, 3, axis=-1)
        q, k, v = (a.reshape(T, nh, hd).transpose(1, 0, 2) for a in (q, k, v))
        att = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
        att = np.where(mask, att, -np.inf)
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        y = (att @ v).transpose(1, 0, 2).reshape(T, d)
        x = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h = layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps)
        h = gelu_new(h @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"])
        x = x + h @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
    x = layer_norm(x, w["ln_f.weight"], w["ln_f.bias"], eps)
    return x @ w["wte.weight"].T


def write_safetensors(path, tensors):
    """Minimal writer: header JSON padded with spaces to 8 bytes, tensors packed in order."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        dtype = {np.float32: "F32", np.float16: "F16"}[arr.dtype.type]
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    default = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "tiny-gpt2")
    out = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else default)
    os.makedirs(out, exist_ok=True)
    w = make_weights(np.random.default_rng(20250101))
    ctx = CONFIG["n_positions"]

    f32 = {}
    for name, arr in w.items():
        f32["transformer." + name] = arr
        if name.endswith("attn.c_attn.bias"):  # HF's registered buffers sit next to the attention weights
            layer = name[: -len("c_attn.bias")]
            f32["transformer." + layer + "bias"] = np.tril(np.ones((ctx, ctx), np.float32)).reshape(1, 1, ctx, ctx)
            f32["transformer." + layer + "masked_bias"] = np.array(-1e4, np.float32)
    f32["lm_head.weight"] = w["wte.weight"]
    write_safetensors(os.path.join(out, "model.safetensors"), f32)

    w16 = {k: v.astype(np.float16) for k, v in w.items()}
    write_safetensors(os.path.join(out, "model-f16.safetensors"), w16)

    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2)
    logits = forward(w, TOKENS)
    logits16 = forward({k: v.astype(np.float32) for k, v in w16.items()}, TOKENS)
    ref = {
        "tokens": TOKENS,
        "shape": list(logits.shape),
        "logits": [round(float(v), 7) for v in logits.ravel()],
        "logits_f16": [round(float(v), 7) for v in logits16.ravel()],
    }
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
    print("wrote", out, {n: os.path.getsize(os.path.join(out, n)) for n in sorted(os.listdir(out))})


if __name__ == "__main__":
    main()
