"""A batch scoring job (S3 in, S3 out) and a small JAX/Flax training step."""  # other

import io  # other
import os  # other
import tempfile  # other

import boto3  # other
import flax.linen as nn  # other
import jax  # other
import jax.numpy as jnp  # other
import optax  # other
import requests  # other
import tensorflow as tf  # other
from transformers import AutoModelForSequenceClassification, AutoTokenizer  # other

BUCKET = os.environ.get("BUCKET", "ml-artifacts")  # glue
s3 = boto3.client("s3")  # glue


def fetch_batch(key: str) -> list:  # other
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()  # glue
    lines = body.decode("utf-8").splitlines()  # glue
    return [line.strip() for line in lines if line.strip()]  # glue


def notify(url: str, job_id: str, n: int) -> None:  # other
    response = requests.post(url, json={"job": job_id, "scored": n}, timeout=10)  # glue
    response.raise_for_status()  # glue


def score_texts(texts: list, model_name: str = "distilbert-base-uncased") -> list:  # other
    tokenizer = AutoTokenizer.from_pretrained(model_name)  # glue
    model = AutoModelForSequenceClassification.from_pretrained(model_name)  # glue
    batch = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")  # glue
    logits = model(**batch).logits  # algorithm
    probs = logits.softmax(dim=-1)  # algorithm
    return probs[:, 1].tolist()  # glue


def upload_scores(key: str, scores: list) -> None:  # other
    buffer = io.StringIO()  # glue
    for score in scores:  # other
        buffer.write(f"{score:.6f}\n")  # glue
    s3.put_object(Bucket=BUCKET, Key=key, Body=buffer.getvalue().encode("utf-8"))  # glue


class MLP(nn.Module):  # other
    hidden: int = 128  # other

    @nn.compact
    def __call__(self, x):  # other
        x = nn.Dense(self.hidden)(x)  # algorithm
        x = nn.relu(x)  # algorithm
        return nn.Dense(1)(x)  # algorithm


def mse_loss(params, apply_fn, x, y):  # other
    pred = apply_fn(params, x)  # other
    return jnp.mean((pred.squeeze(-1) - y) ** 2)  # algorithm


def make_step(apply_fn, optimizer):  # other
    @jax.jit
    def step(params, opt_state, x, y):  # other
        loss, grads = jax.value_and_grad(mse_loss)(params, apply_fn, x, y)  # algorithm
        updates, opt_state = optimizer.update(grads, opt_state, params)  # algorithm
        params = optax.apply_updates(params, updates)  # algorithm
        return params, opt_state, loss  # other

    return step  # other


def train_jax(x, y, epochs: int = 100):  # other
    model = MLP()  # algorithm
    params = model.init(jax.random.PRNGKey(0), x[:1])  # algorithm
    optimizer = optax.adam(1e-3)  # algorithm
    opt_state = optimizer.init(params)  # algorithm
    step = make_step(model.apply, optimizer)  # other
    for epoch in range(epochs):  # other
        params, opt_state, loss = step(params, opt_state, x, y)  # other
    host_params = jax.device_get(params)  # glue
    return host_params, float(loss)  # glue


def keras_baseline(x, y):  # other
    model = tf.keras.Sequential([tf.keras.layers.Dense(64, activation="relu"), tf.keras.layers.Dense(1)])  # algorithm
    model.compile(optimizer="adam", loss="mse")  # algorithm
    model.fit(x, y, epochs=5, batch_size=32, verbose=0)  # algorithm
    with tempfile.TemporaryDirectory() as tmp:  # glue
        model.save(os.path.join(tmp, "model.keras"))  # glue
    return model.predict(x[:10])  # algorithm


def run_job(job_id: str, in_key: str, out_key: str, callback_url: str) -> None:  # other
    texts = fetch_batch(in_key)  # other
    scores = score_texts(texts)  # other
    upload_scores(out_key, scores)  # other
    notify(callback_url, job_id, len(scores))  # other
    print(f"job {job_id}: scored {len(scores)} texts")  # glue
