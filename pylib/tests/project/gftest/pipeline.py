"""The three steps of the original tool's documented example DAG."""

from __future__ import annotations


def preprocess(path, **kwargs):
    return {"preprocessed_path": f"{path}/preprocessed", "rows": 1000}


def train(epochs, preprocessed_path, **kwargs):
    params = kwargs["params"]
    return {
        "model_path": f"{preprocessed_path}/model-{params['experiment']}-{epochs}",
        "epochs": epochs,
    }


def evaluate(metrics, **kwargs):
    return {metric: 1.0 for metric in metrics}
