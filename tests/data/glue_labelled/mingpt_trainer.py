# Real code for the glue classifier's labelled set (issue 13): minGPT (MIT),
# mingpt/trainer.py lines 1-109 at 37baab71b9ab; labels by hand. Multi-line docstrings
# are cut to their first line and backslash continuations joined: one statement a line.
"""minGPT: mingpt/trainer.py (labelled)."""  # other
"""(docstring) [...]"""  # other

import time  # other
from collections import defaultdict  # other

import torch  # other
from torch.utils.data.dataloader import DataLoader  # other
from mingpt.utils import CfgNode as CN  # other

class Trainer:  # other

    @staticmethod
    def get_default_config():  # other
        C = CN()  # glue
        # device to train on
        C.device = 'auto'  # glue
        # dataloder parameters
        C.num_workers = 4  # glue
        # optimizer parameters
        C.max_iters = None  # glue
        C.batch_size = 64  # glue
        C.learning_rate = 3e-4  # glue
        C.betas = (0.9, 0.95)  # glue
        C.weight_decay = 0.1 # only applied on matmul weights  # glue
        C.grad_norm_clip = 1.0  # glue
        return C  # other

    def __init__(self, config, model, train_dataset):  # other
        self.config = config  # other
        self.model = model  # other
        self.optimizer = None  # other
        self.train_dataset = train_dataset  # other
        self.callbacks = defaultdict(list)  # other

        # determine the device we'll train on
        if config.device == 'auto':  # other
            self.device = 'cuda' if torch.cuda.is_available() else 'cpu'  # glue
        else:
            self.device = config.device  # other
        self.model = self.model.to(self.device)  # other
        print("running on device", self.device)  # glue

        # variables that will be assigned to trainer class later for logging and etc
        self.iter_num = 0  # other
        self.iter_time = 0.0  # other
        self.iter_dt = 0.0  # other

    def add_callback(self, onevent: str, callback):  # other
        self.callbacks[onevent].append(callback)  # glue

    def set_callback(self, onevent: str, callback):  # other
        self.callbacks[onevent] = [callback]  # glue

    def trigger_callbacks(self, onevent: str):  # other
        for callback in self.callbacks.get(onevent, []):  # glue
            callback(self)  # other

    def run(self):  # other
        model, config = self.model, self.config  # other

        # setup the optimizer
        self.optimizer = model.configure_optimizers(config)  # algorithm

        # setup the dataloader
        train_loader = DataLoader(  # glue
            self.train_dataset,
            sampler=torch.utils.data.RandomSampler(self.train_dataset, replacement=True, num_samples=int(1e10)),
            shuffle=False,
            pin_memory=True,
            batch_size=config.batch_size,
            num_workers=config.num_workers,
        )

        model.train()  # other
        self.iter_num = 0  # other
        self.iter_time = time.time()  # glue
        data_iter = iter(train_loader)  # other
        while True:  # other

            # fetch the next batch (x, y) and re-init iterator if needed
            try:  # other
                batch = next(data_iter)  # other
            except StopIteration:
                data_iter = iter(train_loader)  # other
                batch = next(data_iter)  # other
            batch = [t.to(self.device) for t in batch]  # other
            x, y = batch  # other

            # forward the model
            logits, self.loss = model(x, y)  # algorithm

            # backprop and update the parameters
            model.zero_grad(set_to_none=True)  # algorithm
            self.loss.backward()  # algorithm
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_norm_clip)  # algorithm
            self.optimizer.step()  # algorithm

            self.trigger_callbacks('on_batch_end')  # glue
            self.iter_num += 1  # other
            tnow = time.time()  # glue
            self.iter_dt = tnow - self.iter_time  # glue
            self.iter_time = tnow  # other

            # termination conditions
            if config.max_iters is not None and self.iter_num >= config.max_iters:  # other
                break  # other
