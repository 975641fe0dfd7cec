"""Shapes read on the unseen research repositories of bench/truth/ (issue 12), each driven
through the real CLI on files written the way those repositories write them."""

from __future__ import annotations

from pathlib import Path

from tests.rules.test_flags import lint, places, write

# swav / dino / mae: `--local_rank` accepted for torch.distributed.launch, never read
LAUNCHED = """\
import argparse
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--local_rank", default=0, type=int,
                    help="this argument is not used and should be ignored")
args = parser.parse_args()
train(args.epochs)
"""


def test_local_rank_of_a_script_started_by_torch_distributed_launch(tmp_path: Path) -> None:
    write(tmp_path, {"main_swav.py": LAUNCHED})
    # nothing says how it is launched: an option nobody reads
    assert places(lint(tmp_path, "ML104")) == [("main_swav.py", 4)]
    (tmp_path / "README.md").write_text(
        "```\npython -m torch.distributed.launch --nproc_per_node=8 main_swav.py\n```\n",
        encoding="utf-8",
    )
    assert lint(tmp_path, "ML104") == []


def test_local_rank_of_a_program_that_reads_the_rank_from_the_environment(
    tmp_path: Path,
) -> None:
    utils = (
        "import os\n\ndef init_distributed_mode(args):\n"
        "    args.gpu = int(os.environ['LOCAL_RANK'])\n"
    )
    main = LAUNCHED.replace("import argparse\n", "import argparse\nimport utils\n")
    write(tmp_path, {"main.py": main, "utils.py": utils})
    assert lint(tmp_path, "ML104") == []
    # another never-read option of the same program is still reported
    write(tmp_path, {"main.py": main.replace('"--epochs"', '"--resplit"')})
    assert places(lint(tmp_path, "ML104")) == [("main.py", 4)]


def test_any_other_option_of_a_launched_program_is_still_reported(tmp_path: Path) -> None:
    source = LAUNCHED.replace("train(args.epochs)", "train()")
    write(tmp_path, {"main.py": source})
    (tmp_path / "run.sh").write_text("deepspeed main.py --epochs 3\n", encoding="utf-8")
    assert places(lint(tmp_path, "ML104")) == [("main.py", 3)]


# pix2seq's configs: the other architecture written under the constant, the sweep picks by it
CONFIG = """\
ARCH_VARIANT = 'tape'
# ARCH_VARIANT = 'transunet'


def transunet_sweep():
    return [1_000_000]


def get_sweep():
    if ARCH_VARIANT == 'transunet':
        return transunet_sweep()
    return [500_000]
"""


def test_a_knob_with_its_other_value_written_next_to_it_is_not_stale(tmp_path: Path) -> None:
    write(tmp_path, {"configs/cifar10.py": CONFIG})
    assert lint(tmp_path, "ML102,ML105,ML106") == []
    # without the documented alternative the constant is a stale flag, and the function
    # only its dead arm calls is dead experiment code
    write(tmp_path, {"configs/cifar10.py": CONFIG.replace("# ARCH_VARIANT = 'transunet'\n", "")})
    found = sorted((f["code"], f["line"]) for f in lint(tmp_path, "ML102,ML105,ML106"))
    assert found == [("ML102", 9), ("ML106", 4)]
    # an old value that no code handles any more is a setting switched off (ML105), and
    # does not make a knob
    old = CONFIG.replace("'transunet'\n\n", "'unet'\n\n", 1)
    write(tmp_path, {"configs/cifar10.py": old})
    found = sorted((f["code"], f["line"]) for f in lint(tmp_path, "ML105"))
    assert found == [("ML105", 2)]


def test_a_comment_listing_the_choices_makes_a_knob_one_naming_a_past_value_does_not(
    tmp_path: Path,
) -> None:
    listed = "MODE = 'train_high_res'  # one of ['train_high_res', 'train_low_res']\n"
    past = "# 'train_low_res' was the first stage of the paper\nMODE = 'train_high_res'\n"
    use = "\nif MODE == 'train_low_res':\n    epochs = 800\nelse:\n    epochs = 40\n"
    write(tmp_path, {"a.py": listed + use, "b.py": past + use})
    assert places(lint(tmp_path, "ML102")) == [("b.py", 4)]


