#!/usr/bin/python3
"""Writes the PyTorch parity fixtures that PyTorchParityTest compares Kiln against.

For each model, builds the PyTorch module with a fixed seed, runs one batch forward and backward
in float64 (the float32 weights and inputs are exact in float64, so the reference carries no
float32 rounding of its own), and writes ONE safetensors file holding:

    <kiln name>          every parameter, named as the Kiln model names it (c1.weight, ...)
    input                the input batch, the Kiln model's input layout [B, ...]
    labels               class indices as floats [B] (cross-entropy) or targets [B, out]
    output               the model's output (logits) [B, out]
    loss                 the mean loss [1]
    grad.<kiln name>     d loss / d parameter, one per parameter

All tensors are little-endian F32. The safetensors format is written by hand (8-byte little-endian
header length, JSON header padded with spaces to a multiple of 8, raw data) because the
`safetensors` package is not installed.

Conventions (Kiln's, which are PyTorch's):
  SOFTMAX_CROSS_ENTROPY         F.cross_entropy, mean over the batch
  SIGMOID_BINARY_CROSS_ENTROPY  F.binary_cross_entropy_with_logits, mean over all B*out elements
  MEAN_SQUARED_ERROR            F.mse_loss, mean over all elements
  @Conv SAME 5x5 stride 1       padding=2 (LeNet's c1)

lenet and cnn64 are exactly torch_bench.py's (../shared/peers/torch_bench.py); their nn.Sequential
indices are mapped to Kiln's node names below. every_ce / every_bce / every_mse are the tests
module's EveryCe / EveryBce / EveryMse (flatten, dense relu, dense sigmoid, dense tanh without
bias, dense linear). series is the tests module's FloatSeries: float frames [B, T, 3] through
nn.LSTM, nn.GRU and nn.RNN (batch_first) and a per-step nn.Linear, T shorter than the declared
maximum; its labels are the per-step targets [B, T, 2]. bi_series and bi_classifier are the tests
module's BiSeries and BiClassifier: bidirectional nn.LSTM/nn.GRU/nn.RNN (parameters with PyTorch's
_reverse names), every step's output and the last states torch.cat([h_n[0], h_n[1]], -1), T = 5.

Regenerate (torch 1.13 is installed for Debian's interpreter, not the pyenv python3 on PATH):

    cd tests && /usr/bin/python3 parity/make_fixtures.py

which rewrites tests/src/test/resources/parity/*.safetensors. The output is deterministic for a
given torch version (fixed seeds, CPU, float64).
"""
import json
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'test', 'resources', 'parity')
BATCH = 4


def lenet():  # torch_bench.py's lenet, verbatim
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def cnn64():  # torch_bench.py's cnn64, verbatim
    return nn.Sequential(nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 14 * 14, 1))


def conv1d():  # tests/src/test/java/io/kiln/tests/models/Conv1dNet.java
    return nn.Sequential(nn.Conv1d(2, 4, 5, padding=2), nn.ReLU(), nn.MaxPool1d(2),
                         nn.Conv1d(4, 6, 3, stride=2, padding=1), nn.Tanh(), nn.AvgPool1d(3, stride=1),
                         nn.Conv1d(6, 5, 3), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(5, 3))


def per_axis():  # tests/src/test/java/io/kiln/tests/models/PerAxisConvNet.java
    return nn.Sequential(nn.Conv2d(2, 4, 3, stride=(1, 3), padding=(0, 1), dilation=2), nn.ReLU(),
                         nn.MaxPool2d((2, 1), stride=1),
                         nn.Conv2d(4, 3, 2, stride=(2, 1), padding=(1, 0), dilation=(1, 2)), nn.Tanh(),
                         nn.AvgPool2d((1, 2), stride=1), nn.Flatten(), nn.Linear(9, 3))


class BiSeries(nn.Module):  # tests/src/test/java/io/kiln/tests/models/BiSeries.java; attribute names are its node names
    def __init__(s):
        super().__init__(); s.lstm = nn.LSTM(3, 4, batch_first=True, bidirectional=True)
        s.gru = nn.GRU(8, 3, batch_first=True, bidirectional=True, bias=False); s.out = nn.Linear(6, 2)
    def forward(s, x): return s.out(s.gru(s.lstm(x)[0])[0])


