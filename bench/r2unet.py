"""R2U-Net (Alom, Hasan, Yakopcic, Taha & Asari, "Recurrent Residual Convolutional Neural Network based on U-Net
(R2U-Net) for Medical Image Segmentation", arXiv:1802.06955, 2018), written here from the paper: MONAI 1.6.1 has no
R2U-Net. Importing this module adds it to `gru_hybrids.segmentation.PEERS` as "R2UNet", so the bench trains it with the
same `fit_peer` as MONAI's networks (same tiles, augmentation, loss, epochs and validation rule, width matched).

Recurrent convolutional layer (RCL, the paper's Eq. 1-2, from Liang & Hu's RCNN), unfolded for t steps:

    O(0) = w_f * x + b,  O(k) = w_f * x + w_r * h(k-1) + b,  h(k) = ReLU(BN_k(O(k))),  k = 1..t

(the feed-forward term w_f * x is computed once; each step adds the recurrent convolution of the previous state).
Recurrent residual unit (RRCU, Eq. 3): x_{l+1} = x_l + RCL(RCL(x_l)), x_l first brought to the unit's width by a
1x1 convolution. The network is U-Net's: an RRCU per scale, 2x2 max-pooling down, up-convolution (2x upsampling and
a 3x3 convolution) with skip concatenation up, an RRCU after each concatenation, a 1x1 convolution to class scores.
The paper's setting t = 2 is the default.
"""
import torch
from torch import nn, Tensor
from gru_hybrids import segmentation

class RecurrentConv(nn.Module):
    "An RCL unfolded for `t` recurrent steps after the feed-forward one; a BatchNorm per step."
    def __init__(self, ch: int, t: int = 2):
        super().__init__()
        self.t, self.w_f = t, nn.Conv2d(ch, ch, 3, padding=1)
        self.w_r = nn.Conv2d(ch, ch, 3, padding=1, bias=False)
        self.bns = nn.ModuleList(nn.BatchNorm2d(ch) for _ in range(t + 1))

    def forward(self, x: Tensor) -> Tensor:           # [B x C x H x W] -> same
        ff = self.w_f(x)                              # w_f * x + b, once for all steps
        h = torch.relu(self.bns[0](ff))
        for k in range(1, self.t + 1): h = torch.relu(self.bns[k](ff + self.w_r(h)))
        return h

class RRCU(nn.Module):
    "Recurrent residual convolutional unit: x_l = 1x1 conv(x); x_l + RCL(RCL(x_l))."
    def __init__(self, in_ch: int, ch: int, t: int = 2):
        super().__init__()
        self.proj, self.rcls = nn.Conv2d(in_ch, ch, 1), nn.Sequential(RecurrentConv(ch, t), RecurrentConv(ch, t))

    def forward(self, x: Tensor) -> Tensor:           # [B x in_ch x H x W] -> [B x ch x H x W]
        x = self.proj(x)
        return x + self.rcls(x)

def up_conv(in_ch: int, out_ch: int) -> nn.Sequential:
    "U-Net's up-convolution: 2x nearest upsampling, 3x3 convolution, BatchNorm, ReLU."
    return nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(in_ch, out_ch, 3, padding=1), nn.BatchNorm2d(out_ch), nn.ReLU())

class R2UNet(nn.Module):
    "R2U-Net with `depth` scales of `width * 2**i` channels; input sides must be divisible by 2**(depth-1)."
    def __init__(self, n_classes: int, depth: int = 3, width: int = 8, t: int = 2, in_ch: int = 1):
        super().__init__()
        ch = [width * 2 ** i for i in range(depth)]
        self.down = nn.ModuleList(RRCU(c_in, c, t) for c_in, c in zip([in_ch] + ch[:-1], ch))
        self.ups = nn.ModuleList(up_conv(ch[i + 1], ch[i]) for i in reversed(range(depth - 1)))
        self.dec = nn.ModuleList(RRCU(2 * ch[i], ch[i], t) for i in reversed(range(depth - 1)))
        self.head, self.pool = nn.Conv2d(ch[0], n_classes, 1), nn.MaxPool2d(2)

    def forward(self, x: Tensor) -> Tensor:           # [B x 1 x H x W] -> [B x n_classes x H x W]
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else self.pool(x)); skips.append(x)
        x = skips.pop()
        for up, dec in zip(self.ups, self.dec): x = dec(torch.cat([skips.pop(), up(x)], 1))
        return self.head(x)

def r2unet(n_classes: int, depth: int, width: int) -> nn.Module:
    "The `PEERS` builder: R2U-Net with t = 2."
    return R2UNet(n_classes, depth, width, t=2)

segmentation.PEERS["R2UNet"] = r2unet

if __name__ == "__main__":   # shape check and the width the bench's matching picks for our parameter count
    net = segmentation.peer_network("R2UNet", 2, 3, 87612)
    print(net(torch.randn(2, 1, 64, 64)).shape, sum(p.numel() for p in net.parameters()), "parameters")
