import keras  # noqa: F401
import mlflow
from dotenv import load_dotenv

from {{package_name}}.models.example_model import get_model

load_dotenv()


def example_train(preprocessed_path: str, bucket_name: str, **kwargs):
    get_model()
    return {"model_uri": f"runs:/{mlflow.__name__}/mnist_model_final"}
