# Real code for the glue classifier's labelled set (issue 13, ninth unseen repositories), labelled
# blind: every label was written by reading, before mllint was run on this file. Sources, at the
# commits of bench/truth/manifest.tsv: pytorch_sac (MIT) agent/sac.py SACAgent.__init__, act,
# update_critic, update_actor_and_alpha, update, and replay_buffer.py ReplayBuffer.add, sample;
# nerf-pytorch (MIT) run_nerf.py render_path and raw2outputs; ALBEF (BSD-3-Clause) Retrieval.py
# itm_eval; jaxrl (MIT) jaxrl/evaluation.py evaluate; DeepSDF (MIT) deep_sdf/data.py
# unpack_sdf_samples. Multi-line docstrings (and one multi-line string statement) are cut to their
# first line; a method keeps its class's header line.
import os  # other
import time  # other
from typing import Dict  # other

import gym  # other
import hydra  # other
import imageio  # other
import numpy as np  # other
import torch  # other
import torch.nn as nn  # other
import torch.nn.functional as F  # other
from tqdm import tqdm  # other

import utils  # other
from agent import Agent  # other
from run_nerf_helpers import *  # other


# pytorch_sac/agent/sac.py
class SACAgent(Agent):  # other
    """SAC algorithm."""  # other
    def __init__(self, obs_dim, action_dim, action_range, device, critic_cfg,  # other
                 actor_cfg, discount, init_temperature, alpha_lr, alpha_betas,
                 actor_lr, actor_betas, actor_update_frequency, critic_lr,
                 critic_betas, critic_tau, critic_target_update_frequency,
                 batch_size, learnable_temperature):
        super().__init__()  # other

        self.action_range = action_range  # other
        self.device = torch.device(device)  # other
        self.discount = discount  # other
        self.critic_tau = critic_tau  # other
        self.actor_update_frequency = actor_update_frequency  # other
        self.critic_target_update_frequency = critic_target_update_frequency  # other
        self.batch_size = batch_size  # other
        self.learnable_temperature = learnable_temperature  # other

        self.critic = hydra.utils.instantiate(critic_cfg).to(self.device)  # algorithm
        self.critic_target = hydra.utils.instantiate(critic_cfg).to(  # algorithm
            self.device)
        self.critic_target.load_state_dict(self.critic.state_dict())  # algorithm

        self.actor = hydra.utils.instantiate(actor_cfg).to(self.device)  # algorithm

        self.log_alpha = torch.tensor(np.log(init_temperature)).to(self.device)  # algorithm
        self.log_alpha.requires_grad = True  # algorithm
        # set target entropy to -|A|
        self.target_entropy = -action_dim  # algorithm

        # optimizers
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(),  # algorithm
                                                lr=actor_lr,
                                                betas=actor_betas)

        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(),  # algorithm
                                                 lr=critic_lr,
                                                 betas=critic_betas)

        self.log_alpha_optimizer = torch.optim.Adam([self.log_alpha],  # algorithm
                                                    lr=alpha_lr,
                                                    betas=alpha_betas)

        self.train()  # other
        self.critic_target.train()  # other

    def act(self, obs, sample=False):  # other
        obs = torch.FloatTensor(obs).to(self.device)  # glue
        obs = obs.unsqueeze(0)  # algorithm
        dist = self.actor(obs)  # algorithm
        action = dist.sample() if sample else dist.mean  # algorithm
        action = action.clamp(*self.action_range)  # algorithm
        assert action.ndim == 2 and action.shape[0] == 1  # other
        return utils.to_np(action[0])  # glue

    def update_critic(self, obs, action, reward, next_obs, not_done, logger,  # other
                      step):
        dist = self.actor(next_obs)  # algorithm
        next_action = dist.rsample()  # algorithm
        log_prob = dist.log_prob(next_action).sum(-1, keepdim=True)  # algorithm
        target_Q1, target_Q2 = self.critic_target(next_obs, next_action)  # algorithm
        target_V = torch.min(target_Q1,  # algorithm
                             target_Q2) - self.alpha.detach() * log_prob
        target_Q = reward + (not_done * self.discount * target_V)  # algorithm
        target_Q = target_Q.detach()  # algorithm

        # get current Q estimates
        current_Q1, current_Q2 = self.critic(obs, action)  # algorithm
        critic_loss = F.mse_loss(current_Q1, target_Q) + F.mse_loss(  # algorithm
            current_Q2, target_Q)
        logger.log('train_critic/loss', critic_loss, step)  # glue

        # Optimize the critic
        self.critic_optimizer.zero_grad()  # algorithm
        critic_loss.backward()  # algorithm
        self.critic_optimizer.step()  # algorithm

        self.critic.log(logger, step)  # glue

    def update_actor_and_alpha(self, obs, logger, step):  # other
        dist = self.actor(obs)  # algorithm
        action = dist.rsample()  # algorithm
        log_prob = dist.log_prob(action).sum(-1, keepdim=True)  # algorithm
        actor_Q1, actor_Q2 = self.critic(obs, action)  # algorithm

        actor_Q = torch.min(actor_Q1, actor_Q2)  # algorithm
        actor_loss = (self.alpha.detach() * log_prob - actor_Q).mean()  # algorithm

        logger.log('train_actor/loss', actor_loss, step)  # glue
        logger.log('train_actor/target_entropy', self.target_entropy, step)  # glue
        logger.log('train_actor/entropy', -log_prob.mean(), step)  # glue

        # optimize the actor
        self.actor_optimizer.zero_grad()  # algorithm
        actor_loss.backward()  # algorithm
        self.actor_optimizer.step()  # algorithm

        self.actor.log(logger, step)  # glue

        if self.learnable_temperature:  # other
            self.log_alpha_optimizer.zero_grad()  # algorithm
            alpha_loss = (self.alpha *  # algorithm
                          (-log_prob - self.target_entropy).detach()).mean()
            logger.log('train_alpha/loss', alpha_loss, step)  # glue
            logger.log('train_alpha/value', self.alpha, step)  # glue
            alpha_loss.backward()  # algorithm
            self.log_alpha_optimizer.step()  # algorithm

    def update(self, replay_buffer, logger, step):  # other
        obs, action, reward, next_obs, not_done, not_done_no_max = replay_buffer.sample(  # algorithm
            self.batch_size)

        logger.log('train/batch_reward', reward.mean(), step)  # glue

        self.update_critic(obs, action, reward, next_obs, not_done_no_max,  # algorithm
                           logger, step)

        if step % self.actor_update_frequency == 0:  # other
            self.update_actor_and_alpha(obs, logger, step)  # algorithm

        if step % self.critic_target_update_frequency == 0:  # other
            utils.soft_update_params(self.critic, self.critic_target,  # algorithm
                                     self.critic_tau)


