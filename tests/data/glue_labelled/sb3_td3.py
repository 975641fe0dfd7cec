# Real code for the glue classifier's labelled set (issue 13): stable-baselines3 (MIT),
# stable_baselines3/td3/td3.py lines 1-241 at e05d2dbe6eda; labels by hand. Multi-line docstrings
# are cut to their first line and backslash continuations joined: one statement a line.
"""stable-baselines3: stable_baselines3/td3/td3.py (labelled)."""  # other
from typing import Any, ClassVar, TypeVar  # other

import numpy as np  # other
import torch as th  # other
from gymnasium import spaces  # other
from torch.nn import functional as F  # other

from stable_baselines3.common.buffers import ReplayBuffer  # other
from stable_baselines3.common.noise import ActionNoise  # other
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm  # other
from stable_baselines3.common.policies import BasePolicy, ContinuousCritic  # other
from stable_baselines3.common.type_aliases import GymEnv, MaybeCallback, Schedule  # other
from stable_baselines3.common.utils import get_parameters_by_name, polyak_update  # other
from stable_baselines3.td3.policies import Actor, CnnPolicy, MlpPolicy, MultiInputPolicy, TD3Policy  # other

SelfTD3 = TypeVar("SelfTD3", bound="TD3")  # other


class TD3(OffPolicyAlgorithm):  # other
    """(docstring) [...]"""  # other

    policy_aliases: ClassVar[dict[str, type[BasePolicy]]] = {  # other
        "MlpPolicy": MlpPolicy,
        "CnnPolicy": CnnPolicy,
        "MultiInputPolicy": MultiInputPolicy,
    }
    policy: TD3Policy  # other
    actor: Actor  # other
    actor_target: Actor  # other
    critic: ContinuousCritic  # other
    critic_target: ContinuousCritic  # other

    def __init__(  # other
        self,
        policy: str | type[TD3Policy],
        env: GymEnv | str,
        learning_rate: float | Schedule = 1e-3,
        buffer_size: int = 1_000_000,  # 1e6
        learning_starts: int = 100,
        batch_size: int = 256,
        tau: float = 0.005,
        gamma: float = 0.99,
        train_freq: int | tuple[int, str] = 1,
        gradient_steps: int = 1,
        action_noise: ActionNoise | None = None,
        replay_buffer_class: type[ReplayBuffer] | None = None,
        replay_buffer_kwargs: dict[str, Any] | None = None,
        optimize_memory_usage: bool = False,
        n_steps: int = 1,
        policy_delay: int = 2,
        target_policy_noise: float = 0.2,
        target_noise_clip: float = 0.5,
        stats_window_size: int = 100,
        tensorboard_log: str | None = None,
        policy_kwargs: dict[str, Any] | None = None,
        verbose: int = 0,
        seed: int | None = None,
        device: th.device | str = "auto",
        _init_setup_model: bool = True,
    ):
        super().__init__(  # other
            policy,
            env,
            learning_rate,
            buffer_size,
            learning_starts,
            batch_size,
            tau,
            gamma,
            train_freq,
            gradient_steps,
            action_noise=action_noise,
            replay_buffer_class=replay_buffer_class,
            replay_buffer_kwargs=replay_buffer_kwargs,
            optimize_memory_usage=optimize_memory_usage,
            n_steps=n_steps,
            policy_kwargs=policy_kwargs,
            stats_window_size=stats_window_size,
            tensorboard_log=tensorboard_log,
            verbose=verbose,
            device=device,
            seed=seed,
            sde_support=False,
            supported_action_spaces=(spaces.Box,),
            support_multi_env=True,
        )

        self.policy_delay = policy_delay  # other
        self.target_noise_clip = target_noise_clip  # other
        self.target_policy_noise = target_policy_noise  # other

        if _init_setup_model:  # other
            self._setup_model()  # other

    def _setup_model(self) -> None:  # other
        super()._setup_model()  # other
        self._create_aliases()  # other
        # Running mean and running var
        self.actor_batch_norm_stats = get_parameters_by_name(self.actor, ["running_"])  # other
        self.critic_batch_norm_stats = get_parameters_by_name(self.critic, ["running_"])  # other
        self.actor_batch_norm_stats_target = get_parameters_by_name(self.actor_target, ["running_"])  # other
        self.critic_batch_norm_stats_target = get_parameters_by_name(self.critic_target, ["running_"])  # other

    def _create_aliases(self) -> None:  # other
        self.actor = self.policy.actor  # other
        self.actor_target = self.policy.actor_target  # other
        self.critic = self.policy.critic  # other
        self.critic_target = self.policy.critic_target  # other

    def train(self, gradient_steps: int, batch_size: int = 100) -> None:  # other
        # Switch to train mode (this affects batch norm / dropout)
        self.policy.set_training_mode(True)  # other

        # Update learning rate according to lr schedule
        self._update_learning_rate([self.actor.optimizer, self.critic.optimizer])  # algorithm

        actor_losses, critic_losses = [], []  # other
        for _ in range(gradient_steps):  # other
            self._n_updates += 1  # other
            # Sample replay buffer
            replay_data = self.replay_buffer.sample(batch_size, env=self._vec_normalize_env)  # type: ignore[union-attr]  # algorithm
            # For n-step replay, discount factor is gamma**n_steps (when no early termination)
            discounts = replay_data.discounts if replay_data.discounts is not None else self.gamma  # other

            with th.no_grad():  # other
                # Select action according to policy and add clipped noise
                noise = replay_data.actions.clone().data.normal_(0, self.target_policy_noise)  # algorithm
                noise = noise.clamp(-self.target_noise_clip, self.target_noise_clip)  # algorithm
                next_actions = (self.actor_target(replay_data.next_observations) + noise).clamp(-1, 1)  # algorithm

                # Compute the next Q-values: min over all critics targets
                next_q_values = th.cat(self.critic_target(replay_data.next_observations, next_actions), dim=1)  # algorithm
                next_q_values, _ = th.min(next_q_values, dim=1, keepdim=True)  # algorithm
                target_q_values = replay_data.rewards + (1 - replay_data.dones) * discounts * next_q_values  # algorithm

            # Get current Q-values estimates for each critic network
            current_q_values = self.critic(replay_data.observations, replay_data.actions)  # algorithm

            # Compute critic loss
            critic_loss = sum(F.mse_loss(current_q, target_q_values) for current_q in current_q_values)  # algorithm
            assert isinstance(critic_loss, th.Tensor)  # other
            critic_losses.append(critic_loss.item())  # glue

            # Optimize the critics
            self.critic.optimizer.zero_grad()  # algorithm
            critic_loss.backward()  # algorithm
            self.critic.optimizer.step()  # algorithm

            # Delayed policy updates
            if self._n_updates % self.policy_delay == 0:  # other
                # Compute actor loss
                actor_loss = -self.critic.q1_forward(replay_data.observations, self.actor(replay_data.observations)).mean()  # algorithm
                actor_losses.append(actor_loss.item())  # glue

                # Optimize the actor
                self.actor.optimizer.zero_grad()  # algorithm
                actor_loss.backward()  # algorithm
                self.actor.optimizer.step()  # algorithm

                polyak_update(self.critic.parameters(), self.critic_target.parameters(), self.tau)  # algorithm
                polyak_update(self.actor.parameters(), self.actor_target.parameters(), self.tau)  # algorithm
                # Copy running stats, see GH issue #996
                polyak_update(self.critic_batch_norm_stats, self.critic_batch_norm_stats_target, 1.0)  # algorithm
                polyak_update(self.actor_batch_norm_stats, self.actor_batch_norm_stats_target, 1.0)  # algorithm

        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")  # glue
        if len(actor_losses) > 0:  # other
            self.logger.record("train/actor_loss", np.mean(actor_losses))  # glue
        self.logger.record("train/critic_loss", np.mean(critic_losses))  # glue

    def learn(  # other
        self: SelfTD3,
        total_timesteps: int,
        callback: MaybeCallback = None,
        log_interval: int = 4,
        tb_log_name: str = "TD3",
        reset_num_timesteps: bool = True,
        progress_bar: bool = False,
    ) -> SelfTD3:
        return super().learn(  # other
            total_timesteps=total_timesteps,
            callback=callback,
            log_interval=log_interval,
            tb_log_name=tb_log_name,
            reset_num_timesteps=reset_num_timesteps,
            progress_bar=progress_bar,
        )

    def _excluded_save_params(self) -> list[str]:  # other
        return super()._excluded_save_params() + ["actor", "critic", "actor_target", "critic_target"]  # noqa: RUF005  # glue

    def _get_torch_save_params(self) -> tuple[list[str], list[str]]:  # other
        state_dicts = ["policy", "actor.optimizer", "critic.optimizer"]  # other
        return state_dicts, []  # other
