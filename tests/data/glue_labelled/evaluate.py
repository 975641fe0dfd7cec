"""Offline evaluation of a trained gradient-boosting model."""  # other

import csv  # other
import json  # other
import pickle  # other
import sys  # other
from pathlib import Path  # other

import lightgbm as lgb  # other
import matplotlib.pyplot as plt  # other
import numpy as np  # other
import pandas as pd  # other
import xgboost as xgb  # other
from sklearn import metrics  # other
from sklearn.calibration import calibration_curve  # other
from sklearn.model_selection import StratifiedKFold, cross_val_score  # other

REPORT_DIR = Path("reports")  # glue


def load_model(path: Path):  # other
    with open(path, "rb") as fh:  # glue
        return pickle.load(fh)  # glue


def load_test_set(path: Path):  # other
    frame = pd.read_parquet(path)  # glue
    y = frame.pop("label").to_numpy()  # glue
    x = frame.to_numpy(dtype=np.float32)  # glue
    return x, y  # other


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:  # other
    edges = np.linspace(0.0, 1.0, bins + 1)  # algorithm
    ece = 0.0  # other
    for lo, hi in zip(edges[:-1], edges[1:]):  # other
        in_bin = (probs > lo) & (probs <= hi)  # algorithm
        if in_bin.any():  # other
            gap = np.abs(probs[in_bin].mean() - labels[in_bin].mean())  # algorithm
            ece += gap * in_bin.mean()  # algorithm
    return float(ece)  # glue


def compute_metrics(y_true: np.ndarray, probs: np.ndarray, threshold: float = 0.5) -> dict:  # other
    preds = (probs >= threshold).astype(int)  # glue
    auc = metrics.roc_auc_score(y_true, probs)  # algorithm
    f1 = metrics.f1_score(y_true, preds)  # algorithm
    precision, recall, _ = metrics.precision_recall_curve(y_true, probs)  # algorithm
    pr_auc = metrics.auc(recall, precision)  # algorithm
    brier = np.mean((probs - y_true) ** 2)  # algorithm
    ece = expected_calibration_error(probs, y_true)  # other
    return {"auc": auc, "f1": f1, "pr_auc": pr_auc, "brier": brier, "ece": ece}  # glue


def cross_validate(x: np.ndarray, y: np.ndarray) -> np.ndarray:  # other
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)  # algorithm
    model = lgb.LGBMClassifier(n_estimators=300, learning_rate=0.05)  # algorithm
    scores = cross_val_score(model, x, y, cv=folds, scoring="roc_auc")  # algorithm
    return scores  # other


def xgb_baseline(x: np.ndarray, y: np.ndarray, x_test: np.ndarray) -> np.ndarray:  # other
    dtrain = xgb.DMatrix(x, label=y)  # glue
    dtest = xgb.DMatrix(x_test)  # glue
    params = {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1}  # other
    booster = xgb.train(params, dtrain, num_boost_round=200)  # algorithm
    return booster.predict(dtest)  # algorithm


def plot_calibration(y_true: np.ndarray, probs: np.ndarray, out: Path) -> None:  # other
    frac_pos, mean_pred = calibration_curve(y_true, probs, n_bins=10)  # algorithm
    fig, ax = plt.subplots(figsize=(5, 5))  # glue
    ax.plot(mean_pred, frac_pos, marker="o")  # glue
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey")  # glue
    ax.set_xlabel("mean predicted probability")  # glue
    fig.savefig(out / "calibration.png", dpi=150)  # glue
    plt.close(fig)  # glue


def write_report(results: dict, out: Path) -> None:  # other
    out.mkdir(parents=True, exist_ok=True)  # glue
    (out / "metrics.json").write_text(json.dumps(results, indent=2, default=float))  # glue
    with open(out / "metrics.csv", "w", newline="") as fh:  # glue
        writer = csv.writer(fh)  # glue
        writer.writerow(["metric", "value"])  # glue
        for name, value in sorted(results.items()):  # glue
            writer.writerow([name, f"{value:.5f}"])  # glue


def main(argv=None) -> int:  # other
    argv = argv if argv is not None else sys.argv[1:]  # glue
    model = load_model(Path(argv[0]))  # glue
    x, y = load_test_set(Path(argv[1]))  # glue
    probs = model.predict_proba(x)[:, 1]  # algorithm
    results = compute_metrics(y, probs)  # other
    results["cv_auc_mean"] = float(cross_validate(x, y).mean())  # algorithm
    plot_calibration(y, probs, REPORT_DIR)  # other
    write_report(results, REPORT_DIR)  # other
    print(f"AUC {results['auc']:.4f}  F1 {results['f1']:.4f}")  # glue
    return 0  # other


if __name__ == "__main__":  # other
    sys.exit(main())  # glue
