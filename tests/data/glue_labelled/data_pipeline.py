"""Builds the training table for the churn model from raw exports."""  # other

import json  # other
import logging  # other
from pathlib import Path  # other

import numpy as np  # other
import pandas as pd  # other
import yaml  # other

log = logging.getLogger("pipeline")  # glue
RAW = Path("data/raw")  # glue
PROCESSED = Path("data/processed")  # glue
DATE_COLUMNS = ["signup_date", "last_seen"]  # other


def load_config(path: str) -> dict:  # other
    with open(path) as fh:  # glue
        return yaml.safe_load(fh)  # glue


def load_events(config: dict) -> pd.DataFrame:  # other
    events = pd.read_parquet(RAW / config["events_file"])  # glue
    events = events.rename(columns={"uid": "user_id", "ts": "timestamp"})  # glue
    events["timestamp"] = pd.to_datetime(events["timestamp"], unit="s")  # glue
    events = events[events["event_type"].isin(config["event_types"])]  # glue
    log.info("loaded %d events", len(events))  # glue
    return events  # other


def load_users() -> pd.DataFrame:  # other
    users = pd.read_csv(RAW / "users.csv", parse_dates=DATE_COLUMNS)  # glue
    users = users.drop_duplicates(subset="user_id", keep="last")  # glue
    users["country"] = users["country"].fillna("unknown").str.upper()  # glue
    users = users.set_index("user_id")  # glue
    return users  # other


def aggregate(events: pd.DataFrame) -> pd.DataFrame:  # other
    grouped = events.groupby("user_id")  # glue
    features = grouped.agg(n_events=("event_type", "size"), last_ts=("timestamp", "max"))  # algorithm
    features["events_per_day"] = features["n_events"] / 30.0  # algorithm
    features["log_events"] = np.log1p(features["n_events"])  # algorithm
    features = features.reset_index()  # glue
    return features  # other


def join_tables(users: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:  # other
    table = users.merge(features, left_index=True, right_on="user_id", how="left")  # glue
    table = table.fillna({"n_events": 0, "events_per_day": 0.0})  # glue
    table["tenure_days"] = (table["last_seen"] - table["signup_date"]).dt.days  # algorithm
    table["churned"] = (table["tenure_days"] < 30).astype("int8")  # glue
    table = table.astype({"n_events": "int32", "events_per_day": "float32"})  # glue
    return table  # other


def split(table: pd.DataFrame, seed: int = 0):  # other
    rng = np.random.default_rng(seed)  # algorithm
    mask = rng.random(len(table)) < 0.8  # algorithm
    train = table[mask].reset_index(drop=True)  # glue
    test = table[~mask].reset_index(drop=True)  # glue
    return train, test  # other


def write_outputs(train: pd.DataFrame, test: pd.DataFrame, config: dict) -> None:  # other
    PROCESSED.mkdir(parents=True, exist_ok=True)  # glue
    train.to_parquet(PROCESSED / "train.parquet", index=False)  # glue
    test.to_parquet(PROCESSED / "test.parquet", index=False)  # glue
    summary = {"train_rows": len(train), "test_rows": len(test), "config": config}  # glue
    (PROCESSED / "summary.json").write_text(json.dumps(summary, indent=2))  # glue
    log.info("wrote %s", PROCESSED)  # glue


def describe(table: pd.DataFrame) -> dict:  # other
    stats = {}  # other
    for column in ["n_events", "events_per_day", "tenure_days"]:  # other
        values = table[column].to_numpy()  # glue
        stats[column] = {"mean": float(np.mean(values)), "std": float(np.std(values))}  # algorithm
    stats["churn_rate"] = float(table["churned"].mean())  # algorithm
    return stats  # other


def main(config_path: str = "config/pipeline.yaml") -> None:  # other
    config = load_config(config_path)  # other
    events = load_events(config)  # other
    users = load_users()  # other
    table = join_tables(users, aggregate(events))  # other
    if config.get("drop_inactive", True):  # other
        table = table[table["n_events"] > 0]  # glue
    train, test = split(table, seed=config["seed"])  # other
    write_outputs(train, test, config)  # other
    print(json.dumps(describe(train), indent=2))  # glue


if __name__ == "__main__":  # other
    main()  # other
