from typing import Any

import mlflow  # noqa: F401  (the template logs models with it)

from {{package_name}}.dataloader.change_me_data import load_preprocessed_data
from {{package_name}}.models.change_me_model import get_model


class Trainer:
    def __init__(self, model: Any, train_data: Any, test_data: Any, hyperparams: Any, trained_model_path: Any):
        self.model = model
        self.train_data = train_data
        self.test_data = test_data
        self.hyperparams = hyperparams
        self.trained_model_path = trained_model_path

    def train(self):
        print("training, evaluating and saving the model")
        return "path-to-best-model"


def train(preprocessed_path: str, bucket_name: str, **kwargs):
    print("train kwargs:", kwargs)
    train_data, test_data = load_preprocessed_data(preprocessed_path, bucket_name)
    trainer = Trainer(get_model(), train_data, test_data, {}, "path/to/save/your/model")
    return {"model_uri": trainer.train()}
