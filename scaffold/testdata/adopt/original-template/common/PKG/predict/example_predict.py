import mlflow
import numpy as np
from dotenv import load_dotenv


def example_predict(model_uri: str):
    load_dotenv()
    model = mlflow.pyfunc.load_model(model_uri)
    return model.predict(np.random.rand(1, 28, 28, 1))
