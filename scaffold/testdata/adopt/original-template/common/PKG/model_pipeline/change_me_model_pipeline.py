from typing import Any

import mlflow


class ModelPipelineModel(mlflow.pyfunc.PythonModel):
    """Preprocess, predict and postprocess as one MLflow model."""

    def __init__(self, trained_model: Any):
        self.model = trained_model

    def predict(self, context, model_input: Any):
        return self.model.predict(model_input)