def test_a_boolean_documented_as_a_default_is_a_knob(tmp_path: Path) -> None:
    # stylegan2's dnnlib/tflib/autosummary.py
    knob = (
        '# Enable "Custom scalars" tab in TensorBoard for advanced formatting.\n'
        "# Disabled by default to reduce tfevents file size.\n"
        "enable_custom_scalars = False\n\n\n"
        "def finalize():\n    if enable_custom_scalars:\n        return 1\n    return 0\n"
    )
    stale = knob.replace("# Disabled by default to reduce tfevents file size.\n", "")
    write(tmp_path, {"a.py": knob, "b.py": stale.replace("finalize", "final")})
    assert places(lint(tmp_path, "ML102")) == [("b.py", 6)]


# uda's text/main.py: the flags are copied into a dict that is only written to FLAGS.json
SAVED_FLAGS = """\
import json
import os
from absl import app, flags
flags.DEFINE_string("vocab_file", None, "The vocabulary file.")
flags.DEFINE_string("model_dir", None, "Output folder.")
FLAGS = flags.FLAGS


def main(_):
    flags_dict = FLAGS.flag_values_dict()
    with open(os.path.join(FLAGS.model_dir, "FLAGS.json"), "w") as ouf:
        json.dump(flags_dict, ouf)


if __name__ == "__main__":
    app.run(main)
"""


def test_a_copy_of_the_flags_that_is_only_saved_reads_none_of_them(tmp_path: Path) -> None:
    write(tmp_path, {"text/main.py": SAVED_FLAGS})
    assert places(lint(tmp_path, "ML104")) == [("text/main.py", 4)]
    # handed on wholesale, the copy reads every flag
    handed = SAVED_FLAGS.replace("json.dump(flags_dict, ouf)", "train(**flags_dict)")
    write(tmp_path, {"text/main.py": handed})
    assert lint(tmp_path, "ML104") == []


def test_filling_an_object_through_its_dict_reads_no_option(tmp_path: Path) -> None:
    # bert's modeling.py, imported by uda's main.py: BertConfig.from_dict
    modeling = (
        "class BertConfig:\n"
        "    @classmethod\n"
        "    def from_dict(cls, json_object):\n"
        "        config = BertConfig()\n"
        "        for key, value in json_object.items():\n"
        "            config.__dict__[key] = value\n"
        "        return config\n"
    )
    main = SAVED_FLAGS.replace("import json\n", "import json\nimport modeling\n")
    write(tmp_path, {"text/main.py": main, "text/modeling.py": modeling})
    assert places(lint(tmp_path, "ML104")) == [("text/main.py", 5)]
    # reading the object's dict still hands the fields on wholesale
    reading = modeling.replace("config.__dict__[key] = value", "print(config.__dict__[key])")
    write(tmp_path, {"text/modeling.py": reading.replace("print(", "use(")})
    assert lint(tmp_path, "ML104") == []


# mae_st: the namespace is spread into a model factory chosen by name, which hands **kwargs on
# to the model's constructor; the repository imports itself as the package `mae_st`
MODELS = """\
class VisionTransformer:
    def __init__(self, num_frames, img_size=224, drop_path_rate=0.0, **kwargs):
        print(locals())
        self.size = img_size


def vit_base_patch16(**kwargs):
    return VisionTransformer(img_size=224, **kwargs)
"""
FINETUNE = """\
import argparse
import mae_st.models_vit as models_vit

parser = argparse.ArgumentParser()
parser.add_argument("--model", default="vit_base_patch16")
parser.add_argument("--num_frames", type=int, default=16)
parser.add_argument("--drop_path_rate", type=float, default=0.1)
parser.add_argument("--color_jitter", type=float, default=None)
parser.add_argument("--global_pool", action="store_true")
parser.set_defaults(global_pool=True)
args = parser.parse_args()
model = models_vit.__dict__[args.model](**vars(args))
"""


