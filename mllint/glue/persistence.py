"""Which glue statements leave the process: file, network and checkpoint I/O, exports and
experiment trackers.

ML201/ML202 report glue *inside algorithm code* only where that glue persists something in-line
(a loss that writes summaries, an evaluation step that dumps JSON files, a training step that
saves checkpoints): on real research code, conversions and bookkeeping alone (collecting
tensors, ``.item()``, meters, result dicts) were mostly the computation's own interface, not
debt to pull out. The test reads the classifier's reason for a glue statement, so it costs one
dictionary lookup per distinct reason.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet

from mllint.glue.classifier import GLUE, Verdict

_QUALIFIED = """
builtins.open io.open os.open os.fdopen os.popen os.system os.makedirs os.mkdir os.remove
os.rename os.replace os.unlink os.rmdir os.removedirs os.listdir os.scandir os.walk os.symlink
os.link os.chmod os.truncate shutil glob tempfile gzip.open bz2.open lzma.open zipfile tarfile
subprocess
json.dump json.load pickle.dump pickle.load cloudpickle.dump cloudpickle.load dill.dump dill.load
joblib.dump joblib.load csv yaml.dump yaml.safe_dump yaml.load yaml.safe_load yaml.full_load
h5py zarr scipy.io imageio PIL.Image.open cv2.imread cv2.imwrite cv2.VideoWriter
cv2.VideoCapture matplotlib.pyplot.savefig
requests urllib.request http.client httpx socket boto3 botocore s3fs gcsfs fsspec
huggingface_hub safetensors datasets.load_dataset datasets.load_from_disk
pandas.read_csv pandas.read_json pandas.read_parquet pandas.read_pickle pandas.read_excel
pandas.read_hdf pandas.read_feather pandas.read_table pandas.read_sql
numpy.save numpy.savez numpy.savez_compressed numpy.load numpy.loadtxt numpy.savetxt
numpy.genfromtxt numpy.fromfile numpy.memmap
torch.save torch.load torch.onnx torch.jit.save torch.jit.load torch.hub torch.utils.tensorboard
torchvision.io torchvision.utils.save_image
tensorflow.io tensorflow.gfile tensorflow.compat.v1.gfile tensorflow.compat.v1.io
tensorflow.saved_model tensorflow.compat.v1.saved_model tensorflow.train.Saver
tensorflow.compat.v1.train.Saver tensorflow.train.Checkpoint tensorflow.train.CheckpointManager
tensorflow.summary tensorflow.compat.v1.summary tensorflow.compat.v2.summary
tensorflow.contrib.summary tensorflow.keras.models.load_model keras.models.load_model
keras.saving flax.training.checkpoints orbax
tensorboard tensorboardX wandb.log wandb.save mlflow
"""

_METHODS = """
write writelines read readline readlines save load save_pretrained from_pretrained
push_to_hub to_csv to_json to_parquet to_pickle to_feather to_hdf to_sql to_excel mkdir
makedirs touch unlink rmdir write_text write_bytes read_text read_bytes upload_file
download_file put_object get_object savefig save_weights load_weights add_scalar add_scalars
add_histogram add_image add_images add_figure add_text add_video add_audio add_graph
add_pr_curve add_embedding
"""

PREFIXES: FrozenSet[str] = frozenset(_QUALIFIED.split())
"""Qualified names (and prefixes on dotted boundaries) of calls that persist or fetch data."""
METHODS: FrozenSet[str] = frozenset(_METHODS.split())
"""Method names that write or read files, checkpoints or experiment trackers on a receiver of
unknown type (``Image.fromarray(x).save(p)``, ``writer.add_scalar(...)``, ``fh.write(s)``).
Not ``log_dict``/``log_metrics``: in a Lightning step, ``self.log_dict(...)`` is the framework's
own interface for a step's metrics, with nothing to pull out."""

_CALL = re.compile(r"(?:calls|converts data with) ([\w.]+)")
_METHOD = re.compile(r"\.(\w+)\(\) (?:is glue by method name|of `[^`]*` \(a logger or writer\))")
_SEEN: Dict[str, bool] = {}


def _prefixed(qualified: str) -> bool:
    parts = qualified.split(".")
    return any(".".join(parts[:n]) in PREFIXES for n in range(1, len(parts) + 1))


def _judge(reason: str) -> bool:
    call = _CALL.match(reason)
    if call is not None:
        # a call of the project's own `glue-modules` (its I/O layer) persists as its I/O does
        return reason.endswith(" (configured)") or _prefixed(call.group(1))
    method = _METHOD.match(reason)
    return method is not None and method.group(1) in METHODS


def persists(verdict: Verdict) -> bool:
    """Whether a statement's glue reads or writes outside the process (files, network,
    checkpoints, exports, experiment trackers); logging to a console or a logger does not."""
    if verdict.kind != GLUE:
        return False
    reason = verdict.reason
    known = _SEEN.get(reason)
    if known is None:
        if len(_SEEN) > 50_000:  # reasons quote names: bound the cache on hostile input
            _SEEN.clear()
        known = _SEEN[reason] = _judge(reason)
    return known