# pytorch_sac/replay_buffer.py
class ReplayBuffer(object):  # other
    """Buffer to store environment transitions."""  # other
    def add(self, obs, action, reward, next_obs, done, done_no_max):  # other
        np.copyto(self.obses[self.idx], obs)  # algorithm
        np.copyto(self.actions[self.idx], action)  # algorithm
        np.copyto(self.rewards[self.idx], reward)  # algorithm
        np.copyto(self.next_obses[self.idx], next_obs)  # algorithm
        np.copyto(self.not_dones[self.idx], not done)  # algorithm
        np.copyto(self.not_dones_no_max[self.idx], not done_no_max)  # algorithm

        self.idx = (self.idx + 1) % self.capacity  # other
        self.full = self.full or self.idx == 0  # other

    def sample(self, batch_size):  # other
        idxs = np.random.randint(0,  # algorithm
                                 self.capacity if self.full else self.idx,
                                 size=batch_size)

        obses = torch.as_tensor(self.obses[idxs], device=self.device).float()  # glue
        actions = torch.as_tensor(self.actions[idxs], device=self.device)  # glue
        rewards = torch.as_tensor(self.rewards[idxs], device=self.device)  # glue
        next_obses = torch.as_tensor(self.next_obses[idxs],  # glue
                                     device=self.device).float()
        not_dones = torch.as_tensor(self.not_dones[idxs], device=self.device)  # glue
        not_dones_no_max = torch.as_tensor(self.not_dones_no_max[idxs],  # glue
                                           device=self.device)

        return obses, actions, rewards, next_obses, not_dones, not_dones_no_max  # other