def test_a_namespace_spread_into_a_callee_reads_its_named_parameters(tmp_path: Path) -> None:
    root = tmp_path / "mae_st"
    write(root, {"models_vit.py": MODELS, "main_finetune.py": FINETUNE})
    # color_jitter and global_pool reach only **kwargs, which is printed; set_defaults is
    # a default, not a read
    assert places(lint(root, "ML104")) == [("main_finetune.py", 8), ("main_finetune.py", 9)]
    # a **kwargs the constructor hands on to something unknown may read any option
    opaque = MODELS.replace("print(locals())", "self.extra = dict(**kwargs)")
    write(root, {"models_vit.py": opaque.replace("dict(**kwargs)", "make()(**kwargs)")})
    assert lint(root, "ML104") == []
    # and so may a callee from outside the project
    write(
        root,
        {
            "models_vit.py": MODELS,
            "main_finetune.py": FINETUNE.replace(
                "model = models_vit.__dict__[args.model](**vars(args))",
                "import timm\nmodel = timm.create_model(**vars(args))",
            ),
        },
    )
    assert lint(root, "ML104") == []


def test_an_object_field_read_from_itself_is_not_an_option(tmp_path: Path) -> None:
    kinetics = (
        "class Kinetics:\n"
        "    def __init__(self, rand_aug=False):\n"
        "        self.rand_aug = rand_aug\n"
        "    def get(self):\n"
        "        if self.rand_aug:\n"
        "            return 1\n"
    )
    main = (
        "import argparse\nfrom kinetics import Kinetics\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('--rand_aug', action='store_true')\n"
        "args = parser.parse_args()\n"
        "data = Kinetics(rand_aug=False)\n"
    )
    write(tmp_path, {"kinetics.py": kinetics, "main_test.py": main})
    assert places(lint(tmp_path, "ML104")) == [("main_test.py", 4)]
    write(tmp_path, {"main_test.py": main.replace("rand_aug=False)", "rand_aug=args.rand_aug)")})
    assert lint(tmp_path, "ML104") == []


# latent-diffusion / taming-transformers main.py: the options that differ from Lightning's
# defaults, found by looking the Trainer's option names up on the program's namespace
LIGHTNING_MAIN = """\
import argparse
from pytorch_lightning.trainer import Trainer


def get_parser():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--name", type=str, default="")
    parser.add_argument("-p", "--project", help="name of new or path to existing project")
    return parser


def nondefault_trainer_args(opt):
    parser = argparse.ArgumentParser()
    parser = Trainer.add_argparse_args(parser)
    args = parser.parse_args([])
    return sorted(k for k in vars(args) if getattr(opt, k) != getattr(args, k))


if __name__ == "__main__":
    parser = get_parser()
    parser = Trainer.add_argparse_args(parser)
    opt, unknown = parser.parse_known_args()
    trainer_config = {}
    for k in nondefault_trainer_args(opt):
        trainer_config[k] = getattr(opt, k)
    print(opt.name, trainer_config)
"""


def test_a_lookup_by_the_names_of_a_library_only_parser_reads_no_own_option(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"main.py": LIGHTNING_MAIN})
    # the names come from Trainer's parser, which argparse keeps apart from the project's
    # own option strings (both are on the program's parser): `--project` is never read
    assert places(lint(tmp_path, "ML104")) == [("main.py", 8)]
    # when the program's parser does not get the Trainer's options, a name may be its own
    alone = LIGHTNING_MAIN.replace(
        "    parser = Trainer.add_argparse_args(parser)\n    opt,", "    opt,"
    )
    write(tmp_path, {"main.py": alone})
    assert lint(tmp_path, "ML104") == []
    # a parser the project fills itself yields its own names
    own = LIGHTNING_MAIN.replace(
        "    args = parser.parse_args([])",
        '    parser.add_argument("--project")\n    args = parser.parse_args([])',
    )
    write(tmp_path, {"main.py": own})
    assert lint(tmp_path, "ML104") == []
    # a computed lookup by any other name still reads every option
    other = LIGHTNING_MAIN.replace(
        "trainer_config[k] = getattr(opt, k)", "pass\n    print(getattr(opt, input()))"
    )
    write(tmp_path, {"main.py": other})
    assert lint(tmp_path, "ML104") == []


