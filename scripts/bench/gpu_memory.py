#!/usr/bin/env python3
"""Peak GPU memory of one training step (forward + backward + Adam), to judge the cost model's
training factor (engine/search/memory.ts, engine/data/plan-network.ts). See docs/measurements/gpu-memory.md.

  python3 scripts/bench/gpu_memory.py --ref .gpucheck/torch_unet_reference.py \
      [--baseline .gpucheck/hippocampus-baseline.json] [--sides 32 64 96 128] [--device cuda]

--ref: a copy of ../shared/bench/torch_unet_reference.py (the benchmark reference U-Net).
--baseline: {"genome": <plans.json network.genome>, "patch_ijk": [i, j, k], "channels": c, "classes": k};
  the genome is built in PyTorch as engine/network/decode.ts builds it (conv3 cells only).

For each network, patch and cudnn.benchmark setting (True, False): warm-up steps, then `--steps`
steps after torch.cuda.reset_peak_memory_stats(); prints one JSON line with the peak of
torch.cuda.max_memory_allocated() (tensors) and max_memory_reserved() (the caching allocator's
segments), the memory at rest (weights, Adam moments, input and targets), the memory the forward
pass keeps for the backward pass, the median step time and the parameter count. Batch 2, float32.
"""
import argparse, gc, importlib.util, json, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as Fn

MIB = 2 ** 20