# nerf-pytorch/run_nerf.py
def render_path(render_poses, hwf, K, chunk, render_kwargs, gt_imgs=None, savedir=None, render_factor=0):  # other

    H, W, focal = hwf  # other

    if render_factor!=0:  # other
        # Render downsampled for speed
        H = H//render_factor  # algorithm
        W = W//render_factor  # algorithm
        focal = focal/render_factor  # algorithm

    rgbs = []  # other
    disps = []  # other

    t = time.time()  # glue
    for i, c2w in enumerate(tqdm(render_poses)):  # glue
        print(i, time.time() - t)  # glue
        t = time.time()  # glue
        rgb, disp, acc, _ = render(H, W, K, chunk=chunk, c2w=c2w[:3,:4], **render_kwargs)  # algorithm
        rgbs.append(rgb.cpu().numpy())  # glue
        disps.append(disp.cpu().numpy())  # glue
        if i==0:  # other
            print(rgb.shape, disp.shape)  # glue

        """if gt_imgs is not None and render_factor==0: [...]"""  # other

        if savedir is not None:  # other
            rgb8 = to8b(rgbs[-1])  # glue
            filename = os.path.join(savedir, '{:03d}.png'.format(i))  # glue
            imageio.imwrite(filename, rgb8)  # glue


    rgbs = np.stack(rgbs, 0)  # algorithm
    disps = np.stack(disps, 0)  # algorithm

    return rgbs, disps  # other


def raw2outputs(raw, z_vals, rays_d, raw_noise_std=0, white_bkgd=False, pytest=False):  # other
    """Transforms model's predictions to semantically meaningful values."""  # other
    raw2alpha = lambda raw, dists, act_fn=F.relu: 1.-torch.exp(-act_fn(raw)*dists)  # algorithm

    dists = z_vals[...,1:] - z_vals[...,:-1]  # algorithm
    dists = torch.cat([dists, torch.Tensor([1e10]).expand(dists[...,:1].shape)], -1)  # [N_rays, N_samples]  # algorithm

    dists = dists * torch.norm(rays_d[...,None,:], dim=-1)  # algorithm

    rgb = torch.sigmoid(raw[...,:3])  # [N_rays, N_samples, 3]  # algorithm
    noise = 0.  # other
    if raw_noise_std > 0.:  # other
        noise = torch.randn(raw[...,3].shape) * raw_noise_std  # algorithm

        # Overwrite randomly sampled data if pytest
        if pytest:  # other
            np.random.seed(0)  # glue
            noise = np.random.rand(*list(raw[...,3].shape)) * raw_noise_std  # algorithm
            noise = torch.Tensor(noise)  # glue

    alpha = raw2alpha(raw[...,3] + noise, dists)  # [N_rays, N_samples]  # algorithm
    # weights = alpha * tf.math.cumprod(1.-alpha + 1e-10, -1, exclusive=True)
    weights = alpha * torch.cumprod(torch.cat([torch.ones((alpha.shape[0], 1)), 1.-alpha + 1e-10], -1), -1)[:, :-1]  # algorithm
    rgb_map = torch.sum(weights[...,None] * rgb, -2)  # [N_rays, 3]  # algorithm

    depth_map = torch.sum(weights * z_vals, -1)  # algorithm
    disp_map = 1./torch.max(1e-10 * torch.ones_like(depth_map), depth_map / torch.sum(weights, -1))  # algorithm
    acc_map = torch.sum(weights, -1)  # algorithm

    if white_bkgd:  # other
        rgb_map = rgb_map + (1.-acc_map[...,None])  # algorithm

    return rgb_map, disp_map, acc_map, weights, depth_map  # other


