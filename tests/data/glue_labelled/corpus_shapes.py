# Real code for the glue classifier's labelled set (issue 13, second round): the statement shapes
# changed by value kinds this round (an optimizer's parameter groups and per-tensor state, tree maps
# of a computation, shape reads of a batch's fields, dicts of constants, error messages, counter
# arithmetic), labelled by hand. Sources, at the commits of bench/truth/manifest.tsv: timm
# (Apache-2.0) timm/optim/sgdw.py; flax (Apache-2.0) examples/lm1b/train.py; gpt-neox (Apache-2.0)
# megatron/training.py; big_vision (Apache-2.0) big_vision/trainers/proj/givt/generative.py;
# detectron2 (Apache-2.0) projects/DensePose/densepose/modeling/hrnet.py; jukebox (MIT)
# jukebox/train.py. Multi-line docstrings are cut to their first line and backslash
# continuations joined; a method keeps its class's header line.
"""Corpus shapes: optimizer parameter groups, tree maps, batch metadata (labelled)."""  # other
import logging  # other
from typing import List, Optional  # other

import big_vision.models.proj.givt.decode as softar_decode  # other
import big_vision.trainers.proj.givt.utils as trainer_utils  # other
import jax  # other
import jax.numpy as jnp  # other
import tensorflow as tf  # other
import torch  # other
import torch as t  # other
from absl import logging as absl_logging  # other
from flax.training import common_utils  # other
from torch import Tensor, nn  # other
from torch.optim.optimizer import Optimizer  # other

logger = logging.getLogger(__name__)  # glue


# timm/timm/optim/sgdw.py lines 74-135
class SGDW(Optimizer):  # other
    def _init_group(self, group, params_with_grad, grads, momentum_buffer_list):  # other
        has_sparse_grad = False  # other

        for p in group['params']:  # other
            if p.grad is not None:  # other
                params_with_grad.append(p)  # algorithm
                grads.append(p.grad)  # algorithm
                if p.grad.is_sparse:  # other
                    has_sparse_grad = True  # other

                state = self.state[p]  # algorithm
                if 'momentum_buffer' not in state:  # other
                    momentum_buffer_list.append(None)  # glue
                else:
                    momentum_buffer_list.append(state['momentum_buffer'])  # algorithm

        return has_sparse_grad  # other

    # FIXME figure out how to make _use_grad_for_differentiable interchangeable with no_grad decorator
    #   without args, for backwards compatibility with old pytorch
    @torch.no_grad()
    def step(self, closure=None):  # other
        """Performs a single optimization step. [...]"""  # other
        loss = None  # other
        if closure is not None:  # other
            with torch.enable_grad():  # other
                loss = closure()  # algorithm

        for group in self.param_groups:  # other
            params_with_grad = []  # other
            grads = []  # other
            momentum_buffer_list = []  # other

            has_sparse_grad = self._init_group(group, params_with_grad, grads, momentum_buffer_list)  # other

            sgdw(  # algorithm
                params_with_grad,
                grads,
                momentum_buffer_list,
                weight_decay=group['weight_decay'],
                momentum=group['momentum'],
                lr=group['lr'],
                dampening=group['dampening'],
                nesterov=group['nesterov'],
                caution=group['caution'],
                maximize=group['maximize'],
                has_sparse_grad=has_sparse_grad,
                foreach=group['foreach'],
                max_lr=self.defaults['lr'] if group['corrected_weight_decay'] else None,
            )

            # update momentum_buffers in state
            for p, momentum_buffer in zip(params_with_grad, momentum_buffer_list):  # other
                state = self.state[p]  # algorithm
                state['momentum_buffer'] = momentum_buffer  # algorithm

        return loss  # other