# BLIP: every main() starts with init_distributed_mode(args), which sets args.distributed
DIST_UTILS = """\
import os
import torch


def init_distributed_mode(args):
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        args.rank = int(os.environ["RANK"])
    else:
        print("Not using distributed mode")
        args.distributed = False
        return
    args.distributed = True
    torch.distributed.init_process_group(backend="nccl", rank=args.rank)
"""
DIST_MAIN = """\
import argparse
import utils


def main(args):
    utils.init_distributed_mode(args)
    if args.distributed:
        print("distributed", args.epochs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--distributed", default=True, type=bool)
    args = parser.parse_args()
    main(args)
"""


def test_an_option_assigned_on_every_path_before_any_read_is_never_read(tmp_path: Path) -> None:
    write(tmp_path, {"utils.py": DIST_UTILS, "train.py": DIST_MAIN})
    findings = lint(tmp_path, "ML104")
    assert places(findings) == [("train.py", 14)]
    assert "`utils.init_distributed_mode(...)` assigns it before any read" in findings[0]["message"]
    # a path out of the helper that leaves it alone keeps the option's value alive
    kept = DIST_UTILS.replace("        args.distributed = False\n", "")
    write(tmp_path, {"utils.py": kept})
    assert lint(tmp_path, "ML104") == []
    # so does a read before the call, or one in another module of the program
    write(tmp_path, {"utils.py": DIST_UTILS})
    early = DIST_MAIN.replace(
        "    utils.init_distributed_mode(args)\n",
        "    print(args.distributed)\n    utils.init_distributed_mode(args)\n",
    )
    write(tmp_path, {"train.py": early})
    assert lint(tmp_path, "ML104") == []
    elsewhere = DIST_UTILS + "\n\ndef is_main(args):\n    return not args.distributed\n"
    write(tmp_path, {"train.py": DIST_MAIN, "utils.py": elsewhere})
    assert lint(tmp_path, "ML104") == []
    # a call that may not run (under a test) overwrites nothing for sure
    guarded = DIST_MAIN.replace(
        "    utils.init_distributed_mode(args)\n",
        "    if args.epochs:\n        utils.init_distributed_mode(args)\n",
    )
    write(tmp_path, {"train.py": guarded, "utils.py": DIST_UTILS})
    assert lint(tmp_path, "ML104") == []


# pytorch_GAN_zoo: eval.py hands its parser to a plugin imported by name, and the plugins
# look options up through a helper of another module
GAN_EVAL = """\
import argparse
import importlib

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("evaluation_name")
    parser.add_argument("-n", "--name", dest="name")
    parser.add_argument("-d", "--dir", dest="dir", default="output_networks")
    parser.add_argument("-A", "--statsFile", dest="statsFile")
    args, unknown = parser.parse_known_args()
    module = importlib.import_module("models.eval." + args.evaluation_name)
    module.test(parser)
"""
GAN_PLUGIN = """\
from ..utils.utils import getVal


def test(parser):
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--showNN", action="store_true")
    kwargs = vars(parser.parse_args())
    name = getVal(kwargs, "name", None)
    print(name, kwargs["dir"], getVal(kwargs, "size", 224))
"""
GAN_UTILS = """\
def getVal(kwargs, key, default):
    out = kwargs.get(key, default)
    if out is None:
        return default
    return out
"""