# ALBEF/Retrieval.py
def itm_eval(scores_i2t, scores_t2i, txt2img, img2txt):  # other

    #Images->Text
    ranks = np.zeros(scores_i2t.shape[0])  # algorithm
    for index,score in enumerate(scores_i2t):  # other
        inds = np.argsort(score)[::-1]  # algorithm
        # Score
        rank = 1e20  # other
        for i in img2txt[index]:  # other
            tmp = np.where(inds == i)[0][0]  # algorithm
            if tmp < rank:  # other
                rank = tmp  # algorithm
        ranks[index] = rank  # algorithm

    # Compute metrics
    tr1 = 100.0 * len(np.where(ranks < 1)[0]) / len(ranks)  # algorithm
    tr5 = 100.0 * len(np.where(ranks < 5)[0]) / len(ranks)  # algorithm
    tr10 = 100.0 * len(np.where(ranks < 10)[0]) / len(ranks)  # algorithm

    #Text->Images
    ranks = np.zeros(scores_t2i.shape[0])  # algorithm

    for index,score in enumerate(scores_t2i):  # other
        inds = np.argsort(score)[::-1]  # algorithm
        ranks[index] = np.where(inds == txt2img[index])[0][0]  # algorithm

    # Compute metrics
    ir1 = 100.0 * len(np.where(ranks < 1)[0]) / len(ranks)  # algorithm
    ir5 = 100.0 * len(np.where(ranks < 5)[0]) / len(ranks)  # algorithm
    ir10 = 100.0 * len(np.where(ranks < 10)[0]) / len(ranks)  # algorithm

    tr_mean = (tr1 + tr5 + tr10) / 3  # algorithm
    ir_mean = (ir1 + ir5 + ir10) / 3  # algorithm
    r_mean = (tr_mean + ir_mean) / 2  # algorithm

    eval_result =  {'txt_r1': tr1,  # glue
                    'txt_r5': tr5,
                    'txt_r10': tr10,
                    'txt_r_mean': tr_mean,
                    'img_r1': ir1,
                    'img_r5': ir5,
                    'img_r10': ir10,
                    'img_r_mean': ir_mean,
                    'r_mean': r_mean}
    return eval_result  # other


# jaxrl/jaxrl/evaluation.py
def evaluate(agent, env: gym.Env, num_episodes: int) -> Dict[str, float]:  # other
    stats = {'return': [], 'length': []}  # other
    successes = None  # other
    for _ in range(num_episodes):  # other
        observation, done = env.reset(), False  # other
        while not done:  # other
            action = agent.sample_actions(observation, temperature=0.0)  # algorithm
            observation, _, done, info = env.step(action)  # other
        for k in stats.keys():  # glue
            stats[k].append(info['episode'][k])  # glue

        if 'is_success' in info:  # other
            if successes is None:  # other
                successes = 0.0  # other
            successes += info['is_success']  # algorithm

    for k, v in stats.items():  # glue
        stats[k] = np.mean(v)  # algorithm

    if successes is not None:  # other
        stats['success'] = successes / num_episodes  # algorithm
    return stats  # other


# DeepSDF/deep_sdf/data.py
def unpack_sdf_samples(filename, subsample=None):  # other
    npz = np.load(filename)  # glue
    if subsample is None:  # other
        return npz  # other
    pos_tensor = remove_nans(torch.from_numpy(npz["pos"]))  # glue
    neg_tensor = remove_nans(torch.from_numpy(npz["neg"]))  # glue

    # split the sample into half
    half = int(subsample / 2)  # algorithm

    random_pos = (torch.rand(half) * pos_tensor.shape[0]).long()  # algorithm
    random_neg = (torch.rand(half) * neg_tensor.shape[0]).long()  # algorithm

    sample_pos = torch.index_select(pos_tensor, 0, random_pos)  # algorithm
    sample_neg = torch.index_select(neg_tensor, 0, random_neg)  # algorithm

    samples = torch.cat([sample_pos, sample_neg], 0)  # algorithm

    return samples  # other
