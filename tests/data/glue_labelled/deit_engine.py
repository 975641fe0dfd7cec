# Real code for the glue classifier's labelled set (issue 13): deit (Apache-2.0),
# engine.py lines 1-120 at 7e160fe43f02; labels by hand. Multi-line docstrings
# are cut to their first line and backslash continuations joined: one statement a line.
"""deit: engine.py (labelled)."""  # other
# Copyright (c) 2015-present, Facebook, Inc.
# All rights reserved.
"""(docstring) [...]"""  # other
import math  # other
import sys  # other
from typing import Iterable, Optional  # other

import torch  # other

from timm.data import Mixup  # other
from timm.utils import accuracy, ModelEma  # other

from losses import DistillationLoss  # other
import utils  # other


def train_one_epoch(model: torch.nn.Module, criterion: DistillationLoss,  # other
                    data_loader: Iterable, optimizer: torch.optim.Optimizer,
                    device: torch.device, epoch: int, loss_scaler, max_norm: float = 0,
                    model_ema: Optional[ModelEma] = None, mixup_fn: Optional[Mixup] = None,
                    set_training_mode=True, args = None):
    model.train(set_training_mode)  # other
    metric_logger = utils.MetricLogger(delimiter="  ")  # glue
    metric_logger.add_meter('lr', utils.SmoothedValue(window_size=1, fmt='{value:.6f}'))  # glue
    header = 'Epoch: [{}]'.format(epoch)  # glue
    print_freq = 10  # other
    
    if args.cosub:  # other
        criterion = torch.nn.BCEWithLogitsLoss()  # algorithm
        
    for samples, targets in metric_logger.log_every(data_loader, print_freq, header):  # glue
        samples = samples.to(device, non_blocking=True)  # other
        targets = targets.to(device, non_blocking=True)  # other

        if mixup_fn is not None:  # other
            samples, targets = mixup_fn(samples, targets)  # algorithm
            
        if args.cosub:  # other
            samples = torch.cat((samples,samples),dim=0)  # algorithm
            
        if args.bce_loss:  # other
            targets = targets.gt(0.0).type(targets.dtype)  # algorithm
         
        with torch.cuda.amp.autocast():  # other
            outputs = model(samples)  # algorithm
            if not args.cosub:  # other
                loss = criterion(samples, outputs, targets)  # algorithm
            else:
                outputs = torch.split(outputs, outputs.shape[0]//2, dim=0)  # algorithm
                loss = 0.25 * criterion(outputs[0], targets)   # algorithm
                loss = loss + 0.25 * criterion(outputs[1], targets)   # algorithm
                loss = loss + 0.25 * criterion(outputs[0], outputs[1].detach().sigmoid())  # algorithm
                loss = loss + 0.25 * criterion(outputs[1], outputs[0].detach().sigmoid())   # algorithm

        loss_value = loss.item()  # glue

        if not math.isfinite(loss_value):  # other
            print("Loss is {}, stopping training".format(loss_value))  # glue
            sys.exit(1)  # glue

        optimizer.zero_grad()  # algorithm

        # this attribute is added by timm on one optimizer (adahessian)
        is_second_order = hasattr(optimizer, 'is_second_order') and optimizer.is_second_order  # other
        loss_scaler(loss, optimizer, clip_grad=max_norm,  # algorithm
                    parameters=model.parameters(), create_graph=is_second_order)

        torch.cuda.synchronize()  # glue
        if model_ema is not None:  # other
            model_ema.update(model)  # algorithm

        metric_logger.update(loss=loss_value)  # glue
        metric_logger.update(lr=optimizer.param_groups[0]["lr"])  # glue
    # gather the stats from all processes
    metric_logger.synchronize_between_processes()  # glue
    print("Averaged stats:", metric_logger)  # glue
    return {k: meter.global_avg for k, meter in metric_logger.meters.items()}  # glue


@torch.no_grad()
def evaluate(data_loader, model, device):  # other
    criterion = torch.nn.CrossEntropyLoss()  # algorithm

    metric_logger = utils.MetricLogger(delimiter="  ")  # glue
    header = 'Test:'  # other

    # switch to evaluation mode
    model.eval()  # other

    for images, target in metric_logger.log_every(data_loader, 10, header):  # glue
        images = images.to(device, non_blocking=True)  # other
        target = target.to(device, non_blocking=True)  # other

        # compute output
        with torch.cuda.amp.autocast():  # other
            output = model(images)  # algorithm
            loss = criterion(output, target)  # algorithm

        acc1, acc5 = accuracy(output, target, topk=(1, 5))  # algorithm

        batch_size = images.shape[0]  # other
        metric_logger.update(loss=loss.item())  # glue
        metric_logger.meters['acc1'].update(acc1.item(), n=batch_size)  # glue
        metric_logger.meters['acc5'].update(acc5.item(), n=batch_size)  # glue
    # gather the stats from all processes
    metric_logger.synchronize_between_processes()  # glue
    print('* Acc@1 {top1.global_avg:.3f} Acc@5 {top5.global_avg:.3f} loss {losses.global_avg:.3f}'  # glue
          .format(top1=metric_logger.acc1, top5=metric_logger.acc5, losses=metric_logger.loss))

    return {k: meter.global_avg for k, meter in metric_logger.meters.items()}  # glue