def test_a_plugin_imported_by_name_and_a_lookup_helper_read_their_options(
    tmp_path: Path,
) -> None:
    files = {
        "eval.py": GAN_EVAL,
        "models/__init__.py": "",
        "models/eval/__init__.py": "",
        "models/eval/nn_metric.py": GAN_PLUGIN,
        "models/utils/__init__.py": "",
        "models/utils/utils.py": GAN_UTILS,
    }
    write(tmp_path, files)
    # `--name` and `--size` reach getVal, `--dir` a key: only these two are never read
    assert places(lint(tmp_path, "ML104")) == [
        ("eval.py", 9),
        ("models/eval/nn_metric.py", 6),
    ]
    # a helper that does not look its key up reads nothing
    write(
        tmp_path,
        {"models/utils/utils.py": GAN_UTILS.replace("kwargs.get(key, default)", "default")},
    )
    assert places(lint(tmp_path, "ML104")) == [
        ("eval.py", 7),
        ("eval.py", 9),
        ("models/eval/nn_metric.py", 5),
        ("models/eval/nn_metric.py", 6),
    ]
    # a module of another package is no plugin of `models.eval.`
    write(
        tmp_path,
        {
            "models/utils/utils.py": GAN_UTILS,
            "eval.py": GAN_EVAL.replace('"models.eval."', '"plugins."'),
        },
    )
    assert ("eval.py", 8) in places(lint(tmp_path, "ML104"))


def test_a_helper_called_only_after_the_overwrite_reads_nothing_before_it(tmp_path: Path) -> None:
    # BLIP's train_retrieval.py: evaluation() reads the global `args`, and only main() calls
    # it, after init_distributed_mode(args)
    helper = "def evaluation():\n    if args.distributed:\n        pass\n\n\n"
    main = DIST_MAIN.replace("def main(args):", helper + "def main(args):").replace(
        '        print("distributed", args.epochs)\n',
        '        print("distributed", args.epochs)\n    evaluation()\n',
    )
    write(tmp_path, {"utils.py": DIST_UTILS, "train.py": main})
    assert places(lint(tmp_path, "ML104")) == [("train.py", 20)]
    # called before the overwrite too: its read may see the option's value
    early = main.replace(
        "    utils.init_distributed_mode(args)\n",
        "    evaluation()\n    utils.init_distributed_mode(args)\n",
    )
    write(tmp_path, {"train.py": early})
    assert lint(tmp_path, "ML104") == []


# vdvae's hps.py: the option names check a preset, then a dict with attribute access gets
# a copy of the values, read by attribute (`H.lr`)
VDVAE_HPS = """\
import argparse


class Hyperparams(dict):
    def __getattr__(self, attr):
        return self[attr]


def parse_args_and_update_hparams(H, parser, s=None):
    args = parser.parse_args(s)
    valid_args = set(args.__dict__.keys())
    for k in PRESET:
        if k not in valid_args:
            raise ValueError(k)
    H.update(parser.parse_args(s).__dict__)


def set_up_hyperparams(s=None):
    H = Hyperparams()
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--lr_prior", type=float, default=0.1)
    parse_args_and_update_hparams(H, parser, s=s)
    return H


def train(H):
    print(H.lr)


PRESET = {"lr": 0.2}
train(set_up_hyperparams())
"""


def test_the_names_of_the_options_alone_read_no_value(tmp_path: Path) -> None:
    write(tmp_path, {"hps.py": VDVAE_HPS})
    assert places(lint(tmp_path, "ML104")) == [("hps.py", 22)]
    # the same copy through vars()
    write(
        tmp_path,
        {
            "hps.py": VDVAE_HPS.replace(
                "H.update(parser.parse_args(s).__dict__)", "H.update(vars(args))"
            )
        },
    )
    assert places(lint(tmp_path, "ML104")) == [("hps.py", 22)]
    # the values themselves, looked up by a computed name, may be any option
    values = VDVAE_HPS.replace("if k not in valid_args:", "if getattr(args, k) is None:")
    write(tmp_path, {"hps.py": values})
    assert lint(tmp_path, "ML104") == []