# timm/timm/optim/sgdw.py lines 195-240
def _single_tensor_sgdw(  # other
        params: List[Tensor],
        grads: List[Tensor],
        momentum_buffer_list: List[Optional[Tensor]],
        *,
        weight_decay: float,
        momentum: float,
        lr: float,
        dampening: float,
        nesterov: bool,
        caution: bool,
        maximize: bool,
        has_sparse_grad: bool,
        max_lr: Optional[float]
):
    for i, param in enumerate(params):  # other
        grad = grads[i] if not maximize else -grads[i]  # algorithm

        wd_scale = lr if max_lr is None else lr ** 2 / max_lr  # algorithm
        param.mul_(1. - wd_scale * weight_decay)  # algorithm

        if momentum != 0:  # other
            buf = momentum_buffer_list[i]  # other

            if buf is None:  # other
                buf = torch.clone(grad).detach()  # algorithm
                momentum_buffer_list[i] = buf  # algorithm
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)  # algorithm

            if caution:  # other
                if nesterov:  # other
                    buf = grad.add(buf, alpha=momentum)  # algorithm
                # Apply caution as per 'Cautious Optimizers' - https://arxiv.org/abs/2411.16085
                mask = (buf * grad > 0).to(grad.dtype)  # algorithm
                mask.div_(mask.mean().clamp_(min=1e-3))  # algorithm
                grad = buf * mask  # algorithm
            else:
                if nesterov:  # other
                    grad = grad.add(buf, alpha=momentum)  # algorithm
                else:
                    grad = buf  # other

        param.add_(grad, alpha=-lr)  # algorithm



# flax/examples/lm1b/train.py lines 282-306
def evaluate(  # other
    *,
    jit_eval_step,
    params,
    eval_ds: tf.data.Dataset,
    num_eval_steps: int,
    config,
):
  """Evaluate the target an return a dictionary with the metrics."""  # other
  logging.info("Gathering evaluation metrics.")  # glue
  eval_metrics = []  # other
  eval_iter = iter(eval_ds)  # pytype: disable=wrong-arg-types  # other
  for _, eval_batch in zip(range(num_eval_steps), eval_iter):  # other
    eval_batch = jax.tree_util.tree_map(lambda x: x._numpy(), eval_batch)  # pylint: disable=protected-access  # glue
    metrics = jit_eval_step(params, eval_batch, config)  # algorithm
    eval_metrics.append(metrics)  # algorithm
  eval_metrics = common_utils.stack_forest(eval_metrics)  # algorithm
  eval_metrics_sums = jax.tree_util.tree_map(jnp.sum, eval_metrics)  # algorithm
  eval_denominator = eval_metrics_sums.pop("denominator")  # glue
  eval_summary = jax.tree_util.tree_map(  # algorithm
      lambda x: x / eval_denominator,  # pylint: disable=cell-var-from-loop
      eval_metrics_sums,
  )
  return eval_summary  # other


# gpt-neox/megatron/training.py lines 180-218
def update_iterations(neox_args, data_loaders):  # other
    """(docstring) [...]"""  # other
    if (not neox_args.do_train) or (neox_args.train_iters is not None):  # other
        pass  # other
    elif neox_args.train_iters is None and neox_args.train_epochs is None:  # other
        print_rank_0(  # glue
            "ERROR:Failed to specify either train_epochs or train_iters in config file"
        )
    else:
        global_rank = torch.distributed.get_rank()  # glue

        if global_rank == 0:  # other
            train_dataloader = data_loaders["train"]  # glue
            train_epochs = neox_args.train_epochs  # glue
            gradient_accumulation_steps = neox_args.gradient_accumulation_steps  # glue

            train_dataloader_len = len(train_dataloader)  # other
            train_iterations = (  # algorithm
                train_dataloader_len * train_epochs
            ) // gradient_accumulation_steps

            train_iters_tensor = torch.cuda.LongTensor([train_iterations])  # glue
        else:
            train_iters_tensor = torch.cuda.LongTensor([0])  # glue

        torch.distributed.broadcast(train_iters_tensor, src=0)  # glue

        neox_args.train_iters = train_iters_tensor[0].item()  # glue

        print_rank_0(  # glue
            f"Training for a total of {neox_args.train_iters} iterations, corresponding to {neox_args.train_epochs} epochs."
        )



