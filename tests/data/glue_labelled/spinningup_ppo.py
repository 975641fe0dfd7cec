# Real code for the glue classifier's labelled set (issue 13): spinningup (MIT),
# spinup/algos/pytorch/ppo/ppo.py lines 1-85 at 038665d62d56; labels by hand. Multi-line docstrings
# are cut to their first line and backslash continuations joined: one statement a line.
"""spinningup: spinup/algos/pytorch/ppo/ppo.py (labelled)."""  # other
import numpy as np  # other
import torch  # other
from torch.optim import Adam  # other
import gym  # other
import time  # other
import spinup.algos.pytorch.ppo.core as core  # other
from spinup.utils.logx import EpochLogger  # other
from spinup.utils.mpi_pytorch import setup_pytorch_for_mpi, sync_params, mpi_avg_grads  # other
from spinup.utils.mpi_tools import mpi_fork, mpi_avg, proc_id, mpi_statistics_scalar, num_procs  # other


class PPOBuffer:  # other
    """(docstring) [...]"""  # other

    def __init__(self, obs_dim, act_dim, size, gamma=0.99, lam=0.95):  # other
        self.obs_buf = np.zeros(core.combined_shape(size, obs_dim), dtype=np.float32)  # algorithm
        self.act_buf = np.zeros(core.combined_shape(size, act_dim), dtype=np.float32)  # algorithm
        self.adv_buf = np.zeros(size, dtype=np.float32)  # algorithm
        self.rew_buf = np.zeros(size, dtype=np.float32)  # algorithm
        self.ret_buf = np.zeros(size, dtype=np.float32)  # algorithm
        self.val_buf = np.zeros(size, dtype=np.float32)  # algorithm
        self.logp_buf = np.zeros(size, dtype=np.float32)  # algorithm
        self.gamma, self.lam = gamma, lam  # other
        self.ptr, self.path_start_idx, self.max_size = 0, 0, size  # other

    def store(self, obs, act, rew, val, logp):  # other
        """(docstring) [...]"""  # other
        assert self.ptr < self.max_size     # buffer has to have room so you can store  # other
        self.obs_buf[self.ptr] = obs  # algorithm
        self.act_buf[self.ptr] = act  # algorithm
        self.rew_buf[self.ptr] = rew  # algorithm
        self.val_buf[self.ptr] = val  # algorithm
        self.logp_buf[self.ptr] = logp  # algorithm
        self.ptr += 1  # other

    def finish_path(self, last_val=0):  # other
        """(docstring) [...]"""  # other

        path_slice = slice(self.path_start_idx, self.ptr)  # other
        rews = np.append(self.rew_buf[path_slice], last_val)  # algorithm
        vals = np.append(self.val_buf[path_slice], last_val)  # algorithm
        
        # the next two lines implement GAE-Lambda advantage calculation
        deltas = rews[:-1] + self.gamma * vals[1:] - vals[:-1]  # algorithm
        self.adv_buf[path_slice] = core.discount_cumsum(deltas, self.gamma * self.lam)  # algorithm
        
        # the next line computes rewards-to-go, to be targets for the value function
        self.ret_buf[path_slice] = core.discount_cumsum(rews, self.gamma)[:-1]  # algorithm
        
        self.path_start_idx = self.ptr  # other

    def get(self):  # other
        """(docstring) [...]"""  # other
        assert self.ptr == self.max_size    # buffer has to be full before you can get  # other
        self.ptr, self.path_start_idx = 0, 0  # other
        # the next two lines implement the advantage normalization trick
        adv_mean, adv_std = mpi_statistics_scalar(self.adv_buf)  # algorithm
        self.adv_buf = (self.adv_buf - adv_mean) / adv_std  # algorithm
        data = dict(obs=self.obs_buf, act=self.act_buf, ret=self.ret_buf,  # glue
                    adv=self.adv_buf, logp=self.logp_buf)
        return {k: torch.as_tensor(v, dtype=torch.float32) for k,v in data.items()}  # glue