def test_a_package_folder_without_init_is_followed_from_the_top(tmp_path: Path) -> None:
    # maddpg: `from maddpg.trainer.maddpg import Trainer`, maddpg/trainer/ has no __init__.py
    trainer = "class Trainer:\n    def __init__(self, args):\n        self.lr = args.lr\n"
    train = (
        "import argparse\nfrom maddpg.trainer.maddpg import Trainer\n"
        "p = argparse.ArgumentParser()\np.add_argument('--lr', type=float)\n"
        "p.add_argument('--gamma', type=float)\nTrainer(p.parse_args())\n"
    )
    write(
        tmp_path,
        {
            "maddpg/__init__.py": "",
            "maddpg/trainer/maddpg.py": trainer,
            "experiments/train.py": train,
        },
    )
    assert places(lint(tmp_path, "ML104")) == [("experiments/train.py", 5)]


def test_a_sorted_loop_that_prints_every_option_reads_none(tmp_path: Path) -> None:
    # DomainBed's train_autolr.py
    main = (
        "import argparse\np = argparse.ArgumentParser()\np.add_argument('--lr', type=float)\n"
        "p.add_argument('--auto_lr', action='store_true')\nargs = p.parse_args()\n"
        "for k, v in sorted(vars(args).items()):\n    print('\\t{}: {}'.format(k, v))\n"
        "train(args.lr)\n"
    )
    write(tmp_path, {"train.py": main})
    assert places(lint(tmp_path, "ML104")) == [("train.py", 4)]
    # a loop that does something else with each value may read any option
    write(tmp_path, {"train.py": main.replace("print('\\t{}: {}'.format(k, v))", "use(k, v)")})
    assert lint(tmp_path, "ML104") == []


def test_an_accelerator_switch_is_a_platform_switch(tmp_path: Path) -> None:
    # pytorch/examples: `--no-accel` in almost every script
    main = (
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--no-accel', action='store_true')\n"
        "p.add_argument('--use-mixup', action='store_true')\nargs = p.parse_args()\n"
        "use_accel = not args.no_accel\nmix = args.use_mixup\n"
        "if use_accel:\n    a()\nif mix:\n    b()\n"
    )
    write(tmp_path, {"main.py": main})
    findings = lint(tmp_path, "ML103")
    assert places(findings) == [("main.py", 10)]
    # the message names the option and the alias that reads it
    assert "command-line option `use_mixup` (read as `mix`)" in findings[0]["message"]


def test_a_tensor_named_args_handed_to_a_library_is_no_namespace(tmp_path: Path) -> None:
    # latent-diffusion's timestep_embedding: `args = timesteps[:, None] * freqs[None]`
    util = (
        "import torch\n\ndef embedding(timesteps, freqs):\n"
        "    args = timesteps[:, None].float() * freqs[None]\n"
        "    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)\n"
    )
    main = (
        "import argparse\nfrom util import embedding\np = argparse.ArgumentParser()\n"
        "p.add_argument('--project')\nargs = p.parse_args()\nembedding(1, 2)\n"
    )
    write(tmp_path, {"util.py": util, "main.py": main})
    assert places(lint(tmp_path, "ML104")) == [("main.py", 4)]
    # the namespace itself handed to the library may be read whole
    write(tmp_path, {"util.py": util.replace("torch.cos(args)", "torch.cos(make(args))")})
    write(tmp_path, {"main.py": main.replace("embedding(1, 2)", "import timm\ntimm.create(args)")})
    assert lint(tmp_path, "ML104") == []