class BiClassifier(nn.Module):  # tests/src/test/java/io/kiln/tests/models/BiClassifier.java
    def __init__(s):
        super().__init__(); s.rnn = nn.RNN(2, 3, batch_first=True, bidirectional=True)
        s.lstm = nn.LSTM(6, 4, batch_first=True, bidirectional=True); s.out = nn.Linear(8, 3)
    def forward(s, x):
        h_n = s.lstm(s.rnn(x)[0])[1][0]   # [2, B, 4]: the forward direction's last state, the reverse one's after step 0
        return s.out(torch.cat([h_n[0], h_n[1]], -1))


def every(outputs):  # tests/src/test/java/io/kiln/tests/models/Every{Ce,Bce,Mse}.java
    return nn.Sequential(nn.Flatten(), nn.Linear(6, 7), nn.ReLU(), nn.Linear(7, 5), nn.Sigmoid(),
                         nn.Linear(5, 6, bias=False), nn.Tanh(), nn.Linear(6, outputs))


def ce_labels(classes):
    return lambda g: torch.randint(0, classes, (BATCH,), generator=g)


def bce_targets(n):
    return lambda g: torch.randint(0, 2, (BATCH, n), generator=g).to(torch.float32)


def mse_targets(n):
    return lambda g: torch.randn(BATCH, n, generator=g)


def ce(out, y):
    return F.cross_entropy(out, y)


def bce(out, y):
    return F.binary_cross_entropy_with_logits(out, y)


def mse(out, y):
    return F.mse_loss(out, y)


# file name -> (Kiln model, module factory, {torch Sequential index: Kiln node}, input shape, labels, loss)
CASES = {
    'lenet': ('LeNet', lenet, {0: 'c1', 3: 'c2', 7: 'f1', 9: 'f2', 11: 'logits'}, (1, 28, 28), ce_labels(10), ce),
    'cnn64': ('Cnn64', cnn64, {0: 'c1', 3: 'c2', 7: 'logit'}, (3, 64, 64), bce_targets(1), bce),
    'every_ce': ('EveryCe', lambda: every(4), {1: 'relu', 3: 'sigmoid', 5: 'tanh', 7: 'out'}, (2, 3), ce_labels(4), ce),
    'every_bce': ('EveryBce', lambda: every(3), {1: 'relu', 3: 'sigmoid', 5: 'tanh', 7: 'out'}, (2, 3), bce_targets(3), bce),
    'every_mse': ('EveryMse', lambda: every(3), {1: 'relu', 3: 'sigmoid', 5: 'tanh', 7: 'out'}, (2, 3), mse_targets(3), mse),
}

# Cases added after the sequence ones, with seeds of their own so the earlier fixtures stay as they are.
LATER_CASES = {
    'conv1d': ('Conv1dNet', conv1d, {0: 'c1', 3: 'c2', 6: 'c3', 10: 'out'}, (2, 23), ce_labels(3), ce),
    'per_axis': ('PerAxisConvNet', per_axis, {0: 'c1', 3: 'c2', 7: 'out'}, (2, 9, 14), ce_labels(3), ce),
    # Modules whose attribute names are Kiln's node names (no index mapping); 5 steps, below both maxima.
    'bi_series': ('BiSeries', BiSeries, None, (5, 3), lambda g: torch.randn((BATCH, 5, 2), generator=g), mse),
    'bi_classifier': ('BiClassifier', BiClassifier, None, (5, 2), ce_labels(3), ce),
}
LATER_SEEDS = {'conv1d': 60, 'per_axis': 61, 'bi_series': 62, 'bi_classifier': 63}