# big_vision/big_vision/trainers/proj/givt/generative.py lines 472-500
def predict_fn_sampling(train_state, batch, seed=0):  # other
  params = train_state["params"]  # glue
  labels = batch.get("labels")  # glue

  local_rng = trainer_utils.get_local_rng(seed, batch)  # other
  code_logprobs = None  # other

  if model.style == "ar":  # other
    if labels is None:  # other
      # Try to infer batch size if labels are not provided
      if "image" in batch:  # other
        sampling_batch_size = batch["image"].shape[0]  # other
      elif "cond_image" in batch:  # other
        sampling_batch_size = batch["cond_image"].shape[0]  # other
      else:
        sampling_batch_size = config.get("sampling_batch_size", 4)  # glue
    else:
      sampling_batch_size = None  # other
    sampled_codes, code_logprobs = softar_decode.generate(  # algorithm
        params={"params": params},
        seed=local_rng,
        model=model,
        seq_len=config.model.seq_len,
        feature_dim=config.model.out_dim,
        labels=labels,
        cond_image=batch.get("cond_image"),
        batch_size=sampling_batch_size,
        config=config.get("ar_generation_config"),
    )


# detectron2/projects/DensePose/densepose/modeling/hrnet.py lines 135-154
class HighResolutionModule(nn.Module):  # other
    def _check_branches(self, num_branches, blocks, num_blocks, num_inchannels, num_channels):  # other
        if num_branches != len(num_blocks):  # other
            error_msg = "NUM_BRANCHES({}) <> NUM_BLOCKS({})".format(num_branches, len(num_blocks))  # glue
            logger.error(error_msg)  # glue
            raise ValueError(error_msg)  # other

        if num_branches != len(num_channels):  # other
            error_msg = "NUM_BRANCHES({}) <> NUM_CHANNELS({})".format(  # glue
                num_branches, len(num_channels)
            )
            logger.error(error_msg)  # glue
            raise ValueError(error_msg)  # other

        if num_branches != len(num_inchannels):  # other
            error_msg = "NUM_BRANCHES({}) <> NUM_INCHANNELS({})".format(  # glue
                num_branches, len(num_inchannels)
            )
            logger.error(error_msg)  # glue
            raise ValueError(error_msg)  # other


# jukebox/jukebox/train.py lines 153-200
def evaluate(model, orig_model, logger, metrics, data_processor, hps):  # other
    model.eval()  # other
    orig_model.eval()  # other
    if hps.prior:  # other
        _print_keys = dict(l="loss", bpd="bpd")  # other
    else:
        _print_keys = dict(l="loss", rl="recons_loss", sl="spectral_loss")  # other

    with t.no_grad():  # other
        for i, x in logger.get_range(data_processor.test_loader):  # other
            if isinstance(x, (tuple, list)):  # other
                x, y = x  # other
            else:
                y = None  # other

            x = x.to('cuda', non_blocking=True)  # other
            if y is not None:  # other
                y = y.to('cuda', non_blocking=True)  # other

            x_in = x = audio_preprocess(x, hps)  # other
            log_input_output = (i==0)  # other

            if hps.prior:  # other
                forw_kwargs = dict(y=y, fp16=hps.fp16, decode=log_input_output)  # glue
            else:
                forw_kwargs = dict(loss_fn=hps.loss_fn, hps=hps)  # glue

            x_out, loss, _metrics = model(x, **forw_kwargs)  # algorithm

            # Logging
            for key, val in _metrics.items():  # glue
                _metrics[key] = val.item()  # glue
            _metrics["loss"] = loss = loss.item() # Make sure to call to free graph  # glue

            # Average and log
            for key, val in _metrics.items():  # glue
                _metrics[key] = metrics.update(f"test_{key}", val, x.shape[0])  # algorithm

            with t.no_grad():  # other
                if log_input_output:  # other
                    log_inputs(orig_model, logger, x_in, y, x_out, hps)  # glue

            logger.set_postfix(**{print_key:_metrics[key] for print_key, key in _print_keys.items()})  # glue

    for key, val in _metrics.items():  # glue
        logger.add_scalar(f"test_{key}", metrics.avg(f"test_{key}"))  # glue

    logger.close_range()  # glue
