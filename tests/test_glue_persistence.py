"""Which glue statements read or write outside the process (ML201/ML202 need one in-line)."""

from __future__ import annotations

from mllint.glue import GlueOptions, Verdict, configure
from mllint.glue.persistence import persists
from mllint.stats import explain_source

_SOURCE = """\
import json, os, pickle, shutil
import numpy as np
import tensorflow as tf
import torch
from flax.training import checkpoints
from PIL import Image
def evaluate(model, out, step, writer, logger, fh, res, ckpt_manager):
    with open(os.path.join(out, "x.json"), "w") as f:
        json.dump({"a": 1}, f)
    np.save("x.npy", res)
    torch.save(model.state_dict(), "m.pt")
    Image.fromarray(res).save("a.png")
    writer.add_scalar("acc", 1.0, step)
    tf.summary.scalar("acc", 1.0, step=step)
    fh.write("x")
    os.makedirs(out, exist_ok=True)
    checkpoints.save_checkpoint(out, model, step)
    model.save_pretrained(out)
    ckpt_manager.save()
    shutil.copy("a", "b")
    logger.info("done")
    data = pickle.loads(res)
    text = json.dumps(res)
    name = os.path.join(out, "x")
    print(text)
    values = res.tolist()
"""
_PERSISTS = set(range(8, 21))  # lines 8-20 write files, checkpoints or tracker values


def test_io_statements_persist_and_bookkeeping_does_not() -> None:
    configure(GlueOptions())
    rows = [r for r in explain_source(_SOURCE.encode()) if r.line >= 8]
    assert all(r.kind == "glue" for r in rows), [r for r in rows if r.kind != "glue"]
    found = {r.line for r in rows if persists(Verdict(r.kind, r.reason))}
    assert found == _PERSISTS


def test_only_glue_persists() -> None:
    assert persists(Verdict("glue", "calls torch.save"))
    assert not persists(Verdict("algorithm", "calls torch.save"))
    assert not persists(Verdict("glue", "calls json.dumps"))  # json.dump's neighbour
    assert persists(Verdict("glue", "calls json.dump"))


def test_configured_glue_modules_count_as_the_project_s_io() -> None:
    assert persists(Verdict("glue", "calls acme.io.fetch (configured)"))
    assert not persists(Verdict("glue", "calls acme.io.fetch"))


def test_a_lightning_step_s_own_logging_is_not_io() -> None:
    """`self.log_dict(...)` in a LightningModule's step is the framework's interface for the
    step's metrics (thirteenth round); a summary writer's `add_scalar` writes event files."""
    assert not persists(Verdict("glue", ".log_dict() is glue by method name"))
    assert persists(Verdict("glue", ".add_scalar() of `writer` (a logger or writer)"))