def kiln_name(torch_name, nodes):
    if nodes is None:
        return torch_name
    index, _, kind = torch_name.partition('.')
    return nodes[int(index)] + '.' + kind


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, float32 tensor); written in order, tiling the data region."""
    header = {'__metadata__': metadata}
    blobs, offset = [], 0
    for name, t in tensors:
        data = t.detach().to(torch.float32).contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def make(file_name, seed):
    model_name, factory, nodes, in_shape, make_labels, loss_fn = {**CASES, **LATER_CASES}[file_name]
    torch.manual_seed(seed)
    module = factory()                                    # PyTorch's default init, float32
    g = torch.Generator().manual_seed(seed + 1000)
    x = torch.randn((BATCH,) + in_shape, generator=g)     # float32
    y = make_labels(g)
    weights = [(kiln_name(n, nodes), p.detach().clone()) for n, p in module.named_parameters()]

    module = module.double()                              # exact copy of the float32 weights
    out = module(x.double())
    loss = loss_fn(out, y if y.dtype == torch.int64 else y.double())
    loss.backward()

    tensors = list(weights)
    tensors.append(('input', x))
    tensors.append(('labels', y.to(torch.float32)))
    tensors.append(('output', out.detach()))
    tensors.append(('loss', loss.detach().reshape(1)))
    for n, p in module.named_parameters():
        tensors.append(('grad.' + kiln_name(n, nodes), p.grad))
    metadata = {'model': model_name, 'source': 'tests/parity/make_fixtures.py', 'torch': torch.__version__,
                'seed': str(seed), 'batch': str(BATCH)}
    path = os.path.join(OUT_DIR, file_name + '.safetensors')
    write_safetensors(path, tensors, metadata)
    print('%-10s %-9s loss %.6f  %7d bytes  %s' % (file_name, model_name, loss.item(), os.path.getsize(path), path))


def write_next_char_fixture(file_name, model_name, module, x, y, order, kiln_name, seed, batch, steps):
    """charlstm and gpt: the float32 weights (in `order`, under Kiln's names), then a float64
    forward pass, cross-entropy over the 96 characters and backward; input and labels hold the
    ids as floats, then output, loss and every gradient."""
    params = dict(module.named_parameters())
    weights = [(kiln_name(n), params[n].detach().clone()) for n in order]
    module = module.double()
    params = dict(module.named_parameters())
    out = module(x)
    loss = F.cross_entropy(out.reshape(-1, 96), y.reshape(-1))
    loss.backward()
    tensors = list(weights)
    tensors += [('input', x.to(torch.float32)), ('labels', y.reshape(-1).to(torch.float32)), ('output', out.detach()),
                ('loss', loss.detach().reshape(1))]
    tensors += [('grad.' + kiln_name(n), params[n].grad) for n in order]
    metadata = {'model': model_name, 'source': 'tests/parity/make_fixtures.py', 'torch': torch.__version__,
                'seed': str(seed), 'batch': str(batch), 'steps': str(steps)}
    path = os.path.join(OUT_DIR, file_name + '.safetensors')
    write_safetensors(path, tensors, metadata)
    print('%-10s %-9s loss %.6f  %7d bytes  %s' % (file_name, model_name, loss.item(), os.path.getsize(path), path))


class CharLstm(nn.Module):  # torch_bench.py's charlstm, verbatim; its attribute names are Kiln's node names
    def __init__(s, vocab=96, emb=64, hid=256):
        super().__init__(); s.e = nn.Embedding(vocab, emb); s.l = nn.LSTM(emb, hid, batch_first=True); s.o = nn.Linear(hid, vocab)
    def forward(s, x): return s.o(s.l(s.e(x))[0])


def make_charlstm(seed, batch=2, steps=6):
    """charlstm: token ids in, per-step logits out; input and labels hold the ids as floats."""
    torch.manual_seed(seed)
    module = CharLstm()
    g = torch.Generator().manual_seed(seed + 1000)
    x = torch.randint(0, 96, (batch, steps), generator=g)
    y = torch.randint(0, 96, (batch, steps), generator=g)
    write_next_char_fixture('charlstm', 'CharLstm', module, x, y, [n for n, _ in module.named_parameters()],
                            lambda n: n, seed, batch, steps)


class Seq2SeqAttn(nn.Module):
    """torch_bench.py's Seq2SeqAttn, verbatim but for keeping the attention weights α; one embedding e
    for source and target (Kiln's srcEmb, which tgtEmb shares)."""
    def __init__(s, vocab=32, emb=32, hid=128):
        super().__init__(); s.e = nn.Embedding(vocab, emb); s.enc = nn.LSTM(emb, hid, batch_first=True)
        s.dec = nn.LSTM(emb, hid, batch_first=True); s.o = nn.Linear(2 * hid, vocab)
    def forward(s, src, tgt):
        h, st = s.enc(s.e(src)); d, _ = s.dec(s.e(tgt), st)
        a = torch.softmax(d @ h.transpose(1, 2), -1)          # dot-product (Luong) attention
        s.alpha = a
        return s.o(torch.cat([d, a @ h], -1))


def seq2seq_kiln_name(torch_name):
    return 'srcEmb.weight' if torch_name == 'e.weight' else torch_name


def make_seq2seq(seed, batch=3, steps=6):
    """seq2seq: source and target ids in, per-step logits and attention weights out. Label 0 is
    padding, ignored by the loss (Kiln's @Loss(ignoreIndex = 0)); the last two positions of the
    first example are padding."""
    torch.manual_seed(seed)
    module = Seq2SeqAttn()
    g = torch.Generator().manual_seed(seed + 1000)
    src = torch.randint(0, 32, (batch, steps), generator=g)
    tgt = torch.randint(0, 32, (batch, steps), generator=g)
    y = torch.randint(1, 32, (batch, steps), generator=g)
    y[0, -2:] = 0
    weights = [(seq2seq_kiln_name(n), p.detach().clone()) for n, p in module.named_parameters()]
    module = module.double()
    out = module(src, tgt)
    loss = F.cross_entropy(out.reshape(-1, 32), y.reshape(-1), ignore_index=0)
    loss.backward()
    tensors = list(weights)
    tensors += [('source', src.to(torch.float32)), ('target', tgt.to(torch.float32)), ('labels', y.reshape(-1).to(torch.float32)),
                ('output', out.detach()), ('alpha', module.alpha.detach()), ('loss', loss.detach().reshape(1))]
    tensors += [('grad.' + seq2seq_kiln_name(n), p.grad) for n, p in module.named_parameters()]
    metadata = {'model': 'Seq2Seq', 'source': 'tests/parity/make_fixtures.py', 'torch': torch.__version__,
                'seed': str(seed), 'batch': str(batch), 'steps': str(steps), 'ignore_index': '0'}
    path = os.path.join(OUT_DIR, 'seq2seq.safetensors')
    write_safetensors(path, tensors, metadata)
    print('%-10s %-9s loss %.6f  %7d bytes  %s' % ('seq2seq', 'Seq2Seq', loss.item(), os.path.getsize(path), path))


class TinyGpt(nn.Module):  # torch_bench.py's TinyGpt, with the causal mask cut to the batch's length
    def __init__(s, vocab=96, d=128, heads=4, layers=2, ctx=64):
        super().__init__(); s.e = nn.Embedding(vocab, d); s.p = nn.Parameter(torch.zeros(ctx, d))
        s.b = nn.ModuleList([nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, batch_first=True, norm_first=True) for _ in range(layers)])
        s.n = nn.LayerNorm(d); s.o = nn.Linear(d, vocab); s.mask = torch.triu(torch.full((ctx, ctx), float('-inf')), 1)
    def forward(s, x):
        T = x.shape[1]
        h = s.e(x) + s.p[:T]
        for b in s.b: h = b(h, src_mask=s.mask[:T, :T].to(h.dtype))
        return s.o(s.n(h))


# Kiln's order of a block's parameters: its nodes in declaration order (TinyGpt.Layer)
GPT_BLOCK_ORDER = ['norm1.weight', 'norm1.bias', 'self_attn.in_proj_weight', 'self_attn.in_proj_bias',
                   'self_attn.out_proj.weight', 'self_attn.out_proj.bias', 'norm2.weight', 'norm2.bias',
                   'linear1.weight', 'linear1.bias', 'linear2.weight', 'linear2.bias']


def gpt_kiln_name(torch_name):
    return 'p.weight' if torch_name == 'p' else torch_name


def make_gpt(seed, batch=2, steps=8):
    """gpt: token ids in, per-step logits out. PyTorch initializes the position table, the layer
    norms and the attention biases to constants (0 or 1); they are drawn at random here so that
    every parameter shapes the output. The torch parameter p is Kiln's p.weight."""
    torch.manual_seed(seed)
    module = TinyGpt()
    with torch.no_grad():
        module.p.normal_(0, 0.1)
        for name, prm in module.named_parameters():
            if 'norm' in name or name.startswith('n.'):
                prm.copy_((1.0 if name.endswith('weight') else 0.0) + 0.1 * torch.randn_like(prm))
            elif name.endswith('in_proj_bias') or name.endswith('out_proj.bias'):
                prm.normal_(0, 0.1)
    g = torch.Generator().manual_seed(seed + 1000)
    x = torch.randint(0, 96, (batch, steps), generator=g)
    y = torch.randint(0, 96, (batch, steps), generator=g)
    params = dict(module.named_parameters())
    order = ['e.weight', 'p']
    for i in range(len(module.b)):
        order += ['b.%d.%s' % (i, n) for n in GPT_BLOCK_ORDER]
    order += ['n.weight', 'n.bias', 'o.weight', 'o.bias']
    assert sorted(order) == sorted(params), (sorted(order), sorted(params))
    write_next_char_fixture('gpt', 'TinyGpt', module, x, y, order, gpt_kiln_name, seed, batch, steps)

class FloatSeries(nn.Module):  # tests/src/test/java/io/kiln/tests/models/FloatSeries.java; attribute names are its node names
    def __init__(s):
        super().__init__(); s.lstm = nn.LSTM(3, 4, batch_first=True); s.gru = nn.GRU(4, 3, batch_first=True)
        s.rnn = nn.RNN(3, 5, batch_first=True); s.out = nn.Linear(5, 2)
    def forward(s, x): return s.out(s.rnn(s.gru(s.lstm(x)[0])[0])[0])


def make_series(seed, batch=3, steps=5):
    """series: float frames [B, T, 3] in (T = 5 of at most 6: a call shorter than the declared maximum),
    per-step regression targets [B, T, 2], F.mse_loss over every element."""
    torch.manual_seed(seed)
    module = FloatSeries()
    g = torch.Generator().manual_seed(seed + 1000)
    x = torch.randn((batch, steps, 3), generator=g)
    y = torch.randn((batch, steps, 2), generator=g)
    order = [n for n, _ in module.named_parameters()]
    weights = [(n, p.detach().clone()) for n, p in module.named_parameters()]
    module = module.double()
    out = module(x.double())
    loss = F.mse_loss(out, y.double())
    loss.backward()
    params = dict(module.named_parameters())
    tensors = weights + [('input', x), ('labels', y), ('output', out.detach()), ('loss', loss.detach().reshape(1))]
    tensors += [('grad.' + n, params[n].grad) for n in order]
    metadata = {'model': 'FloatSeries', 'source': 'tests/parity/make_fixtures.py', 'torch': torch.__version__,
                'seed': str(seed), 'batch': str(batch), 'steps': str(steps)}
    path = os.path.join(OUT_DIR, 'series.safetensors')
    write_safetensors(path, tensors, metadata)
    print('%-10s %-9s loss %.6f  %7d bytes  %s' % ('series', 'FloatSeries', loss.item(), os.path.getsize(path), path))


SEQUENCE_CASES = {'charlstm': make_charlstm, 'seq2seq': make_seq2seq, 'gpt': make_gpt, 'series': make_series}


if __name__ == '__main__':
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    for name in sys.argv[1:] or list(CASES) + list(SEQUENCE_CASES) + list(LATER_CASES):
        if name in LATER_CASES:
            make(name, seed=LATER_SEEDS[name])
        elif name in SEQUENCE_CASES:   # seeds 47, 48, 49, 50 after the five CASES
            SEQUENCE_CASES[name](seed=42 + len(CASES) + list(SEQUENCE_CASES).index(name))
        else:
            make(name, seed=42 + list(CASES).index(name))   # a fixed seed per model, whatever is regenerated
