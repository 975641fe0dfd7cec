"""Feature engineering for tabular models."""  # other

from typing import List, Sequence  # other

import numpy as np  # other
import pandas as pd  # other
from scipy import stats  # other
from sklearn.decomposition import PCA  # other
from sklearn.feature_extraction.text import TfidfVectorizer  # other
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # other

NUMERIC = ["age", "income", "balance"]  # other
CATEGORICAL = ["region", "plan"]  # other
EPS = 1e-6  # other


def zscore(x: np.ndarray) -> np.ndarray:  # other
    mu = x.mean(axis=0)  # algorithm
    sigma = x.std(axis=0) + EPS  # algorithm
    return (x - mu) / sigma  # algorithm


def winsorize(x: np.ndarray, lower: float = 0.01, upper: float = 0.99) -> np.ndarray:  # other
    lo, hi = np.quantile(x, [lower, upper])  # algorithm
    return np.clip(x, lo, hi)  # algorithm


def rolling_features(frame: pd.DataFrame, column: str, windows: Sequence[int]) -> pd.DataFrame:  # other
    out = frame.copy()  # glue
    for w in windows:  # other
        out[f"{column}_mean_{w}"] = frame[column].rolling(w, min_periods=1).mean()  # algorithm
        out[f"{column}_std_{w}"] = frame[column].rolling(w, min_periods=1).std()  # algorithm
    out[f"{column}_diff"] = frame[column].diff().fillna(0.0)  # glue
    return out  # other


def ratio_features(frame: pd.DataFrame) -> pd.DataFrame:  # other
    frame["debt_to_income"] = frame["debt"] / (frame["income"] + EPS)  # algorithm
    frame["log_balance"] = np.log1p(frame["balance"].clip(lower=0))  # algorithm
    frame["balance_sq"] = frame["balance"] ** 2  # algorithm
    frame["is_senior"] = (frame["age"] >= 65).astype(int)  # glue
    return frame  # other


def encode_categoricals(frame: pd.DataFrame) -> np.ndarray:  # other
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)  # algorithm
    encoded = encoder.fit_transform(frame[CATEGORICAL])  # algorithm
    return encoded.astype(np.float32)  # glue


def scale_numeric(train: pd.DataFrame, test: pd.DataFrame):  # other
    scaler = StandardScaler()  # algorithm
    train_x = scaler.fit_transform(train[NUMERIC])  # algorithm
    test_x = scaler.transform(test[NUMERIC])  # algorithm
    return train_x, test_x, scaler  # other


def text_features(texts: List[str], max_features: int = 5000) -> np.ndarray:  # other
    vectorizer = TfidfVectorizer(max_features=max_features, ngram_range=(1, 2))  # algorithm
    matrix = vectorizer.fit_transform(texts)  # algorithm
    svd_input = matrix.toarray()  # glue
    pca = PCA(n_components=64, random_state=0)  # algorithm
    return pca.fit_transform(svd_input)  # algorithm


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # other
    a_norm = a / np.linalg.norm(a, axis=1, keepdims=True)  # algorithm
    b_norm = b / np.linalg.norm(b, axis=1, keepdims=True)  # algorithm
    return a_norm @ b_norm.T  # algorithm


def skewed_columns(frame: pd.DataFrame, threshold: float = 1.0) -> List[str]:  # other
    skews = frame[NUMERIC].apply(lambda col: stats.skew(col.dropna()))  # algorithm
    return skews[skews.abs() > threshold].index.tolist()  # glue


def target_encode(frame: pd.DataFrame, column: str, target: str, smoothing: float = 10.0) -> pd.Series:  # other
    global_mean = frame[target].mean()  # algorithm
    agg = frame.groupby(column)[target].agg(["mean", "count"])  # algorithm
    weight = agg["count"] / (agg["count"] + smoothing)  # algorithm
    encoding = weight * agg["mean"] + (1 - weight) * global_mean  # algorithm
    return frame[column].map(encoding).fillna(global_mean)  # glue


def build_matrix(train: pd.DataFrame, test: pd.DataFrame):  # other
    train = ratio_features(train)  # other
    test = ratio_features(test)  # other
    train_num, test_num, _ = scale_numeric(train, test)  # other
    train_cat = encode_categoricals(train)  # other
    test_cat = encode_categoricals(test)  # other
    train_x = np.hstack([train_num, train_cat])  # algorithm
    test_x = np.hstack([test_num, test_cat])  # algorithm
    assert train_x.shape[1] == test_x.shape[1]  # other
    return train_x, test_x  # other


def feature_names(prefix: str, n: int) -> List[str]:  # other
    return [f"{prefix}_{i}" for i in range(n)]  # glue