def load_reference(path):
    spec = importlib.util.spec_from_file_location('torch_unet_reference', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ConvBlock(nn.Sequential):
    """conv (no bias) -> instance norm (affine) -> LeakyReLU, as decode.ts convBlock."""

    def __init__(self, cin, cout, kernel, stride, eps, alpha):
        super().__init__(
            nn.Conv3d(cin, cout, kernel, stride=stride, padding=(kernel // 2 if stride == 1 else 0), bias=False),
            nn.InstanceNorm3d(cout, affine=True, eps=eps), nn.LeakyReLU(alpha))


class GenomeUNet(nn.Module):
    """The U-Net of engine/network/decode.ts for genomes of conv3 cells: per level > 0 a down step
    (max-pool, or a 2x2x2 stride-2 conv block keeping the previous width), the encoder cells; up by a
    2x2x2 stride-2 transposed conv (no bias), the skip joined (concat [up, skip] or add), the decoder
    cells; a 1x1x1 head with bias on decoder level 0 and on levels 1..deepSupervision."""

    def __init__(self, genome, in_channels, classes):
        super().__init__()
        w, eps, alpha = genome['widths'], genome['normEpsilon'], genome['leakyReluAlpha']
        for cells in genome['encoder'] + genome['decoder']:
            if any(cell != 'conv3' for cell in cells):
                raise ValueError(f'only conv3 cells are mirrored here, got {cells}')
        if genome['up'] != 'transposed-conv' or genome['skip'] not in ('concat', 'add') or genome['down'] not in ('max-pool', 'strided-conv'):
            raise ValueError('only transposed-conv up, concat/add skips and max-pool/strided-conv down are mirrored here')
        self.levels, self.skip, self.down_kind = len(w), genome['skip'], genome['down']

        def cells(count, cin, cout):
            layers = []
            for _ in range(count):
                layers.append(ConvBlock(cin, cout, 3, 1, eps, alpha))
                cin = cout
            return nn.Sequential(*layers) if layers else nn.Identity()

        self.down = nn.ModuleList([nn.Identity()] + [
            ConvBlock(w[l - 1], w[l - 1], 2, 2, eps, alpha) if self.down_kind == 'strided-conv' else nn.MaxPool3d(2)
            for l in range(1, self.levels)])
        self.enc = nn.ModuleList()
        cin = in_channels
        for level in range(self.levels):
            self.enc.append(cells(len(genome['encoder'][level]), cin, w[level]))
            cin = w[level]
        self.up, self.dec = nn.ModuleList(), nn.ModuleList()
        for level in range(self.levels - 2, -1, -1):
            self.up.append(nn.ConvTranspose3d(cin, w[level], 2, stride=2, bias=False))
            joined = 2 * w[level] if self.skip == 'concat' else w[level]
            self.dec.append(cells(len(genome['decoder'][level]), joined, w[level]))
            cin = w[level]
        self.head_levels = [0] + list(range(1, genome['deepSupervision'] + 1))
        self.heads = nn.ModuleList([nn.Conv3d(w[level], classes, 1, bias=True) for level in self.head_levels])

    def forward(self, x):
        skips = []
        for level in range(self.levels):
            x = self.enc[level](self.down[level](x))
            skips.append(x)
        decoded = {}
        for index, level in enumerate(range(self.levels - 2, -1, -1)):
            up = self.up[index](x)
            x = self.dec[index](torch.cat([up, skips[level]], 1) if self.skip == 'concat' else up + skips[level])
            decoded[level] = x
        return [head(decoded[level]) for head, level in zip(self.heads, self.head_levels)]


def dice_ce_loss(logits, onehot):
    """Soft Dice (smooth 1e-5, mean over batch and classes) + cross-entropy, as the reference and backend/loss.ts."""
    p = torch.softmax(logits, 1)
    inter = (p * onehot).sum((2, 3, 4))
    denom = p.sum((2, 3, 4)) + onehot.sum((2, 3, 4))
    dice = 1 - ((2 * inter + 1e-5) / (denom + 1e-5)).mean()
    ce = -(onehot * torch.log_softmax(logits, 1)).sum(1).mean()
    return dice + ce


def supervised_loss(outputs, targets):
    """nnU-Net deep-supervision weights 1, 1/2, 1/4 ... normalized (engine/train/train-step.ts)."""
    raw = [1 / 2 ** i for i in range(len(outputs))]
    return sum(dice_ce_loss(o, t) * (r / sum(raw)) for o, t, r in zip(outputs, targets, raw))


def measure(name, make_net, in_channels, classes, patch, batch, steps, warmup, cudnn_benchmark, device):
    cuda = device.type == 'cuda'
    torch.backends.cudnn.benchmark = cudnn_benchmark
    torch.manual_seed(0)
    row = {'network': name, 'patch': 'x'.join(map(str, patch)), 'batch': batch, 'cudnn_benchmark': cudnn_benchmark}
    net = opt = x = targets = None
    try:
        net = make_net().to(device)
        row['params'] = sum(p.numel() for p in net.parameters())
        opt = torch.optim.Adam(net.parameters(), 1e-3)
        x = torch.randn(batch, in_channels, *patch, device=device)
        label = torch.randint(0, classes, (batch, *patch), device=device)
        onehot = Fn.one_hot(label, classes).permute(0, 4, 1, 2, 3).float().contiguous()
        del label
        scales = getattr(net, 'head_levels', [0])
        targets = [onehot[:, :, ::2 ** s, ::2 ** s, ::2 ** s].contiguous() for s in scales]
        del onehot
        row['inputs_mib'] = round((x.numel() + sum(t.numel() for t in targets)) * 4 / MIB, 1)

        def sync():
            if cuda:
                torch.cuda.synchronize()

        def step(probe=False):
            opt.zero_grad(set_to_none=True)
            outputs = net(x)
            outputs = outputs if isinstance(outputs, list) else [outputs]
            loss = supervised_loss(outputs, targets)
            if probe and cuda:
                sync()
                row['kept_for_backward_mib'] = round((torch.cuda.memory_allocated() - rest) / MIB, 1)
            loss.backward()
            opt.step()
            return loss

        if cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        for _ in range(warmup):
            step()
        sync()
        if cuda:
            row['warmup_peak_alloc_mib'] = round(torch.cuda.max_memory_allocated() / MIB, 1)
            row['warmup_peak_reserved_mib'] = round(torch.cuda.max_memory_reserved() / MIB, 1)
        opt.zero_grad(set_to_none=True)
        sync()
        rest = torch.cuda.memory_allocated() if cuda else 0
        row['rest_mib'] = round(rest / MIB, 1)
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        times = []
        for index in range(steps):
            started = time.perf_counter()
            step(probe=index == steps - 1)
            sync()
            times.append((time.perf_counter() - started) * 1000)
        if cuda:
            row['peak_alloc_mib'] = round(torch.cuda.max_memory_allocated() / MIB, 1)
            row['peak_reserved_mib'] = round(torch.cuda.max_memory_reserved() / MIB, 1)
            row['peak_above_rest_mib'] = round((torch.cuda.max_memory_allocated() - rest) / MIB, 1)
        row['ms_median'] = round(statistics.median(times), 2)
    except RuntimeError as error:  # CUDA out of memory and the like: report, go on
        row['error'] = str(error).split('\n')[0][:300]
    finally:
        del net, opt, x, targets
        gc.collect()
        if cuda:
            torch.cuda.empty_cache()
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--ref', required=True, help='copy of shared/bench/torch_unet_reference.py')
    ap.add_argument('--baseline', help='JSON {genome, patch_ijk, channels, classes} from a plans.json')
    ap.add_argument('--sides', type=int, nargs='+', default=[32, 64, 96, 128])
    ap.add_argument('--batch', type=int, default=2)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--device', default='cuda')
    a = ap.parse_args()
    device = torch.device(a.device)
    info = {'torch': torch.__version__, 'device': a.device}
    if device.type == 'cuda':
        props = torch.cuda.get_device_properties(device)
        info.update(gpu=props.name, gpu_total_mib=round(props.total_memory / MIB), cudnn=torch.backends.cudnn.version(),
                    cuda=torch.version.cuda, allow_tf32_conv=torch.backends.cudnn.allow_tf32)
    print(json.dumps({'info': info}), flush=True)

    reference = load_reference(a.ref)
    jobs = [('reference', reference.ReferenceUNet, 1, reference.CLASSES, (s, s, s)) for s in a.sides]
    if a.baseline:
        with open(a.baseline) as f:
            base = json.load(f)
        make = lambda: GenomeUNet(base['genome'], base['channels'], base['classes'])
        plan_patch = tuple(reversed(base['patch_ijk']))  # plans.json (i, j, k) -> tensor order (D, H, W)
        jobs += [('hippocampus-baseline', make, base['channels'], base['classes'], p) for p in [plan_patch] + [(s, s, s) for s in a.sides]]
    for name, make_net, channels, classes, patch in jobs:
        for cudnn_benchmark in (True, False):
            print(json.dumps(measure(name, make_net, channels, classes, patch, a.batch, a.steps, a.warmup, cudnn_benchmark, device)), flush=True)


if __name__ == '__main__':
    sys.exit(main())