def test_sixth_set_namespace_shapes(tmp_path: Path) -> None:
    # xlnet: a config object copies a literal list of flags; the other flags stay unread
    xlnet = (
        "from absl import flags\nflags.DEFINE_integer('n_layer', 2, '')\n"
        "flags.DEFINE_string('tpu_job_name', None, '')\nFLAGS = flags.FLAGS\n\n\n"
        "class Config:\n    def __init__(self):\n        self.keys = ['n_layer']\n\n"
        "    def init_from_flags(self, FLAGS):\n        for key in self.keys:\n"
        "            setattr(self, key, getattr(FLAGS, key))\n"
    )
    write(tmp_path, {"run.py": xlnet})
    assert places(lint(tmp_path, "ML104")) == [("run.py", 3)]
    # transformer-xl: options of a `__main__` block, read by an importer's own parser; a
    # module attribute named like an option; a logging loop over every option
    model = (
        "import argparse\nimport logging\n\n\ndef build(s):\n    logging.debug(s)\n\n\n"
        "if __name__ == '__main__':\n    p = argparse.ArgumentParser()\n"
        "    p.add_argument('--seed', type=int)\n"
        "    p.add_argument('--debug', action='store_true')\n"
        "    build(1)\n"
    )
    train = (
        "import argparse\nfrom model import build\np = argparse.ArgumentParser()\n"
        "p.add_argument('--seed', type=int)\np.add_argument('--emb_init', default='normal')\n"
        "args = p.parse_args()\nlogging = make_logger()\n"
        "for k, v in args.__dict__.items():\n    logging('{} : {}'.format(k, v))\n"
        "build(args.seed)\n"
    )
    write(tmp_path / "txl", {"model.py": model, "train.py": train})
    assert places(lint(tmp_path / "txl", "ML104")) == [
        ("model.py", 11),
        ("model.py", 12),
        ("train.py", 5),
    ]
    # transformer-xl's tf/data_utils.py: the flags handed on inside kwargs are still read
    data = (
        "from absl import flags\nflags.DEFINE_integer('num_procs', 1, '')\n"
        "FLAGS = flags.FLAGS\n\n\n"
        "def convert(**kwargs):\n    FLAGS = kwargs.get('FLAGS')\n    return FLAGS.num_procs\n\n\n"
        "convert(FLAGS=FLAGS)\n"
    )
    write(tmp_path / "d", {"data_utils.py": data})
    assert lint(tmp_path / "d", "ML104") == []


def test_seventh_set_shapes(tmp_path: Path) -> None:
    # improved_wgan_training: the choices listed unquoted make a knob
    use = "\nif MODE == 'wgan':\n    clip = 0.01\nelse:\n    clip = None\n"
    write(
        tmp_path,
        {
            "a.py": "MODE = 'wgan-gp' # dcgan, wgan, wgan-gp, lsgan\n" + use,
            "b.py": "MODE = 'wgan-gp' # Valid options are dcgan, wgan, or wgan-gp\n" + use,
            "c.py": "MODE = 'wgan-gp' # wgan-gp, the best of them\n" + use,
        },
    )
    assert places(lint(tmp_path, "ML102")) == [("c.py", 3)]
    # convit's run_with_submitit.py: an option set by the script before its only read
    main = (
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('--use_volta32', action='store_true')\n"
        "p.add_argument('--lr', type=float)\nargs = p.parse_args()\n"
        "for run in range(3):\n    args.use_volta32 = True\n    args.lr = args.lr * 2\n"
        "    if args.use_volta32:\n        print(args.lr)\n"
    )
    write(tmp_path / "s", {"submit.py": main})
    findings = lint(tmp_path / "s", "ML104")
    assert places(findings) == [("submit.py", 3)]
    assert "`args.use_volta32 = ...` assigns it before any read" in findings[0]["message"]


def test_a_loss_weight_a_test_only_orders_is_no_stale_flag(tmp_path: Path) -> None:
    # PyTorch-GAN's munit.py: `lambda_cyc = 0` among the loss weights
    weights = "lambda_gan = 1\nlambda_cyc = 0\n\n\ndef loss(a, b):\n"
    write(
        tmp_path,
        {
            "a.py": weights + "    return a + (lambda_cyc * b if lambda_cyc > 0 else 0)\n",
            # a number only compared is a threshold switch
            "b.py": weights + "    return a + (b if lambda_cyc > 0 else 0)\n",
        },
    )
    assert places(lint(tmp_path, "ML102")) == [("b.py", 6)]
