"""The statement classifier against a labelled set of realistic ML code."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from mllint.glue import GlueOptions, configure
from mllint.stats import explain_source

LABELLED = Path(__file__).resolve().parent / "data" / "glue_labelled"
_LABEL = re.compile(r"#\s*(glue|algorithm|other)\s*$")


def _labels(text: str) -> Dict[int, str]:
    labels = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            match = _LABEL.search(token.string)
            if match:
                labels[token.start[0]] = match.group(1)
    return labels


def _compare() -> Tuple[int, List[str]]:
    configure(GlueOptions())
    total, disagreements = 0, []
    for path in sorted(LABELLED.glob("*.py")):
        data = path.read_bytes()
        labels = _labels(data.decode("utf-8"))
        rows = explain_source(data)
        seen = {row.line for row in rows}
        assert len(seen) == len(rows), f"{path.name}: two statements share a line"
        assert set(labels) == seen, (
            f"{path.name}: unlabelled statements at {sorted(seen - set(labels))}, "
            f"labels on no statement at {sorted(set(labels) - seen)}"
        )
        for row in rows:
            total += 1
            if labels[row.line] != row.kind:
                disagreements.append(
                    f"{path.name}:{row.line}: labelled {labels[row.line]}, classified "
                    f"{row.kind} ({row.reason}): {row.source}"
                )
    return total, disagreements


def test_labelled_set_is_large_enough_and_fully_labelled() -> None:
    total, _ = _compare()
    assert total >= 300


def test_classifier_agrees_with_the_labelled_set() -> None:
    total, disagreements = _compare()
    agreement = 1 - len(disagreements) / total
    assert agreement >= 0.95, f"agreement {agreement:.1%}:\n" + "\n".join(disagreements)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("import numpy as np\ny = np.mean(x)\n", "algorithm"),
        ("from torch import nn\nlayer = nn.Linear(3, 4)\n", "algorithm"),
        ("from torch.nn import functional as F\ny = F.relu(x)\n", "algorithm"),
        ("import numpy as np\nprint(np.mean(x))\n", "glue"),
        ("import numpy as np\ny = np.array(t.tolist())\n", "glue"),
        ("y = frame.to_csv(path)\n", "glue"),
        ("loss.backward()\n", "algorithm"),
        ("c = a @ b\n", "algorithm"),
        ("from . import utils\ny = utils.average(x)\n", "other"),
        ("import numpy as np\nnp = load()\ny = np.linalg.solve(a, b)\n", "other"),
        # issue 13, second round: shapes of the research corpus
        (
            "import jax, jax.numpy as jnp\ns = jax.tree_util.tree_map(jnp.sum, metrics)\n",
            "algorithm",
        ),
        ("import jax\nb = jax.tree_util.tree_map(lambda x: x._numpy(), batch)\n", "glue"),
        ("n = batch['image'].shape[0]\n", "other"),
        ("keys = dict(l='loss', bpd='bpd')\n", "other"),
        ("ppl = {'loss': reduce(losses).mean().item()}\n", "algorithm"),
        ("if (epoch % args.every) != 0 and epoch != args.epochs:\n    pass\n", "other"),
        ("stash.fp16_groups = []\n", "other"),
        ("codes = decode(x, cfg=Cfg(**cfg.get('gen', {}))).codes\n", "other"),
        ("net = resnet26d(pretrained=p, in_chans=kwargs.get('in_chans', 3))\n", "other"),
        (
            "class SGD(Optimizer):\n    def step(self):\n"
            "        for group in self.param_groups:\n"
            "            for i, p in enumerate(group['params']):\n"
            "                grads.append(p.grad)\n",
            "algorithm",
        ),
        (
            "from typing import List\nfrom torch import Tensor\n"
            "def f(bufs: List[Tensor], i):\n    bufs[i] = bufs[i] * 0.9\n",
            "algorithm",
        ),
    ],
)
def test_last_statement_class(source: str, kind: str) -> None:
    configure(GlueOptions())
    rows = explain_source(source.encode())
    assert rows[-1].kind == kind, rows[-1]


_METRIC = (
    "from utils import AverageMeter\n"
    "def eval_accuracies(pred, target):\n"
    "    start = AverageMeter()\n"  # 3: the meter computes what the function returns
    "    seen = AverageMeter()\n"  # 4: only logged
    "    for p, t in zip(pred, target):\n"
    "        start.update(p in t)\n"  # 6
    "        seen.update(1)\n"  # 7
    "    print(seen.avg)\n"
    "    return start.avg * 100\n"
)


@pytest.mark.parametrize(
    ("source", "line", "kind"),
    [
        # issue 13, ninth round: a branch on a setting read by key is control flow, as it is
        # read as an attribute
        ("if config['inference'] == 'rank':\n    pass\n", 1, "other"),
        ("if cfg.get('drop', True):\n    pass\n", 1, "other"),
        ("if cfg.inference == 'rank':\n    pass\n", 1, "other"),
        ("name = config['inference']\n", 1, "glue"),
        # a step or a loss called by its name computes, as `model(x)` does
        ("stats = training_step(H, x, vae, optimizer)\n", 1, "algorithm"),
        ("metrics = jit_eval_step(params, batch, config)\n", 1, "algorithm"),
        ("loss = compute_loss(model, batch)\n", 1, "algorithm"),
        ("stats = run_step(H, x)\n", 1, "other"),
        ("fn = get_decoupled_loss_fn(args)\n", 1, "other"),
        ("polyak_update(critic.parameters(), target.parameters(), tau)\n", 1, "algorithm"),
        ("self.update_critic(obs, action, reward)\n", 1, "algorithm"),
        ("metrics = trainer.train_step(batch)\n", 1, "algorithm"),
        # blind labels of the ninth round: conversions, weight copies, generic factories
        ("import torch\nobs = torch.FloatTensor(obs).to(device)\n", 2, "glue"),
        ("import torch\nbuf = torch.FloatTensor(3, 4)\n", 2, "algorithm"),
        ("import torch, numpy as np\nt = torch.tensor(np.log(init)).to(dev)\n", 2, "algorithm"),
        ("import torch\nt = torch.tensor(values)\n", 2, "glue"),
        ("target.load_state_dict(critic.state_dict())\n", 1, "algorithm"),
        ("import torch\nmodel.load_state_dict(torch.load(path))\n", 2, "glue"),
        ("import hydra\nactor = hydra.utils.instantiate(cfg.actor)\n", 2, "other"),
        # eleventh round: builtins' arithmetic is like an operator's; sizes are not values;
        # a list of layers added to a block builds the model
        ("n = sum(p.numel() for p in model.parameters() if p.requires_grad)\n", 1, "algorithm"),
        ("best['acc'] = max(best['acc'], acc)\n", 1, "algorithm"),
        ("from torch import nn\nblock += [nn.Conv2d(c, c, 3), nn.ReLU()]\n", 2, "algorithm"),
        ("names += [prefix + 'x']\n", 1, "glue"),
        # a step timer is a clock, as `time.time()` is (tenth round)
        ("import tensorflow as tf\nt = tf.estimator.SecondOrStepTimer(every_steps=9)\n", 2, "glue"),
        # packing computed values into a dict computes, whichever value comes first
        ("import numpy as np\nstats = dict(n=len(v), elbo=np.mean(v))\n", 2, "algorithm"),
        ("import numpy as np\nstats = {'n': len(v), 'elbo': np.mean(v)}\n", 2, "algorithm"),
        ("meta = dict(name=len(n), path=p)\n", 1, "glue"),
        # ninth unseen round (read with the code frozen): strings, type checks and seeds
        ("new_v = build(t, v, key + '.' + k)\n", 1, "glue"),
        ("message += ', ' + msg\n", 1, "glue"),
        ("batch_text.append(context_text + model.get_prompt())\n", 1, "glue"),
        ("import torch\nif isinstance(x, torch.Tensor):\n    pass\n", 2, "other"),
        ("import numpy as np\nnp.random.seed(0)\n", 2, "glue"),
        # fourteenth round: every library's seeding is glue, and a generation config is config
        ("from transformers import set_seed\nset_seed(42)\n", 2, "glue"),
        ("import pytorch_lightning as pl\npl.seed_everything(1)\n", 2, "glue"),
        ("from transformers import GenerationConfig\ng = GenerationConfig(top_k=5)\n", 2, "glue"),
        ("import torch\nlosses.append(torch.mean(x) + 1)\n", 2, "algorithm"),
        ("import torch\nouts = [torch.add(total, loss)] + cache\n", 2, "algorithm"),
        ("names = [a, b] + rest\n", 1, "glue"),
        # a finiteness check guards data, as `math.isfinite` does: it computes nothing
        ("import numpy as np\nif np.isfinite(stats[-1]['elbo']):\n    pass\n", 2, "other"),
        ("import torch\nbad = torch.isnan(loss)\n", 2, "other"),
        # a meter whose value the function returns is its computation; a logged one is not
        (_METRIC, 3, "algorithm"),
        (_METRIC, 4, "glue"),
        (_METRIC, 6, "algorithm"),
        (_METRIC, 7, "glue"),
    ],
)
def test_ninth_round_shapes(source: str, line: int, kind: str) -> None:
    configure(GlueOptions())
    rows = {row.line: row for row in explain_source(source.encode())}
    assert rows[line].kind == kind, rows[line]


def test_configured_modules_extend_the_vocabulary() -> None:
    source = b"import acme.io as aio\nimport acme.ml\nx = aio.fetch(u)\ny = acme.ml.solve(x)\n"
    configure(GlueOptions())
    assert [r.kind for r in explain_source(source)][2:] == ["other", "other"]
    configure(GlueOptions(glue_modules=("acme.io",), algorithm_modules=("acme.ml",)))
    try:
        rows = explain_source(source)
        assert [r.kind for r in rows][2:] == ["glue", "algorithm"]
        assert "(configured)" in rows[2].reason
    finally:
        configure(GlueOptions())


_MODEL = (
    "import torch\nfrom torch import nn\n"
    "class Actor(nn.Module):\n"
    "    def __init__(self, obs_dim, act_dim, hidden, cfg):\n"
    "        super().__init__()\n"
    "        self.obs_dim = obs_dim\n"  # 6: a constructor store
    "        self.register_buffer('mean', torch.zeros(obs_dim))\n"  # 7
    "        self.net = MLP(obs_dim, act_dim, **dict(cfg.net))\n"  # 8: factory with dict kwargs
    "    def forward(self, obs):\n"
    "        x = obs.to(self.mean.device)\n"  # 10: .to(device) of a tensor
    "        h = self.net(x - self.mean)\n"  # 11: a model through an attribute
    "        outs = [h]\n"  # 12
    "        outs.append(h * 2)\n"  # 13: collecting tensors
    "        return torch.stack(outs)\n"
    "def train_step(agent, buffer, ema, opt, stats):\n"
    "    batch = buffer.sample(64)\n"  # 16: a replay buffer's sample()
    "    loss = agent.loss(batch)\n"
    "    ema.update(agent)\n"  # 18: an EMA's update()
    "    stats.update(loss)\n"  # 19: running statistics
    "    agent.actor(batch.obs)\n"  # 20
    "    names = []\n"
    "    names.append(f'step {loss}')\n"  # 22: collecting strings is glue
)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (6, "other"),
        (7, "algorithm"),
        (8, "algorithm"),
        (10, "algorithm"),
        (11, "algorithm"),
        (12, "algorithm"),
        (13, "algorithm"),
        (16, "other"),
        (18, "other"),
        (19, "other"),
        (22, "glue"),
    ],
)
def test_method_names_are_not_meaning(line: int, kind: str) -> None:
    """Issue 13, shape 1: none of these is glue; the value a statement handles decides."""
    configure(GlueOptions())
    rows = {row.line: row for row in explain_source(_MODEL.encode())}
    assert rows[line].kind == kind, rows[line]


def test_value_kinds_flow_through_assignments_and_parameters() -> None:
    """Issue 13, shape 2: kinds come from producers, annotations and model inputs."""
    source = (
        "import torch\nimport numpy as np\n"
        "def f(x: torch.Tensor, path: str):\n"
        "    y = x\n"  # 4: a copy of a tensor names algorithm data
        "    z = blend(y, 0.5)\n"  # 5: an unknown call on a tensor computes
        "    buf = np.zeros(8)\n"
        "    buf[0] = z\n"  # 7: a write into an array
        "    name = path\n"  # 8: a copy of a path is glue
        "    return z\n"
    )
    configure(GlueOptions())
    kinds = {row.line: row.kind for row in explain_source(source.encode())}
    assert (kinds[4], kinds[5], kinds[7], kinds[8]) == ("other", "algorithm", "algorithm", "glue")
