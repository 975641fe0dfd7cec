# Real code for the glue classifier's labelled set (issue 13): moco (MIT),
# moco/builder.py lines 1-199 at 132aea9da9bb; labels by hand. Multi-line docstrings
# are cut to their first line and backslash continuations joined: one statement a line.
"""moco: moco/builder.py (labelled)."""  # other
# Copyright (c) Meta Platforms, Inc. and affiliates.

# pyre-unsafe

# This source code is licensed under the MIT license found in the
# LICENSE file in the root directory of this source tree.

import torch  # other
import torch.nn as nn  # other


class MoCo(nn.Module):  # other
    """(docstring) [...]"""  # other

    def __init__(  # other
        self,
        base_encoder,
        dim: int = 128,
        K: int = 65536,
        m: float = 0.999,
        T: float = 0.07,
        mlp: bool = False,
    ) -> None:
        """(docstring) [...]"""  # other
        super(MoCo, self).__init__()  # other

        self.K = K  # other
        self.m = m  # other
        self.T = T  # other

        # create the encoders
        # num_classes is the output fc dimension
        self.encoder_q = base_encoder(num_classes=dim)  # algorithm
        self.encoder_k = base_encoder(num_classes=dim)  # algorithm

        if mlp:  # hack: brute-force replacement  # other
            dim_mlp = self.encoder_q.fc.weight.shape[1]  # other
            self.encoder_q.fc = nn.Sequential(  # algorithm
                nn.Linear(dim_mlp, dim_mlp), nn.ReLU(), self.encoder_q.fc
            )
            self.encoder_k.fc = nn.Sequential(  # algorithm
                nn.Linear(dim_mlp, dim_mlp), nn.ReLU(), self.encoder_k.fc
            )

        for param_q, param_k in zip(  # other
            self.encoder_q.parameters(), self.encoder_k.parameters()
        ):
            param_k.data.copy_(param_q.data)  # initialize  # algorithm
            param_k.requires_grad = False  # not update by gradient  # other

        # create the queue
        self.register_buffer("queue", torch.randn(dim, K))  # algorithm
        self.queue = nn.functional.normalize(self.queue, dim=0)  # algorithm

        self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))  # algorithm

    @torch.no_grad()
    def _momentum_update_key_encoder(self) -> None:  # other
        """(docstring) [...]"""  # other
        for param_q, param_k in zip(  # other
            self.encoder_q.parameters(), self.encoder_k.parameters()
        ):
            param_k.data = param_k.data * self.m + param_q.data * (1.0 - self.m)  # algorithm

    @torch.no_grad()
    def _dequeue_and_enqueue(self, keys) -> None:  # other
        # gather keys before updating queue
        keys = concat_all_gather(keys)  # glue

        batch_size = keys.shape[0]  # other

        ptr = int(self.queue_ptr)  # glue
        assert self.K % batch_size == 0  # for simplicity  # other

        # replace the keys at ptr (dequeue and enqueue)
        self.queue[:, ptr : ptr + batch_size] = keys.T  # algorithm
        ptr = (ptr + batch_size) % self.K  # move pointer  # algorithm

        self.queue_ptr[0] = ptr  # algorithm

    @torch.no_grad()
    def _batch_shuffle_ddp(self, x):  # other
        """(docstring) [...]"""  # other
        # gather from all gpus
        batch_size_this = x.shape[0]  # other
        x_gather = concat_all_gather(x)  # glue
        batch_size_all = x_gather.shape[0]  # other

        num_gpus = batch_size_all // batch_size_this  # algorithm

        # random shuffle index
        idx_shuffle = torch.randperm(batch_size_all).cuda()  # algorithm

        # broadcast to all gpus
        torch.distributed.broadcast(idx_shuffle, src=0)  # glue

        # index for restoring
        idx_unshuffle = torch.argsort(idx_shuffle)  # algorithm

        # shuffled index for this gpu
        gpu_idx = torch.distributed.get_rank()  # glue
        idx_this = idx_shuffle.view(num_gpus, -1)[gpu_idx]  # algorithm

        return x_gather[idx_this], idx_unshuffle  # other

    @torch.no_grad()
    def _batch_unshuffle_ddp(self, x, idx_unshuffle):  # other
        """(docstring) [...]"""  # other
        # gather from all gpus
        batch_size_this = x.shape[0]  # other
        x_gather = concat_all_gather(x)  # glue
        batch_size_all = x_gather.shape[0]  # other

        num_gpus = batch_size_all // batch_size_this  # algorithm

        # restored index for this gpu
        gpu_idx = torch.distributed.get_rank()  # glue
        idx_this = idx_unshuffle.view(num_gpus, -1)[gpu_idx]  # algorithm

        return x_gather[idx_this]  # other

    def forward(self, im_q, im_k):  # other
        """(docstring) [...]"""  # other

        # compute query features
        q = self.encoder_q(im_q)  # queries: NxC  # algorithm
        q = nn.functional.normalize(q, dim=1)  # algorithm

        # compute key features
        with torch.no_grad():  # no gradient to keys  # other
            self._momentum_update_key_encoder()  # update the key encoder  # algorithm

            # shuffle for making use of BN
            im_k, idx_unshuffle = self._batch_shuffle_ddp(im_k)  # algorithm

            k = self.encoder_k(im_k)  # keys: NxC  # algorithm
            k = nn.functional.normalize(k, dim=1)  # algorithm

            # undo shuffle
            k = self._batch_unshuffle_ddp(k, idx_unshuffle)  # algorithm

        # compute logits
        # Einstein sum is more intuitive
        # positive logits: Nx1
        l_pos = torch.einsum("nc,nc->n", [q, k]).unsqueeze(-1)  # algorithm
        # negative logits: NxK
        l_neg = torch.einsum("nc,ck->nk", [q, self.queue.clone().detach()])  # algorithm

        # logits: Nx(1+K)
        logits = torch.cat([l_pos, l_neg], dim=1)  # algorithm

        # apply temperature
        logits /= self.T  # algorithm

        # labels: positive key indicators
        labels = torch.zeros(logits.shape[0], dtype=torch.long).cuda()  # algorithm

        # dequeue and enqueue
        self._dequeue_and_enqueue(k)  # algorithm

        return logits, labels  # other


# utils
@torch.no_grad()
def concat_all_gather(tensor):  # other
    """(docstring) [...]"""  # other
    tensors_gather = [  # algorithm
        torch.ones_like(tensor) for _ in range(torch.distributed.get_world_size())
    ]
    torch.distributed.all_gather(tensors_gather, tensor, async_op=False)  # glue

    output = torch.cat(tensors_gather, dim=0)  # algorithm
    return output  # other
