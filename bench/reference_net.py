"""Python PyTorch reference for `npm run bench:engine`: the same mini-UNet, same
batch, same optimiser, timed the same way (medians of >= 10 steps after 3 warm-ups).
Run with Debian's python3-torch: /usr/bin/python3 bench/reference_net.py [steps]"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ReferenceNet(nn.Module):
    def __init__(self):
        super().__init__()
        conv = lambda i, o, s=1: nn.Conv2d(i, o, 3, stride=s, padding=1)
        self.c1, self.c2 = conv(1, 32), conv(32, 32)
        self.d1, self.c3 = conv(32, 64, 2), conv(64, 64)
        self.d2, self.c4 = conv(64, 64, 2), conv(64, 64)
        self.u1, self.u2, self.out = conv(128, 64), conv(96, 32), conv(32, 1)

    def forward(self, x):
        h1 = F.silu(self.c1(x))
        h2 = F.silu(self.c2(h1))
        h3 = F.silu(self.c3(F.silu(self.d1(h2))))
        h4 = F.silu(self.c4(F.silu(self.d2(h3))))
        g1 = F.silu(self.u1(torch.cat([F.interpolate(h4, size=h3.shape[2:], mode="nearest"), h3], 1)))
        g2 = F.silu(self.u2(torch.cat([F.interpolate(g1, size=h2.shape[2:], mode="nearest"), h2], 1)))
        return self.out(g2)


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    torch.set_num_threads(2)
    torch.manual_seed(0)
    net = ReferenceNet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x, y = torch.randn(32, 1, 32, 32), torch.randn(32, 1, 32, 32)
    step_ms, fwd_ms = [], []
    for i in range(steps + 3):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(net(x), y)
        loss.backward()
        opt.step()
        loss.item()
        t1 = time.perf_counter()
        with torch.no_grad():
            net(x)
        t2 = time.perf_counter()
        if i >= 3:
            step_ms.append((t1 - t0) * 1e3)
            fwd_ms.append((t2 - t1) * 1e3)
    print(json.dumps({"step_ms": statistics.median(step_ms), "fwd_ms": statistics.median(fwd_ms), "backend": f"pytorch-{torch.__version__}"}))


if __name__ == "__main__":
    main()
